"""Zone warnings: raise an alert for each (track, zone) at risk, keep it, then give the all-clear.

An alert is raised when the pipeline's warn matrix says a track threatens a zone (an impact point or a
predicted path within the warning distance). It carries the expected time of impact or arrival and
stays until one of: the track is lost or destroyed; the expected time plus `margin_s` has passed; the
track's predicted path has stayed clearly away (the release matrix) for `release_hold_s`, so that one
noisy heading estimate does not give a premature all-clear. Each raise and clear is a record.
Only the sparse set of active alerts is kept as Python objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import Alert, AlertCleared


@dataclass(slots=True)
class _Active:
    alert: Alert
    t_expected_s: float
    release_since_s: float = float("nan")


@dataclass(slots=True)
class WarnBook:
    """The active alerts, keyed by (track id, zone index)."""

    zone_names: tuple[str, ...]
    margin_s: float
    release_hold_s: float = 10.0
    next_id: int = 1
    active: dict[tuple[int, int], _Active] = field(default_factory=dict)

    def step(
        self,
        t_s: float,
        track_ids: NDArray[np.int64],
        warn: NDArray[np.bool_],
        release: NDArray[np.bool_],
        t_expected_s: NDArray[np.float64],
        reason: Callable[[int, int], str],
    ) -> list[Alert | AlertCleared]:
        """Raise and clear alerts for the evaluated tracks (rows) and zones (columns).

        `warn`, `release` and `t_expected_s` are (M, Z); `reason(row, zone)` explains a new alert.
        """
        out: list[Alert | AlertCleared] = []
        for i, j in zip(*np.nonzero(warn), strict=True):
            key = (int(track_ids[i]), int(j))
            te = float(t_expected_s[i, j])
            if key in self.active:
                self.active[key].t_expected_s = te
                continue
            alert = Alert(
                alert_id=self.next_id,
                track_id=key[0],
                zone=self.zone_names[key[1]],
                t_s=t_s,
                t_expected_s=te,
                reason=reason(int(i), int(j)),
            )
            self.next_id += 1
            self.active[key] = _Active(alert=alert, t_expected_s=te)
            out.append(alert)
        row_of = {int(tid): r for r, tid in enumerate(track_ids.tolist())}
        for key, act in list(self.active.items()):
            r = row_of.get(key[0])
            if t_s > act.t_expected_s + self.margin_s:
                out.append(self._clear(key, t_s, "expected impact or arrival time passed"))
            elif r is not None and release[r, key[1]]:
                if act.release_since_s != act.release_since_s:  # NaN: first release seen now
                    act.release_since_s = t_s
                if t_s - act.release_since_s >= self.release_hold_s:
                    out.append(self._clear(key, t_s, "predicted path no longer threatens the zone"))
            else:
                act.release_since_s = float("nan")
        return out

    def threatened_tracks(self) -> set[int]:
        """Track ids with at least one active alert."""
        return {k[0] for k in self.active}

    def track_lost(
        self, t_s: float, track_ids: NDArray[np.int64], reason: str
    ) -> list[AlertCleared]:
        """Clear every alert of tracks that were lost or destroyed."""
        lost = set(track_ids.tolist())
        return [self._clear(k, t_s, reason) for k in list(self.active) if k[0] in lost]

    def _clear(self, key: tuple[int, int], t_s: float, reason: str) -> AlertCleared:
        act = self.active.pop(key)
        return AlertCleared(
            alert_id=act.alert.alert_id,
            track_id=key[0],
            zone=act.alert.zone,
            t_s=t_s,
            reason=reason,
        )
