"""Rules of engagement: weapons hold, tight or free, per effector and per sector.

The weapons state that binds effector k at a point is, from the most specific rule down:
1. the sectors that name k and contain the point (the most restrictive of them if they overlap);
2. else the sectors for all effectors that contain the point (likewise);
3. else k's own `weapons_state`.

What a state permits (`PERMITS`): HOLD nothing; TIGHT tracks identified hostile; FREE hostile or
suspect. Friend, assumed friend, neutral and unknown tracks are never permitted, in any state: that
line is a constant of this module, not a setting. The check is applied at the predicted intercept
point (so a sector held for a friendly air corridor protects the corridor) and again at firing time.
Sector bearings are measured at the site origin, clockwise from north; positions are site ENU metres.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bastion.core.engage_params import EffectorParams, RoeSectorParams, WeaponsState
from bastion.core.records import AFFILIATIONS, FRIENDLY, Affiliation

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

STATES: tuple[WeaponsState, ...] = (WeaponsState.HOLD, WeaponsState.TIGHT, WeaponsState.FREE)
"""Weapons states from the most to the least restrictive; a state's code is its index here."""

PERMITS: dict[WeaponsState, frozenset[Affiliation]] = {
    WeaponsState.HOLD: frozenset(),
    WeaponsState.TIGHT: frozenset({Affiliation.HOSTILE}),
    WeaponsState.FREE: frozenset({Affiliation.HOSTILE, Affiliation.SUSPECT}),
}
assert not any(FRIENDLY & allowed for allowed in PERMITS.values())

_PERMIT_TABLE = np.array(
    [[aff in PERMITS[state] for aff in AFFILIATIONS] for state in STATES], dtype=bool
)
"""(state code, affiliation code) -> may be nominated."""


def _in_sector(sector: RoeSectorParams, pos_m: FloatArray) -> BoolArray:
    east, north = pos_m[..., 0], pos_m[..., 1]
    dist = np.hypot(east, north)
    az = np.mod(np.arctan2(east, north) - sector.az_from_rad, 2.0 * np.pi)
    inside: BoolArray = (
        (az <= sector.az_width_rad) & (dist >= sector.min_range_m) & (dist <= sector.max_range_m)
    )
    return inside


class RulesOfEngagement:
    """The weapons state of each effector at any point, and what it permits."""

    def __init__(
        self, effectors: Sequence[EffectorParams], sectors: Sequence[RoeSectorParams] = ()
    ) -> None:
        self.effectors = tuple(effectors)
        self.sectors = tuple(sectors)
        self.default_code = np.array(
            [STATES.index(e.weapons_state) for e in self.effectors], dtype=np.int8
        )

    def state_codes(self, pos_m: FloatArray) -> NDArray[np.int8]:
        """Weapons-state codes (index into `STATES`) binding each effector at points `pos_m` (..., 3):
        shape (K, ...)."""
        shape = pos_m.shape[:-1]
        codes = np.empty((len(self.effectors), *shape), dtype=np.int8)
        codes[:] = self.default_code.reshape((-1,) + (1,) * len(shape))
        if not self.sectors:
            return codes
        inside = [_in_sector(s, pos_m) for s in self.sectors]
        for k, eff in enumerate(self.effectors):
            for specific in (False, True):
                level = np.full(shape, len(STATES), dtype=np.int8)  # no sector of this level
                for s, mask in zip(self.sectors, inside, strict=True):
                    applies = (eff.name in s.effectors) if specific else not s.effectors
                    if applies:
                        code = np.int8(STATES.index(s.state))
                        level = np.where(mask, np.minimum(level, code), level)
                codes[k] = np.where(level < len(STATES), level, codes[k])
        return codes

    def permits(self, pos_m: FloatArray, aff_codes: NDArray[np.int8]) -> BoolArray:
        """May each effector engage, at points `pos_m` (N, ..., 3), tracks of affiliations (N,)?
        Shape (K, N, ...)."""
        codes = self.state_codes(pos_m)
        known = (
            aff_codes >= 0
        )  # -1 means "not identified": never permitted (no wrap-around to HOSTILE)
        safe = np.where(known, aff_codes, 0).reshape((1, -1) + (1,) * (codes.ndim - 2))
        allowed: BoolArray = np.asarray(_PERMIT_TABLE[codes, safe], dtype=bool)
        allowed &= known.reshape((1, -1) + (1,) * (codes.ndim - 2))
        return allowed

    def state_at(self, k: int, point_m: FloatArray) -> WeaponsState:
        """The weapons state binding effector `k` at one point (3,)."""
        return STATES[int(self.state_codes(point_m[None, :])[k, 0])]


def permitted_anywhere(aff_codes: NDArray[np.int8]) -> BoolArray:
    """Tracks whose affiliation some weapons state permits (hostile or suspect): the only candidates."""
    anywhere: BoolArray = np.asarray(_PERMIT_TABLE.any(axis=0), dtype=bool)
    known = (
        aff_codes >= 0
    )  # -1 means "not identified": never a candidate (no wrap-around to HOSTILE)
    out: BoolArray = anywhere[np.where(known, aff_codes, 0)] & known
    return out
