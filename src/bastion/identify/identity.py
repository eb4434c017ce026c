"""Identity book: each confirmed track's class and affiliation, with change events and reasons.

Affiliation rules v1 (the site's rules come with the identification work):
- a track ever correlated with a cooperative (ADS-B) report is FRIEND, and stays FRIEND: a friend is
  latched, so a lapse in the cooperative feed can never turn it into a target;
- rocket, fixed-wing drone and multirotor without a cooperative ID are HOSTILE;
- birds are NEUTRAL; manned aircraft without ADS-B and unclassified tracks are UNKNOWN.

A class, once known, changes only when `switch_evals` consecutive evaluations agree on another class,
so one noisy velocity estimate does not flip an identity back and forth. The book also keeps each
track's horizontal speed smoothed with time constant `speed_tau_s` (`smooth_speed`), which the
classifier uses: a tracker's velocity of a slow target wanders by several m/s from scan to scan.
State is arrays keyed by track id; only the changes become Python records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import AFFILIATIONS, Affiliation, Identity, ThreatClass
from bastion.identify.classify import CLASSES, CODE

IntArray = NDArray[np.int64]
AFF_CODE = {a: i for i, a in enumerate(AFFILIATIONS)}
_HOSTILE_CLASSES = np.array(
    [c in {ThreatClass.ROCKET, ThreatClass.FIXED_WING, ThreatClass.MULTIROTOR} for c in CLASSES]
)
_NEUTRAL_CLASSES = np.array([c is ThreatClass.BIRD for c in CLASSES])
_UNKNOWN = CODE[ThreatClass.UNKNOWN]

IdentityChange = Identity


@dataclass(slots=True)
class IdentityBook:
    """Arrays over known track ids: class code, affiliation code, friend latch, pending switch."""

    switch_evals: int = 3
    speed_tau_s: float = 6.0
    track_id: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cls: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    aff: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    friend: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    pending: NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    pending_count: NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    speed_mps: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    speed_t_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    friend_reason: dict[int, str] = field(default_factory=dict)

    def _rows(self, ids: IntArray) -> IntArray:
        """Row of each id, adding rows for new ids (ids must be unique)."""
        new = ids[~np.isin(ids, self.track_id)]
        if new.size:
            n = new.size
            self.track_id = np.concatenate([self.track_id, new])
            self.cls = np.concatenate([self.cls, np.full(n, _UNKNOWN, np.int8)])
            self.aff = np.concatenate([self.aff, np.full(n, -1, np.int8)])
            self.friend = np.concatenate([self.friend, np.zeros(n, bool)])
            self.pending = np.concatenate([self.pending, np.full(n, _UNKNOWN, np.int8)])
            self.pending_count = np.concatenate([self.pending_count, np.zeros(n, np.int16)])
            self.speed_mps = np.concatenate([self.speed_mps, np.full(n, np.nan)])
            self.speed_t_s = np.concatenate([self.speed_t_s, np.full(n, np.nan)])
        order = np.argsort(self.track_id, kind="stable")
        pos = np.searchsorted(self.track_id[order], ids)
        return np.asarray(order[pos], dtype=np.int64)

    def mark_friend(self, track_ids: IntArray, reasons: list[str]) -> None:
        """Latch tracks as friends (correlated with a cooperative report); keep the first reason."""
        rows = self._rows(np.asarray(track_ids, dtype=np.int64))
        self.friend[rows] = True
        for tid, reason in zip(track_ids.tolist(), reasons, strict=True):
            self.friend_reason.setdefault(int(tid), reason)

    def forget(self, track_ids: IntArray) -> None:
        """Drop rows of tracks that no longer exist."""
        keep = ~np.isin(self.track_id, track_ids)
        names = (
            "track_id",
            "cls",
            "aff",
            "friend",
            "pending",
            "pending_count",
            "speed_mps",
            "speed_t_s",
        )
        for name in names:
            setattr(self, name, getattr(self, name)[keep])

    def smooth_speed(
        self, track_ids: IntArray, velocity_mps: NDArray[np.float64], t_s: float
    ) -> NDArray[np.float64]:
        """Fold this evaluation's ENU velocities (N, 3) into each track's smoothed horizontal speed."""
        ids = np.asarray(track_ids, dtype=np.int64)
        if ids.size == 0:
            return np.zeros(0)
        rows = self._rows(ids)
        now = np.hypot(velocity_mps[:, 0], velocity_mps[:, 1])
        prev, t_prev = self.speed_mps[rows], self.speed_t_s[rows]
        w = np.where(np.isnan(prev), 1.0, 1.0 - np.exp(-(t_s - t_prev) / self.speed_tau_s))
        new = np.where(np.isnan(prev), now, prev + w * (now - prev))
        self.speed_mps[rows] = new
        self.speed_t_s[rows] = t_s
        return new

    def affiliation_of(self, track_ids: IntArray) -> NDArray[np.int8]:
        """Affiliation codes of the given ids (-1 for ids never identified)."""
        ids = np.asarray(track_ids, dtype=np.int64)
        out = np.full(ids.shape, -1, dtype=np.int8)
        known = np.isin(ids, self.track_id)
        if known.any():
            out[known] = self.aff[self._rows(ids[known])]
        return out

    def class_of(self, track_ids: IntArray) -> NDArray[np.int8]:
        """Class codes of the given ids (UNKNOWN for ids never identified)."""
        ids = np.asarray(track_ids, dtype=np.int64)
        out = np.full(ids.shape, _UNKNOWN, dtype=np.int8)
        known = np.isin(ids, self.track_id)
        if known.any():
            out[known] = self.cls[self._rows(ids[known])]
        return out

    def update(
        self,
        track_ids: IntArray,
        class_codes: NDArray[np.int8],
        speed_mps: NDArray[np.float64],
        t_s: float,
    ) -> list[Identity]:
        """Fold in this evaluation's class codes; return one Identity record per changed track."""
        ids = np.asarray(track_ids, dtype=np.int64)
        if ids.size == 0:
            return []
        rows = self._rows(ids)
        cur = self.cls[rows]
        same_pending = class_codes == self.pending[rows]
        self.pending_count[rows] = np.where(same_pending, self.pending_count[rows] + 1, 1)
        self.pending[rows] = class_codes
        switch = (class_codes != cur) & (
            (cur == _UNKNOWN) | (self.pending_count[rows] >= self.switch_evals)
        )
        switch &= class_codes != _UNKNOWN
        new_cls = np.where(switch, class_codes, cur).astype(np.int8)
        self.cls[rows] = new_cls
        new_aff = np.full(ids.shape, AFF_CODE[Affiliation.UNKNOWN], dtype=np.int8)
        new_aff[_HOSTILE_CLASSES[new_cls]] = AFF_CODE[Affiliation.HOSTILE]
        new_aff[_NEUTRAL_CLASSES[new_cls]] = AFF_CODE[Affiliation.NEUTRAL]
        new_aff[self.friend[rows]] = AFF_CODE[Affiliation.FRIEND]
        changed = (new_aff != self.aff[rows]) | switch
        self.aff[rows] = new_aff
        out: list[Identity] = []
        for i in np.flatnonzero(changed).tolist():
            tid = int(ids[i])
            tc = CLASSES[int(new_cls[i])]
            aff = AFFILIATIONS[int(new_aff[i])]
            if aff is Affiliation.FRIEND:
                reason = self.friend_reason.get(tid, "cooperative identification")
            elif aff is Affiliation.HOSTILE:
                reason = f"{tc.value} at {speed_mps[i]:.0f} m/s with no cooperative identification"
            else:
                reason = f"{tc.value} at {speed_mps[i]:.0f} m/s"
            out.append(
                Identity(track_id=tid, t_s=t_s, threat_class=tc, affiliation=aff, reason=reason)
            )
        return out
