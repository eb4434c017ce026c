"""Input checks at the tracker's door: what a sensor may not send, and the reason it is refused.

A whole batch is refused (and changes nothing) when it cannot be interpreted: a frame other than
``"sensor_polar"``, a non-finite time or sensor position, or measurement sigmas that are not finite and
positive. Single detections are refused when their values are impossible: non-finite range, azimuth or
elevation, a negative range, an elevation outside [-pi/2, pi/2], or a range beyond the sensor's own
`max_range_m` by more than the tolerance below (a real echo beyond the instrumented range is a
corrupted report, not a target). Each refusal names the sensor and the reason so that the pipeline can
turn it into an ``input_rejected`` event; the tracker keeps running on the rest.

The range tolerance is 6 range sigmas plus 1% of `max_range_m`: a target just inside the edge is
measured a few sigmas beyond it, and a range gate's last cell is about 1% of the range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import DetectionBatch

BoolArray = NDArray[np.bool_]

SENSOR_POLAR = "sensor_polar"
"""The only measurement frame the tracker accepts: range, azimuth, elevation about the sensor."""

_RANGE_SIGMAS = 6.0
_RANGE_FRACTION = 0.01


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejection:
    """`count` detections (or a whole batch) from `sensor_id` refused for `reason`."""

    sensor_id: str
    reason: str
    count: int

    def text(self) -> str:
        """One line for an ``input_rejected`` event."""
        return f"sensor {self.sensor_id!r}: {self.count} detection(s) rejected: {self.reason}"


def batch_problem(batch: DetectionBatch) -> str:
    """Why the whole batch cannot be used ('' if it can)."""
    sid = batch.sensor_id
    if batch.frame != SENSOR_POLAR:
        return (
            f"batch from {sid!r} is in unknown frame {batch.frame!r} "
            f"(the tracker accepts {SENSOR_POLAR!r})"
        )
    if not math.isfinite(batch.t_s):
        return f"batch from {sid!r} has non-finite t_s"
    pos = np.asarray(batch.sensor_enu_m, dtype=np.float64)
    if pos.shape != (3,) or not np.all(np.isfinite(pos)):
        return f"batch from {sid!r} has an invalid sensor position {pos.tolist()!r}"
    sig = (batch.sigma_range_m, batch.sigma_az_rad, batch.sigma_el_rad)
    if not all(math.isfinite(s) and s > 0.0 for s in sig):
        return f"batch from {sid!r} has non-positive or non-finite measurement sigmas {sig!r}"
    n = len(batch)
    shapes = {a.shape for a in (batch.range_m, batch.az_rad, batch.el_rad, batch.range_rate_mps)}
    if shapes != {(n,)} or batch.rcs_m2.shape != (n,):
        return f"batch from {sid!r} has measurement arrays of unequal length"
    return ""


def valid_detections(batch: DetectionBatch) -> tuple[BoolArray, tuple[Rejection, ...]]:
    """Mask (M,) of the detections the tracker may use, and the refused ones grouped by reason.

    Reasons are checked in order and each detection is counted once, under the first that applies.
    Range rate and RCS may be NaN (not measured); they never cause a refusal.
    """
    rng, az, el = batch.range_m, batch.az_rad, batch.el_rad
    limit = batch.max_range_m + _RANGE_SIGMAS * batch.sigma_range_m
    limit += _RANGE_FRACTION * batch.max_range_m
    if rng.shape[0] == 0:
        return np.ones(0, dtype=bool), ()
    with np.errstate(invalid="ignore"):
        # One pass for the common case: every value finite and within bounds.
        if (
            math.isfinite(float(np.sum(az)) + float(np.sum(rng)) + float(np.sum(el)))
            and float(rng.min()) >= 0.0
            and float(rng.max()) <= limit
            and float(np.abs(el).max()) <= np.pi / 2.0
        ):
            return np.ones(rng.shape[0], dtype=bool), ()
        finite = np.isfinite(rng) & np.isfinite(az) & np.isfinite(el)
        negative = finite & (rng < 0.0)
        bad_el = finite & ~negative & (np.abs(el) > np.pi / 2.0)
        beyond = finite & ~negative & ~bad_el & (rng > limit)
    ok = finite & ~negative & ~bad_el & ~beyond
    if bool(ok.all()):
        return ok, ()
    found = (
        (~finite, "non-finite range, azimuth or elevation"),
        (negative, "negative range"),
        (bad_el, "elevation outside [-90, 90] degrees"),
        (beyond, f"range beyond the sensor's maximum of {batch.max_range_m:.0f} m"),
    )
    out = tuple(
        Rejection(sensor_id=batch.sensor_id, reason=why, count=int(np.count_nonzero(m)))
        for m, why in found
        if m.any()
    )
    return ok, out
