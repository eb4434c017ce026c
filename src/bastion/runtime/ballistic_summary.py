"""Per round in a run: the impact and origin estimates Bastion published, against the truth.

From the event log (IMPACT_PREDICTED, ORIGIN_ESTIMATED) and the scoring's track-to-object
assignment. The impact estimate shown is the one current at half the round's flight
(`bastion.core.half_flight`: the prediction that mattered for the warning, and the ellipse the report's
map draws), from the object's main track; the origin is the best one published (the stage publishes
an origin only when it improves). Site ENU metres, run-clock seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.half_flight import half_flight_impacts
from bastion.core.records import Event, ImpactPrediction, OriginEstimate
from bastion.runtime.scoring import Scoring

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class BallisticLine:
    """One round's estimates and their errors against the truth."""

    name: str
    impact: ImpactPrediction | None
    impact_true_m: tuple[float, float]
    impact_error_m: float
    origin: OriginEstimate | None
    origin_true_m: tuple[float, float]
    origin_error_m: float
    launch_true_t_s: float


def ballistic_lines(
    events: Sequence[Event],
    scoring: Scoring,
    names: Sequence[str],
    impact_t_s: Sequence[float],
    impact_m: FloatArray,
    launch_t_s: Sequence[float],
    launch_m: FloatArray,
) -> tuple[BallisticLine, ...]:
    """Lines for the objects that had an impact prediction (rounds), in object order."""
    impacts = half_flight_impacts(events)
    origins: dict[int, OriginEstimate] = {}
    for ev in events:
        if isinstance(ev.payload, OriginEstimate):
            origins[ev.payload.track_id] = ev.payload
    out = []
    for k, name in enumerate(names):
        tids = scoring.tracks_of(k)
        imp = next((impacts[t] for t in tids if t in impacts), None)
        if imp is None or not math.isfinite(impact_t_s[k]):
            continue
        org = max((origins[t] for t in tids if t in origins), key=lambda o: o.t_s, default=None)
        true_i = (float(impact_m[k, 0]), float(impact_m[k, 1]))
        true_o = (float(launch_m[k, 0]), float(launch_m[k, 1]))
        out.append(
            BallisticLine(
                name=name,
                impact=imp,
                impact_true_m=true_i,
                impact_error_m=math.hypot(imp.impact_e_m - true_i[0], imp.impact_n_m - true_i[1]),
                origin=org,
                origin_true_m=true_o,
                origin_error_m=(
                    math.hypot(org.origin_e_m - true_o[0], org.origin_n_m - true_o[1])
                    if org is not None
                    else math.nan
                ),
                launch_true_t_s=float(launch_t_s[k]),
            )
        )
    return tuple(out)
