"""Classification features of each track, from its evidence (`EvidenceBook`), vectorised.

| feature     | transform of                                                   | range (clipped) |
|-------------|----------------------------------------------------------------|-----------------|
| `log_rcs`   | log10 mean RCS (m^2), Swerling I log bias removed              | -4 .. 2.5       |
| `speed_h`   | log10(1 + smoothed horizontal speed, m/s)                      | 0 .. 3          |
| `speed_v`   | sign * log10(1 + abs smoothed vertical speed, m/s)             | -2.5 .. 2.5     |
| `height`    | log10(1 + height above the site origin, m)                     | 0 .. 4.2        |
| `accel_v`   | vertical acceleration of the plot fit, m/s^2                   | -30 .. 30       |
| `ballistic` | log10(1 + cross-track acceleration minus gravity's, m/s^2)     | 0 .. 2          |
| `turn`      | log10(1 + smoothed turn rate, deg/s)                           | 0 .. 2          |
| `hover`     | smoothed fraction of evaluations below 2.5 m/s                 | 0 .. 1          |
| `md_frac`   | (lines found + 0.5) / (micro-Doppler looks + 1)                | 0 .. 1          |
| `md_rate`   | mean log10 micro-Doppler line rate (Hz)                        | 0 .. 3.6        |
| `md_ratio`  | mean micro-Doppler line power relative to the body echo, dB    | -35 .. 5        |

A feature the track has no evidence for yet is NaN (no micro-Doppler line found, fewer than
`FIT_MIN_PLOTS` plots in `FIT_WINDOW_S` for the fit, too slow for a heading); the classifier leaves
it out. The plot fit is a least-squares constant-acceleration fit, p(tau) = p0 + v tau + a tau^2 / 2
in site ENU over the track's recent plots, solved for all tracks at once; the ballistic feature
compares the fitted acceleration across the fitted velocity with gravity's component across it, so
the unknown drag (along the velocity) drops out: near 0 for a rocket or mortar bomb in free flight,
near g for level flight.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from bastion.identify.columns import TrackColumns

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

FEATURES: Final = (
    "log_rcs",
    "speed_h",
    "speed_v",
    "height",
    "accel_v",
    "ballistic",
    "turn",
    "hover",
    "md_frac",
    "md_rate",
    "md_ratio",
)
RANGES: Final = np.array(
    [
        [-4.0, 2.5],
        [0.0, 3.0],
        [-2.5, 2.5],
        [0.0, 4.2],
        [-30.0, 30.0],
        [0.0, 2.0],
        [0.0, 2.0],
        [0.0, 1.0],
        [0.0, 1.0],
        [0.0, 3.6],
        [-35.0, 5.0],
    ]
)
"""Clip range of each feature (rows in `FEATURES` order); histogram bins span it evenly."""
N_BINS: Final = 20
SWERLING1_LOG10_BIAS: Final = 0.5772156649 / np.log(10.0)
"""E[log10 X] = log10(mean) - gamma / ln 10 for an exponentially distributed RCS estimate X."""
FIT_WINDOW_S: Final = 10.0
FIT_MIN_PLOTS: Final = 5
FIT_MIN_SPAN_S: Final = 2.5
G_MPS2: Final = 9.80665


def accel_fit(
    plot_t_s: FloatArray, plot_m: FloatArray, t_s: float
) -> tuple[FloatArray, FloatArray]:
    """Fitted velocity (N, 3) m/s and acceleration (N, 3) m/s^2 at `t_s` from plots (N, K), (N, K, 3).

    Rows without `FIT_MIN_PLOTS` plots spanning `FIT_MIN_SPAN_S` within `FIT_WINDOW_S` are NaN.
    """
    n = plot_t_s.shape[0]
    tau = plot_t_s - t_s
    ok = np.isfinite(tau) & (tau >= -FIT_WINDOW_S) & (tau <= 1e-9)
    w = ok.astype(np.float64)
    tau0 = np.where(ok, tau, 0.0)
    # (N, K, 3) regressors, rows of unused plots zero (weights 0/1); normal equations by matmul
    phi = np.stack([w, tau0 * w, 0.5 * tau0**2 * w], axis=-1)
    phi_t = phi.transpose(0, 2, 1)
    a = phi_t @ phi
    b = phi_t @ np.where(ok[..., None], plot_m, 0.0)
    span = np.where(ok, tau0, np.inf).min(axis=1)
    good = (ok.sum(axis=1) >= FIT_MIN_PLOTS) & (-span >= FIT_MIN_SPAN_S)
    vel = np.full((n, 3), np.nan)
    acc = np.full((n, 3), np.nan)
    if good.any():
        theta = np.linalg.solve(a[good], b[good])  # (G, 3 params, 3 axes)
        vel[good] = theta[:, 1, :]
        acc[good] = theta[:, 2, :]
    return vel, acc


def ballistic_residual(vel: FloatArray, acc: FloatArray) -> FloatArray:
    """|a_perp - g_perp| (m/s^2): acceleration across the velocity, less gravity's part across it."""
    g = np.array([0.0, 0.0, -G_MPS2])
    speed = np.linalg.norm(vel, axis=1, keepdims=True)
    vhat = vel / np.where(speed > 0.0, speed, np.nan)
    a_perp = acc - np.sum(acc * vhat, axis=1, keepdims=True) * vhat
    g_perp = g - (vhat @ g)[:, None] * vhat
    out: FloatArray = np.linalg.norm(a_perp - g_perp, axis=1)
    return out


def features(cols: TrackColumns, rows: IntArray, t_s: float) -> FloatArray:
    """Feature matrix (N, F) of the tracks at `rows` at run time `t_s`, NaN where not yet known."""
    n_looks = cols["n_looks"][rows].astype(np.float64)
    out = np.full((rows.size, len(FEATURES)), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out[:, 0] = cols["rcs_log_sum"][rows] / n_looks + SWERLING1_LOG10_BIAS
        out[:, 1] = np.log10(1.0 + cols["hspeed_mps"][rows])
        vs = cols["vspeed_mps"][rows]
        out[:, 2] = np.sign(vs) * np.log10(1.0 + np.abs(vs))
        out[:, 3] = np.log10(1.0 + np.maximum(cols["height_m"][rows], 0.0))
        vel, acc = accel_fit(cols["plot_t_s"][rows], cols["plot_m"][rows], t_s)
        out[:, 4] = acc[:, 2]
        out[:, 5] = np.log10(1.0 + ballistic_residual(vel, acc))
        out[:, 6] = np.log10(1.0 + np.degrees(cols["turn_rps"][rows]))
        out[:, 7] = cols["hover"][rows]
        md_looks = cols["n_md_looks"][rows].astype(np.float64)
        n_md = cols["n_md"][rows].astype(np.float64)
        out[:, 8] = np.where(md_looks > 0, (n_md + 0.5) / (md_looks + 1.0), np.nan)
        out[:, 9] = np.where(n_md > 0, cols["md_log_rate_sum"][rows] / n_md, np.nan)
        out[:, 10] = np.where(n_md > 0, cols["md_ratio_sum"][rows] / n_md, np.nan)
    return out


def bin_index(feats: FloatArray) -> IntArray:
    """Histogram bin (0 .. N_BINS - 1) of every feature value, -1 where the value is NaN."""
    lo, hi = RANGES[:, 0], RANGES[:, 1]
    frac = (np.clip(feats, lo, hi) - lo) / (hi - lo)
    idx = np.minimum((np.nan_to_num(frac, nan=0.0) * N_BINS).astype(np.int64), N_BINS - 1)
    out: IntArray = np.where(np.isnan(feats), -1, idx)
    return out
