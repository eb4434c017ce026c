"""CAT048 plots <-> `DetectionBatch`: the radar's site, height and Doppler conventions.

A CAT048 plot gives slant range and azimuth about the radar, and (from a 3-D radar) a height above
mean sea level; Bastion's detections give range, azimuth and elevation about the sensor. The
elevation follows from the height with the radar-height formula on a sphere of effective radius
`R_e` (geometric earth by default; set 4/3 earth for a radar that reports refracted heights)::

    (R_e + h)^2 = (R_e + h_r)^2 + r^2 + 2 r (R_e + h_r) sin(el)

where `h` is the target's height, `h_r` the radar's (site altitude plus the radar's ENU up offset,
both in the site's vertical datum: give the site altitude above mean sea level when the radar's
heights are), and `r` the slant range. Without I048/110, the Mode C flight level is used as the
height, then the radar's configured default height ("height from coverage"); without any, the
elevation is NaN.

CAT048 carries no RCS and no noise figures: `rcs_m2` comes from Bastion's I048/SP extension (NaN
otherwise) and the sigmas from the radar's configuration. The Doppler sign is not fixed by the
standard: `doppler_positive_receding` says the radar's convention (Bastion's is positive receding).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bastion.codecs.asterix.cat048 import Cat048Plot
from bastion.codecs.asterix.cat048_arrays import Cat048Arrays
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.measurements import DetectionBatch
from bastion.core.records import FloatArray, Vec3

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RadarConfig:
    """A radar feeding CAT048: who it is on the wire (SAC/SIC), where it is, how good it is.

    `sensor_enu_m` is the radar in site ENU metres; sigmas are 1-sigma measurement noise (m, rad,
    m/s); `default_height_m` is used for plots with no height at all (None: elevation NaN).
    """

    sensor_id: str
    sac: int
    sic: int
    site: Site
    sensor_enu_m: Vec3
    sigma_range_m: float
    sigma_az_rad: float
    sigma_el_rad: float
    sigma_range_rate_mps: float
    default_height_m: float | None = None
    doppler_positive_receding: bool = True
    effective_earth_radius_m: float = EARTH_RADIUS_M

    @property
    def radar_height_m(self) -> float:
        """The radar's height in the site's vertical datum (m)."""
        return self.site.alt_m + self.sensor_enu_m[2]


def elevation_from_height(
    range_m: FloatArray, height_m: FloatArray, radar: RadarConfig
) -> FloatArray:
    """Elevation (rad) of targets at slant `range_m` and `height_m` (m) seen from `radar`."""
    re = radar.effective_earth_radius_m
    a = re + radar.radar_height_m
    r = np.asarray(range_m, dtype=np.float64)
    h = np.asarray(height_m, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = ((re + h) ** 2 - a**2 - r**2) / (2.0 * r * a)
    return np.asarray(np.arcsin(np.clip(s, -1.0, 1.0)), dtype=np.float64)


def height_from_elevation(
    range_m: FloatArray, el_rad: FloatArray, radar: RadarConfig
) -> FloatArray:
    """Height (m, site datum) of targets at slant `range_m` (m) and elevation `el_rad` from `radar`."""
    re = radar.effective_earth_radius_m
    a = re + radar.radar_height_m
    r = np.asarray(range_m, dtype=np.float64)
    el = np.asarray(el_rad, dtype=np.float64)
    return np.asarray(np.sqrt(r**2 + a**2 + 2.0 * r * a * np.sin(el)) - re, dtype=np.float64)


def plots_to_batch(plots: Sequence[Cat048Plot], radar: RadarConfig, t_s: float) -> DetectionBatch:
    """One `DetectionBatch` at run time `t_s` from plots of one radar (one scan or sector)."""
    return arrays_to_batch(Cat048Arrays.from_plots(plots), radar, t_s)


def arrays_to_batch(plots: Cat048Arrays, radar: RadarConfig, t_s: float) -> DetectionBatch:
    """`plots_to_batch` for plots as columns: height from I048/110, else the Mode C flight level,
    else the radar's default height; elevation from the height; Doppler signed as Bastion's."""
    rng = np.asarray(plots.range_m, dtype=np.float64)
    height = np.where(
        np.isfinite(plots.height_m),
        plots.height_m,
        np.where(np.isfinite(plots.flight_level_m), plots.flight_level_m, math.nan),
    )
    if radar.default_height_m is not None:
        height = np.where(np.isfinite(height), height, radar.default_height_m)
    sign = 1.0 if radar.doppler_positive_receding else -1.0
    return DetectionBatch(
        sensor_id=radar.sensor_id,
        t_s=t_s,
        sensor_enu_m=np.asarray(radar.sensor_enu_m, dtype=np.float64),
        range_m=rng,
        az_rad=np.asarray(plots.az_rad, dtype=np.float64),
        el_rad=elevation_from_height(rng, height, radar),
        range_rate_mps=sign * np.asarray(plots.doppler_mps, dtype=np.float64),
        rcs_m2=np.asarray(plots.rcs_m2, dtype=np.float64),
        sigma_range_m=radar.sigma_range_m,
        sigma_az_rad=radar.sigma_az_rad,
        sigma_el_rad=radar.sigma_el_rad,
        sigma_range_rate_mps=radar.sigma_range_rate_mps,
        truth_id=np.full(len(plots), -1, dtype=np.int64),
    )


def batch_to_plots(
    batch: DetectionBatch, radar: RadarConfig, epoch: RunEpoch, *, simulated: bool = True
) -> list[Cat048Plot]:
    """CAT048 plots of a batch (for the simulator's emit): height from elevation, SP RCS, SIM bit."""
    height = height_from_elevation(batch.range_m, batch.el_rad, radar)
    sign = 1.0 if radar.doppler_positive_receding else -1.0
    tod = epoch.time_of_day_s(batch.t_s)
    return [
        Cat048Plot(
            sac=radar.sac,
            sic=radar.sic,
            tod_s=tod,
            range_m=float(batch.range_m[i]),
            az_rad=float(batch.az_rad[i]),
            height_m=float(height[i]),
            doppler_mps=sign * float(batch.range_rate_mps[i]),
            rcs_m2=float(batch.rcs_m2[i]),
            detection_type=1,
            simulated=simulated,
        )
        for i in range(len(batch))
    ]
