"""Simulated micro-Doppler: the modulation line a radar finds in a target's Doppler spectrum.

Moving parts modulate the echo: multirotor rotor blades give a "blade flash" line at tens to
hundreds of Hz, a fixed-wing drone's propeller a weaker one, a manned aircraft's propellers or jet
compressor blades lines from tens of Hz to kHz, a bird's wing beat a strong line at a few Hz; a rocket
or mortar bomb has no moving parts and no line. Each truth object draws its own signature once
(`signatures`): a modulation rate (Hz, log-uniform in its kind's range) and the line's power relative
to the body echo (dB, Gaussian about its kind's mean). Public figures, approximate: rotor speeds of
3,000-9,000 rpm with two-blade rotors, propellers of 2,000-8,000 rpm, wing beats of 2-15 Hz (small
to large birds); relative powers are chosen so that a bird's wings are a large part of its echo and a
jet's compressor a small part.

Per detection (`measure`): the line's SNR is the body SNR times the relative power times the radar's
coherent-dwell gain `md_gain_db`; the line is found with the Swerling I probability
``Pfa_md ** (1 / (1 + SNR_line))``; a found line reports its rate with 5 % (1 sigma, log) error and
its relative power with 1.5 dB error. With probability `FALSE_LINE_P` a detection without a line
(clutter, rockets, lines lost in noise) shows a spurious one, log-uniform in `FALSE_LINE_HZ`, at
`FALSE_LINE_DB` +- 4 dB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from bastion.core.params import TargetKind
from bastion.core.records import FloatArray

SIGNATURES: Final[dict[TargetKind, tuple[float, float, float, float]]] = {
    # kind: (lowest rate Hz, highest rate Hz, mean relative power dB, its sigma dB)
    TargetKind.MULTIROTOR: (100.0, 300.0, -12.0, 3.0),
    TargetKind.FIXED_WING: (70.0, 400.0, -18.0, 3.0),
    TargetKind.AIRCRAFT: (30.0, 3000.0, -22.0, 4.0),
    TargetKind.BIRD: (2.0, 15.0, -6.0, 2.0),
}
"""Micro-Doppler signature ranges by kind; kinds absent here (rockets) have no line."""
MD_PFA: Final = 1e-3
"""False-alarm probability of the line detector per detection (sets the line's Pd with its SNR)."""
RATE_LOG_SIGMA: Final = 0.05
"""Measured rate error, 1 sigma, as a fraction (applied in log)."""
RATIO_SIGMA_DB: Final = 1.5
"""Measured relative power error, 1 sigma, dB."""
FALSE_LINE_P: Final = 0.01
"""Probability that a detection without a real line shows a spurious one."""
FALSE_LINE_HZ: Final = (1.0, 3000.0)
"""Range of spurious line rates, Hz (log-uniform)."""
FALSE_LINE_DB: Final = -15.0
"""Mean relative power of a spurious line, dB."""


def signatures(
    kinds: Sequence[TargetKind], rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Each object's modulation rate (K,) in Hz and relative line power (K,) in dB; NaN: no line."""
    k = len(kinds)
    u = rng.random(k)
    z = rng.standard_normal(k)
    rate = np.full(k, np.nan)
    ratio = np.full(k, np.nan)
    for i, kind in enumerate(kinds):
        sig = SIGNATURES.get(kind)
        if sig is not None:
            lo, hi, mean_db, sd_db = sig
            rate[i] = float(np.exp(np.log(lo) + u[i] * (np.log(hi) - np.log(lo))))
            ratio[i] = mean_db + sd_db * z[i]
    return rate, ratio


def measure(
    snr_linear: FloatArray,
    rate_hz: FloatArray,
    ratio_db: FloatArray,
    gain_db: float,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """Measured line rate (Hz) and relative power (dB) of M detections; NaN where no line is found.

    `snr_linear` (M,) is each detection's mean body SNR (linear); `rate_hz`, `ratio_db` (M,) are the
    true signatures of the detected objects (NaN for none, e.g. clutter); `gain_db` the dwell gain.
    """
    m = snr_linear.shape[0]
    has = np.isfinite(rate_hz)
    line_snr = snr_linear * 10.0 ** ((np.where(has, ratio_db, -np.inf) + gain_db) / 10.0)
    pd = np.power(MD_PFA, 1.0 / (1.0 + line_snr))
    u = rng.random((m, 2))
    z = rng.standard_normal((m, 3))
    found = has & (u[:, 0] < pd)
    false = ~found & (u[:, 1] < FALSE_LINE_P)
    lo, hi = np.log(FALSE_LINE_HZ[0]), np.log(FALSE_LINE_HZ[1])
    false_rate = np.exp(lo + rng.random(m) * (hi - lo))
    out_rate = np.full(m, np.nan)
    out_ratio = np.full(m, np.nan)
    out_rate[found] = rate_hz[found] * np.exp(RATE_LOG_SIGMA * z[found, 0])
    out_ratio[found] = ratio_db[found] + RATIO_SIGMA_DB * z[found, 1]
    out_rate[false] = false_rate[false]
    out_ratio[false] = FALSE_LINE_DB + 4.0 * z[false, 2]
    return out_rate, out_ratio
