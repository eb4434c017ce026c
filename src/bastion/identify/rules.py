"""The identity rules: one affiliation and one reason code per track, vectorised over tracks.

Rules in order; the first that applies decides (docs/identification.md explains them to operators):

| why            | when                                                                  | identity        |
|----------------|-----------------------------------------------------------------------|-----------------|
| `SPOOF`        | a spoof check failed on the track (latched)                            | suspect         |
| `OFF_PLAN`     | registered cooperative ID that has flight plans, outside all of them   | suspect         |
| `FRIEND`       | registered cooperative ID consistent with the radar track (latched)    | friend          |
| `UNREG_ADSB`   | ADS-B consistent with the track, not in the register                   | rule (neutral)  |
| `UNREG_RID`    | Remote ID consistent with the track, not in the register               | rule (suspect)  |
| `CROWDED`      | in a flight plan's corridor and window with more candidates than free  | suspect         |
|                | places (latched: the track never becomes assumed friend again)         |                 |
| `PLAN`         | in a flight plan's corridor and window, places enough                  | assumed friend  |
| `ROCKET`       | classified rocket or mortar                                            | hostile         |
| `GRACE`        | classified drone or aircraft, confirmed less than `grace_s` ago        | unknown         |
| `DRONE`        | classified fixed-wing drone or multirotor, no cooperative ID           | rule (hostile)  |
| `AIRCRAFT`     | classified manned aircraft, no cooperative ID                          | rule (unknown)  |
| `BIRD`         | classified bird                                                        | neutral         |
| `UNCLASSIFIED` | class not known yet                                                    | unknown         |

Then the friend floor: a track that has ever been friend or assumed friend is never made hostile by
a rule; where one would, it is suspect instead (`FLOOR`) and a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from bastion.core.identification import IdentityRules
from bastion.core.records import AFFILIATIONS, THREAT_CLASSES, Affiliation, ThreatClass

BoolArray = NDArray[np.bool_]
Int8Array = NDArray[np.int8]


class Why(IntEnum):
    """Reason codes of `decide`."""

    SPOOF = 0
    OFF_PLAN = 1
    FRIEND = 2
    UNREG_ADSB = 3
    UNREG_RID = 4
    CROWDED = 5
    PLAN = 6
    ROCKET = 7
    GRACE = 8
    DRONE = 9
    AIRCRAFT = 10
    BIRD = 11
    UNCLASSIFIED = 12
    FLOOR = 13


def aff_code(a: Affiliation) -> int:
    """Array code of an affiliation."""
    return AFFILIATIONS.index(a)


def _cls(c: ThreatClass) -> int:
    return THREAT_CLASSES.index(c)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RuleInputs:
    """Per-track facts (N,) the rules read."""

    class_code: Int8Array
    spoofed: BoolArray
    registered: BoolArray
    off_plan: BoolArray
    unregistered_adsb: BoolArray
    unregistered_rid: BoolArray
    crowded: BoolArray
    planned: BoolArray
    in_grace: BoolArray
    ever_friendly: BoolArray


def decide(inp: RuleInputs, rules: IdentityRules) -> tuple[Int8Array, Int8Array]:
    """Affiliation codes (N,) and reason codes (N,) (see the module docstring)."""
    c = inp.class_code
    drone = (c == _cls(ThreatClass.FIXED_WING)) | (c == _cls(ThreatClass.MULTIROTOR))
    aircraft = c == _cls(ThreatClass.AIRCRAFT)
    table: list[tuple[BoolArray, Why, Affiliation]] = [
        (inp.spoofed, Why.SPOOF, Affiliation.SUSPECT),
        (inp.registered & inp.off_plan, Why.OFF_PLAN, Affiliation.SUSPECT),
        (inp.registered, Why.FRIEND, Affiliation.FRIEND),
        (inp.unregistered_adsb, Why.UNREG_ADSB, rules.unregistered_adsb),
        (inp.unregistered_rid, Why.UNREG_RID, rules.unregistered_remote_id),
        (inp.crowded, Why.CROWDED, Affiliation.SUSPECT),
        (inp.planned, Why.PLAN, Affiliation.ASSUMED_FRIEND),
        (c == _cls(ThreatClass.ROCKET), Why.ROCKET, Affiliation.HOSTILE),
        ((drone | aircraft) & inp.in_grace, Why.GRACE, Affiliation.UNKNOWN),
        (drone, Why.DRONE, rules.drone_without_id),
        (aircraft, Why.AIRCRAFT, rules.aircraft_without_id),
        (c == _cls(ThreatClass.BIRD), Why.BIRD, Affiliation.NEUTRAL),
    ]
    n = c.shape[0]
    aff = np.full(n, aff_code(Affiliation.UNKNOWN), dtype=np.int8)
    why = np.full(n, int(Why.UNCLASSIFIED), dtype=np.int8)
    done = np.zeros(n, dtype=bool)
    for cond, w, a in table:
        take = cond & ~done
        aff[take] = aff_code(a)
        why[take] = int(w)
        done |= take
    floor = inp.ever_friendly & (aff == aff_code(Affiliation.HOSTILE))
    aff[floor] = aff_code(Affiliation.SUSPECT)
    why[floor] = int(Why.FLOOR)
    return aff, why
