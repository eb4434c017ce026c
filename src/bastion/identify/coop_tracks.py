"""Cooperative-only tracks: aircraft and drones seen by ADS-B or Remote ID but by no radar track.

A cooperative report that correlates with no confirmed radar track (and whose identifier is not
bound to a live radar track already) starts or updates a cooperative track, keyed by the report's
source and identifier (ICAO address or Remote ID serial). The track holds the latest reported
position (site ENU, m), velocity (ENU, m/s), report time (run clock, s) and declared accuracy
(`CooperativeReport.position_sigma_m`, 1 sigma per axis, m; `NOMINAL_SIGMA_M` of the source where the
report declares none). A report flagged ``velocity_unknown`` carries zeros: the velocity is then the
difference of the last two positions over at least `MIN_DIFF_DT_S`, else the previous one. Its
`TrackReport`s name it: source, identifier and the latest non-empty callsign.

A track ends (TRACK_LOST) after `timeout_s` without a report, or as soon as a report of its
identifier correlates with a radar track: the radar track carries the identity from then on.

Track ids are `COOP_ID_BASE` + a counter, far above any radar track id (the tracker counts up from
its first id, 0 by default, one per new track): never -1 ("none") nor negative, so every stage that
reads ids as "track or -1" works unchanged. The pipeline keeps these tracks out of the threat and
engagement stages: they are never fitted, ranked or nominated. State is a few parallel arrays (rows in
creation order) and a list of keys; no object per track.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import CooperativeReport
from bastion.core.records import (
    COOPERATIVE_TRACK_ID_BASE,
    Emission,
    EventKind,
    TrackLost,
    TrackReport,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

COOP_ID_BASE = COOPERATIVE_TRACK_ID_BASE
"""First cooperative track id (2**31): above every radar track id and outside int32."""
TIMEOUT_S = 10.0
"""A cooperative track with no report for this long (s) is lost."""
MIN_DIFF_DT_S = 1.0
"""Shortest report interval (s) over which a velocity is differenced from positions."""
NOMINAL_SIGMA_M = {"adsb": 30.0, "remote_id": 10.0}
"""Position accuracy (1 sigma per axis, m) assumed where a report declares none."""


def is_cooperative(track_ids: IntArray) -> BoolArray:
    """Whether each id is a cooperative-only track id."""
    return np.asarray(track_ids, dtype=np.int64) >= COOP_ID_BASE


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CoopStep:
    """One step's result: the cooperative track each report fed (-1: none), events, ended ids."""

    match: IntArray
    emissions: list[Emission]
    ended_ids: IntArray


class CoopTracks:
    """The cooperative-only track table; see the module docstring."""

    __slots__ = (
        "callsigns",
        "ids",
        "keys",
        "n_updates",
        "next_id",
        "published_t_s",
        "sigma_m",
        "t_s",
        "timeout_s",
        "update_period_s",
        "x",
    )

    def __init__(self, timeout_s: float = TIMEOUT_S, update_period_s: float = 1.0) -> None:
        self.timeout_s = timeout_s
        self.update_period_s = update_period_s
        self.next_id = COOP_ID_BASE
        self.keys: list[tuple[str, str]] = []
        self.callsigns: list[str] = []
        self.ids: IntArray = np.zeros(0, dtype=np.int64)
        self.x: FloatArray = np.zeros((0, 6))
        self.t_s: FloatArray = np.zeros(0)
        self.sigma_m: FloatArray = np.zeros(0)
        self.n_updates: IntArray = np.zeros(0, dtype=np.int64)
        self.published_t_s: FloatArray = np.zeros(0)

    def __len__(self) -> int:
        return int(self.ids.size)

    def step(
        self,
        t_s: float,
        reports: Sequence[CooperativeReport],
        match: IntArray,
        held: BoolArray | None = None,
    ) -> CoopStep:
        """Fold this step's `reports` in at run time `t_s` (s).

        `match` (M,) is the radar track each report correlated with (-1: none); `held` (M,) marks
        reports whose identifier is bound to a live radar track (they never start a track here).
        """
        m = len(reports)
        match = np.asarray(match, dtype=np.int64)
        held = np.zeros(m, dtype=bool) if held is None else np.asarray(held, dtype=bool)
        em: list[Emission] = []
        out = np.full(m, -1, dtype=np.int64)
        radar = {(r.source, r.ident): int(match[i]) for i, r in enumerate(reports) if match[i] >= 0}
        gone = np.array([k in radar for k in self.keys], dtype=bool)
        why = [f"correlated with radar track {radar.get(k, -1)}" for k in self.keys]
        ended = self._drop(gone, t_s, why, em)
        row_of = {k: i for i, k in enumerate(self.keys)}
        created: list[int] = []
        for i in sorted(range(m), key=lambda k: reports[k].t_s):
            r = reports[i]
            if match[i] >= 0 or held[i]:
                continue
            row = row_of.get((r.source, r.ident))
            if row is None:
                row = self._add(r)
                row_of[(r.source, r.ident)] = row
                created.append(row)
            else:
                self._update(row, r)
            out[i] = self.ids[row]
        for row in created:
            em.append((EventKind.TRACK_CONFIRMED, int(self.ids[row]), self._report(row)))
            self.published_t_s[row] = t_s
        stale = t_s - self.t_s > self.timeout_s
        why = [f"no cooperative report for {self.timeout_s:.0f} s"] * len(self.keys)
        ended.extend(self._drop(stale, t_s, why, em))
        due = (t_s - self.published_t_s >= self.update_period_s) & (self.t_s > self.published_t_s)
        for row in np.flatnonzero(due).tolist():
            em.append((EventKind.TRACK_UPDATED, int(self.ids[row]), self._report(row)))
            self.published_t_s[row] = t_s
        return CoopStep(match=out, emissions=em, ended_ids=np.array(ended, dtype=np.int64))

    def _add(self, r: CooperativeReport) -> int:
        self.keys.append((r.source, r.ident))
        self.callsigns.append("")
        self.ids = np.append(self.ids, np.int64(self.next_id))
        self.next_id += 1
        self.x = np.vstack([self.x, np.zeros((1, 6))])
        self.t_s = np.append(self.t_s, r.t_s)
        self.sigma_m = np.append(self.sigma_m, math.nan)
        self.n_updates = np.append(self.n_updates, np.int64(0))
        self.published_t_s = np.append(self.published_t_s, -math.inf)
        row = self.ids.size - 1
        self._update(row, r)
        return row

    def _update(self, row: int, r: CooperativeReport) -> None:
        """Take report `r` as the latest state of track `row`."""
        pos = np.asarray(r.position_m, dtype=np.float64)
        dt = r.t_s - float(self.t_s[row])
        if "velocity_unknown" not in r.flags:
            self.x[row, 3:] = r.velocity_mps
        elif self.n_updates[row] > 0 and dt >= MIN_DIFF_DT_S:
            self.x[row, 3:] = (pos - self.x[row, :3]) / dt
        self.x[row, :3] = pos
        self.t_s[row] = r.t_s
        sigma = r.position_sigma_m
        self.sigma_m[row] = sigma if math.isfinite(sigma) else NOMINAL_SIGMA_M.get(r.source, 30.0)
        self.n_updates[row] += 1
        if r.callsign:
            self.callsigns[row] = r.callsign

    def _report(self, row: int) -> TrackReport:
        x = self.x[row]
        return TrackReport(
            track_id=int(self.ids[row]),
            t_s=float(self.t_s[row]),
            position_m=(float(x[0]), float(x[1]), float(x[2])),
            velocity_mps=(float(x[3]), float(x[4]), float(x[5])),
            position_sigma_m=float(self.sigma_m[row]),
            n_updates=int(self.n_updates[row]),
            coop_source=self.keys[row][0],
            coop_ident=self.keys[row][1],
            callsign=self.callsigns[row],
        )

    def _drop(self, gone: BoolArray, t_s: float, why: list[str], em: list[Emission]) -> list[int]:
        """Remove the rows `gone`, each with a TRACK_LOST giving `why[row]`; return their ids."""
        rows = np.flatnonzero(gone).tolist()
        ids = [int(self.ids[row]) for row in rows]
        for row, tid in zip(rows, ids, strict=True):
            reason = f"cooperative-only track ended: {why[row]}"
            em.append((EventKind.TRACK_LOST, tid, TrackLost(track_id=tid, t_s=t_s, reason=reason)))
        if rows:
            keep = ~gone
            self.keys = [k for k, ok in zip(self.keys, keep.tolist(), strict=True) if ok]
            self.callsigns = [c for c, ok in zip(self.callsigns, keep.tolist(), strict=True) if ok]
            self.ids, self.x, self.t_s = self.ids[keep], self.x[keep], self.t_s[keep]
            self.sigma_m, self.n_updates = self.sigma_m[keep], self.n_updates[keep]
            self.published_t_s = self.published_t_s[keep]
        return ids

    def state(self) -> tuple[IntArray, FloatArray, FloatArray]:
        """Ids (K,), ENU states (K, 6) [e, n, u, ve, vn, vu] and their report times (K,) s."""
        return self.ids.copy(), self.x.copy(), self.t_s.copy()
