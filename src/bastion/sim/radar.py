"""A simulated 3-D surveillance radar: one `DetectionBatch` per scan, vectorised over all objects.

Per scan, for every alive truth object: true range, azimuth (clockwise from north), elevation and
radial velocity (positive receding) about the radar (`bastion.core.geo.enu2aer`, site ENU); an
in-volume test (range and elevation limits, all azimuths); the mean SNR from the radar equation
``SNR = ref_snr * (rcs / ref_rcs) * (ref_range / R)**4``; a Swerling I detection draw with
``Pd = Pfa ** (1 / (1 + SNR))``; Gaussian measurement noise with the radar's sigmas; and an RCS
estimate drawn from the exponential (Swerling I) distribution about the true mean RCS. Clutter:
Poisson(`clutter_per_scan`) false detections, uniform in the volume (uniform in range cubed, in
azimuth and in elevation between the limits), RCS log-uniform in `CLUTTER_RCS_M2`, radial velocity
uniform in +-`CLUTTER_MAX_RANGE_RATE_MPS`. The detections are returned in random order.

Approximation: the whole volume is looked at in one instant, so every detection is stamped with the
scan time `t_s` and measures the truth at `t_s` (a rotating radar would see each azimuth at a
different moment within its period).

Micro-Doppler (when `micro_doppler_gain_db` is not None): each detection's line rate and relative
power (`bastion.sim.micro_doppler.measure`), drawn from a generator spawned from `rng`, so turning it
on or off leaves every other draw of the scan and of later scans unchanged.
"""

from __future__ import annotations

import numpy as np

from bastion.core.errors import ConfigError
from bastion.core.geo import enu2aer
from bastion.core.measurements import DetectionBatch
from bastion.core.params import RadarParams
from bastion.core.records import FloatArray
from bastion.core.units import db2lin
from bastion.sim import micro_doppler
from bastion.sim.truth import BoolArray, TruthWorld

CLUTTER_RCS_M2 = (1e-4, 1e-1)
"""Range (m^2) of the log-uniform RCS of clutter detections."""
CLUTTER_MAX_RANGE_RATE_MPS = 30.0
"""Clutter radial velocities are uniform in +- this (m/s)."""


def pd_swerling1(snr_linear: FloatArray | float, pfa: float) -> FloatArray:
    """Probability of detection per look of a Swerling I target: ``Pfa ** (1 / (1 + SNR))``.

    `snr_linear` is the mean signal-to-noise ratio (linear power ratio, not dB); `pfa` the
    probability of false alarm per resolution cell.
    """
    snr = np.asarray(snr_linear, dtype=np.float64)
    return np.asarray(np.power(pfa, 1.0 / (1.0 + snr)), dtype=np.float64)


def _check(params: RadarParams) -> None:
    p = params
    checks = (
        (0.0 <= p.min_range_m < p.max_range_m, "min_range_m", "0 <= min_range_m < max_range_m"),
        (p.min_el_rad < p.max_el_rad, "min_el_rad", "min_el_rad < max_el_rad"),
        (0.0 < p.pfa < 1.0, "pfa", "0 < pfa < 1"),
        (p.ref_range_m > 0.0 and p.ref_rcs_m2 > 0.0, "ref_range_m", "positive reference range/RCS"),
        (p.clutter_per_scan >= 0.0, "clutter_per_scan", "clutter_per_scan >= 0"),
        (
            min(p.sigma_range_m, p.sigma_az_rad, p.sigma_el_rad, p.sigma_range_rate_mps) >= 0.0,
            "sigma_range_m",
            "non-negative sigmas",
        ),
    )
    for ok, field, rule in checks:
        if not ok:
            raise ConfigError(f"radar {p.sensor_id!r}: need {rule}", path=f"radars.{field}")


class Radar:
    """A radar with fixed parameters; `scan` is pure given the world state and the generator."""

    def __init__(self, params: RadarParams) -> None:
        """Validate `params` (raises `ConfigError`)."""
        _check(params)
        self.params = params
        self.position_m: FloatArray = np.asarray(params.position_m, dtype=np.float64)
        self._ref_snr = db2lin(params.ref_snr_db)

    def mean_snr(self, range_m: FloatArray, rcs_m2: FloatArray) -> FloatArray:
        """Mean SNR (linear) of targets of mean RCS `rcs_m2` (m^2) at slant range `range_m` (m)."""
        p = self.params
        r = np.asarray(range_m, dtype=np.float64)
        out: FloatArray = (
            self._ref_snr * (np.asarray(rcs_m2) / p.ref_rcs_m2) * (p.ref_range_m / r) ** 4
        )
        return out

    def in_volume(self, range_m: FloatArray, el_rad: FloatArray) -> BoolArray:
        """True where slant range (m) and elevation (rad) are inside the surveillance volume."""
        p = self.params
        return (
            (range_m >= p.min_range_m)
            & (range_m <= p.max_range_m)
            & (el_rad >= p.min_el_rad)
            & (el_rad <= p.max_el_rad)
        )

    def scan(self, world: TruthWorld, t_s: float, rng: np.random.Generator) -> DetectionBatch:
        """One scan at run time `t_s` (s): target detections plus clutter, shuffled."""
        p = self.params
        pos, vel, alive = world.state_at(t_s)
        k = np.flatnonzero(alive)
        aer = enu2aer(pos[k], self.position_m)
        rr = np.einsum("ij,ij->i", pos[k] - self.position_m, vel[k]) / np.maximum(aer[:, 0], 1e-9)
        inside = self.in_volume(aer[:, 0], aer[:, 2])
        k, aer, rr = k[inside], aer[inside], rr[inside]
        snr = self.mean_snr(aer[:, 0], world.rcs_m2[k])
        detected = rng.random(k.size) < pd_swerling1(snr, p.pfa)
        k, aer, rr = k[detected], aer[detected], rr[detected]
        r, az, el, rcs = aer[:, 0], aer[:, 1], aer[:, 2], world.rcs_m2[k]
        noise = rng.standard_normal((k.size, 4))
        r_m = r + p.sigma_range_m * noise[:, 0]
        az_m = np.mod(az + p.sigma_az_rad * noise[:, 1], 2.0 * np.pi)
        el_m = el + p.sigma_el_rad * noise[:, 2]
        rr_m = rr + p.sigma_range_rate_mps * noise[:, 3]
        rcs_m = rng.exponential(rcs)

        n_c = int(rng.poisson(p.clutter_per_scan))
        u = rng.random((n_c, 5))
        r_lo3, r_hi3 = p.min_range_m**3, p.max_range_m**3
        lo, hi = np.log(CLUTTER_RCS_M2[0]), np.log(CLUTTER_RCS_M2[1])
        c_r = np.cbrt(r_lo3 + u[:, 0] * (r_hi3 - r_lo3))
        c_az = 2.0 * np.pi * u[:, 1]
        c_el = p.min_el_rad + u[:, 2] * (p.max_el_rad - p.min_el_rad)
        c_rr = CLUTTER_MAX_RANGE_RATE_MPS * (2.0 * u[:, 3] - 1.0)
        c_rcs = np.exp(lo + u[:, 4] * (hi - lo))

        order = rng.permutation(k.size + n_c)
        md_rate, md_ratio = np.zeros(0), np.zeros(0)
        if p.micro_doppler_gain_db is not None:
            nan_c = np.full(n_c, np.nan)
            md_rate, md_ratio = micro_doppler.measure(
                np.concatenate([snr[detected], np.ones(n_c)]),
                np.concatenate([world.md_rate_hz[k], nan_c]),
                np.concatenate([world.md_ratio_db[k], nan_c]),
                p.micro_doppler_gain_db,
                rng.spawn(1)[0],
            )
            md_rate, md_ratio = md_rate[order], md_ratio[order]
        return DetectionBatch(
            sensor_id=p.sensor_id,
            t_s=float(t_s),
            sensor_enu_m=self.position_m.copy(),
            range_m=np.concatenate([r_m, c_r])[order],
            az_rad=np.concatenate([az_m, c_az])[order],
            el_rad=np.concatenate([el_m, c_el])[order],
            range_rate_mps=np.concatenate([rr_m, c_rr])[order],
            rcs_m2=np.concatenate([rcs_m, c_rcs])[order],
            sigma_range_m=p.sigma_range_m,
            sigma_az_rad=p.sigma_az_rad,
            sigma_el_rad=p.sigma_el_rad,
            sigma_range_rate_mps=p.sigma_range_rate_mps,
            truth_id=np.concatenate([k.astype(np.int64), np.full(n_c, -1, dtype=np.int64)])[order],
            md_rate_hz=md_rate,
            md_ratio_db=md_ratio,
            max_range_m=p.max_range_m,
            min_el_rad=p.min_el_rad,
            max_el_rad=p.max_el_rad,
        )
