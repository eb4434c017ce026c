"""The impact prediction current at half a round's flight: the one the run summary quotes and the
report's map draws with its ellipse.

A round's last prediction comes moments before it lands or is destroyed; its ellipse is a few metres
across and says little. The prediction at half the flight says how well the landing point was known
while there was still time to warn. The flight is read from the event log alone, so a report built
without truth (a live run, or `bastion report` on a run directory) picks the same prediction as the
summary of the simulated run: it starts at the launch time of the track's latest point-of-origin
estimate (else at the track's first published state, else at its first prediction) and ends at the
impact time of its latest prediction. Times are run-clock seconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from bastion.core.records import Event, ImpactPrediction, OriginEstimate, TrackReport

__all__ = ["half_flight_impacts"]


def _at_half(predictions: Sequence[ImpactPrediction], launch_t_s: float) -> ImpactPrediction:
    """The last of `predictions` (time order) published at or before half the flight, else the
    first; the flight runs from `launch_t_s` to the last prediction's `t_impact_s`."""
    half_t_s = launch_t_s + 0.5 * (predictions[-1].t_impact_s - launch_t_s)
    early = [p for p in predictions if p.t_s <= half_t_s]
    return early[-1] if early else predictions[0]


def half_flight_impacts(events: Iterable[Event]) -> dict[int, ImpactPrediction]:
    """Per track id that has impact predictions: the one current at half its flight (see the module
    docstring), else its first. Events in any order; `seq` order is assumed for ties."""
    predictions: dict[int, list[ImpactPrediction]] = {}
    launch_t_s: dict[int, float] = {}
    first_seen_t_s: dict[int, float] = {}
    for e in sorted(events, key=lambda ev: ev.seq):
        p = e.payload
        if isinstance(p, ImpactPrediction):
            predictions.setdefault(p.track_id, []).append(p)
        elif isinstance(p, OriginEstimate) and math.isfinite(p.t_launch_s):
            launch_t_s[p.track_id] = p.t_launch_s
        elif isinstance(p, TrackReport):
            first_seen_t_s[p.track_id] = min(first_seen_t_s.get(p.track_id, math.inf), p.t_s)
    out = {}
    for tid, preds in sorted(predictions.items()):
        ordered = sorted(preds, key=lambda p: p.t_s)
        start = launch_t_s.get(tid, first_seen_t_s.get(tid, ordered[0].t_s))
        out[tid] = _at_half(ordered, start)
    return out
