"""Kill assessment: the modelled effect at intercept time, then what the track does afterwards.

At the intercept time of a shot the seeded model draws its effect with the effector's Pk for the
track's class (one uniform draw per shot, always, so that runs replay exactly):
- a kinetic effector either destroys the threat (the track ends) or misses (the track is free to be
  engaged again: shoot-look-shoot);
- a jammer either breaks the drone's links or has no effect (missed). A jammed drone is then watched:
  the assessment is confirmed JAMMED once its track turns at least `TURN_AWAY_RAD` from its heading at
  the shot or slows below `SLOW_FRACTION` of its speed (it is returning home or landing), or is lost;
  if it does neither within the look time the jam is assessed MISSED and it may be engaged again;
- a shot whose track was lost before the intercept (destroyed by another shot, out of coverage) is
  ABORTED.
Headings are radians clockwise from north; speeds m/s; times run-clock seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bastion.core.engage_params import EffectorKind, EffectorParams
from bastion.core.records import Assessment, Engagement, Outcome, ThreatClass

TURN_AWAY_RAD = 0.5 * math.pi
"""Heading change (rad) after a jam that shows the drone has turned away."""
SLOW_FRACTION = 0.3
"""A jammed drone slowed below this fraction of its speed at the shot is landing or hovering."""


@dataclass(slots=True)
class Shot:
    """A shot in flight (or a jam being watched): its engagement and the track as it was fired on."""

    engagement: Engagement
    k: int
    threat_class: ThreatClass
    heading_rad: float
    speed_mps: float
    watch_since_t_s: float = math.nan


def heading_speed(vel_mps: np.ndarray) -> tuple[float, float]:
    """Horizontal heading (rad, clockwise from north) and speed (m/s) of an ENU velocity."""
    return float(np.arctan2(vel_mps[0], vel_mps[1])), float(np.hypot(vel_mps[0], vel_mps[1]))


def _assessment(shot: Shot, t_s: float, outcome: Outcome, reason: str) -> Assessment:
    eng = shot.engagement
    return Assessment(
        engagement_id=eng.engagement_id,
        track_id=eng.track_id,
        effector=eng.effector,
        t_s=t_s,
        outcome=outcome,
        reason=reason,
    )


def effect(shot: Shot, eff: EffectorParams, u: float, present: bool, t_s: float) -> Assessment:
    """The modelled effect of `shot` at its intercept: uniform draw `u`, track `present` or not."""
    pk = float(eff.pk.get(shot.threat_class, 0.0))
    if not present:
        return _assessment(shot, t_s, Outcome.ABORTED, "track lost before the intercept")
    if u >= pk:
        return _assessment(
            shot, t_s, Outcome.MISSED, f"model: no effect (pk {pk:.2f}); free to re-engage"
        )
    if eff.kind is EffectorKind.JAMMER:
        return _assessment(
            shot,
            t_s,
            Outcome.JAMMED,
            f"model: links jammed (pk {pk:.2f}); watching the track for the turn home",
        )
    return _assessment(shot, t_s, Outcome.DESTROYED, f"model: destroyed (pk {pk:.2f})")


def watch_jam(
    shot: Shot, vel_mps: np.ndarray | None, t_s: float, look_s: float
) -> Assessment | None:
    """Confirm or refute a jam from the track's velocity now (None: track lost); None: keep watching."""
    if vel_mps is None:
        return _assessment(shot, t_s, Outcome.JAMMED, "track lost after the jam: landed or gone")
    heading, speed = heading_speed(vel_mps)
    turn = abs(float(np.mod(heading - shot.heading_rad + math.pi, 2.0 * math.pi) - math.pi))
    if turn >= TURN_AWAY_RAD:
        return _assessment(
            shot,
            t_s,
            Outcome.JAMMED,
            f"track turned {math.degrees(turn):.0f} degrees away: returning home",
        )
    if speed < SLOW_FRACTION * shot.speed_mps:
        return _assessment(
            shot,
            t_s,
            Outcome.JAMMED,
            f"track slowed from {shot.speed_mps:.0f} to {speed:.0f} m/s: landing or lost link",
        )
    if t_s - shot.watch_since_t_s >= look_s:
        return _assessment(
            shot,
            t_s,
            Outcome.MISSED,
            f"no turn or slow-down within {look_s:.0f} s of the jam: still inbound; free to re-engage",
        )
    return None
