"""Spoof detection: cooperative reports that contradict the radar picture or physics.

Self-reported positions (ADS-B, Remote ID) are trivially spoofed, so each report is checked:

- ``position_jump`` / ``two_places``: the report is further from the same identifier's previous
  report than the fastest plausible flight allows (`max_speed_*_mps` times the time between them,
  plus `jump_slack_m` for noise). For Remote ID reports less than `two_places_max_dt_s` apart this
  is one serial in two places at once (a copied serial); otherwise a jump beyond physics. A report
  the ADS-B decoder already flagged ``position_jump`` counts the same.
- ``position_mismatch`` / ``velocity_mismatch``: the identifier is bound to a radar track (an
  earlier report of it correlated with that track) and this report is more than `position_gate_m`
  from the track's predicted position, or more than `velocity_gate_mps` from its velocity, for
  `confirm_reports` reports in a row: the report disagrees with the track it claims.

A report that correlates with a track binds its identifier to that track (a new track replaces a
lost one). Every failed check is a `SpoofAlert` naming the track(s) concerned; the identity book
makes those tracks suspect. State: per identifier, the last report and the bound track (a few
hundred identifiers at most, so plain dictionaries).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.identification import SpoofParams
from bastion.core.measurements import CooperativeReport
from bastion.core.records import SpoofAlert

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(slots=True)
class _Seen:
    t_s: float
    position_m: FloatArray
    track_id: int = -1
    mismatches: int = 0


@dataclass(slots=True)
class SpoofMonitor:
    """Per-identifier last report and bound track; `check` returns the alerts of one step."""

    params: SpoofParams = field(default_factory=SpoofParams)
    seen: dict[tuple[str, str], _Seen] = field(default_factory=dict)
    alerted: set[tuple[str, str, str, int]] = field(default_factory=set)

    def _max_speed(self, source: str) -> float:
        p = self.params
        return p.max_speed_remote_id_mps if source == "remote_id" else p.max_speed_adsb_mps

    def check(
        self,
        reports: Sequence[CooperativeReport],
        match: IntArray,
        track_ids: IntArray,
        x: FloatArray,
        t_state_s: FloatArray,
    ) -> list[SpoofAlert]:
        """Check reports (in time order) against each other and the tracks; bind correlated ones.

        `match` (M,) is the track each report correlated with (-1: none); `track_ids` (N,), `x`
        (N, 6) ENU states at `t_state_s` (N,) are the live confirmed tracks.
        """
        p = self.params
        alerts: list[SpoofAlert] = []
        row_of = {int(t): i for i, t in enumerate(track_ids.tolist())}
        for i in sorted(range(len(reports)), key=lambda k: reports[k].t_s):
            r = reports[i]
            key = (r.source, r.ident)
            pos = np.asarray(r.position_m, dtype=np.float64)
            hit = int(match[i])
            prev = self.seen.get(key)
            if prev is None:
                self.seen[key] = _Seen(t_s=r.t_s, position_m=pos, track_id=hit)
                continue
            dt = max(r.t_s - prev.t_s, 0.0)
            dist = float(np.linalg.norm(pos - prev.position_m))
            limit = self._max_speed(r.source) * dt + p.jump_slack_m
            if dist > limit or "position_jump" in r.flags:
                two = r.source == "remote_id" and dt <= p.two_places_max_dt_s
                check = "two_places" if two else "position_jump"
                what = "in two places at once" if two else "jumped beyond physics"
                reason = (
                    f"{r.source} {r.ident} {what}: {dist:.0f} m in {dt:.1f} s "
                    f"(at most {limit:.0f} m plausible)"
                )
                for tid in sorted({prev.track_id, hit} - {-1}) or [-1]:
                    self._alert(alerts, tid, r, check, reason)
                self.seen[key] = _Seen(t_s=r.t_s, position_m=pos, track_id=hit)
                continue
            bound = prev.track_id
            mismatches = 0
            if bound >= 0 and bound in row_of and hit != bound:
                k = row_of[bound]
                pred = x[k, :3] + x[k, 3:] * (r.t_s - t_state_s[k])
                off = float(np.linalg.norm(pos - pred))
                dv = float(np.linalg.norm(np.asarray(r.velocity_mps) - x[k, 3:]))
                bad_p = off > p.position_gate_m
                bad_v = math.isfinite(dv) and dv > p.velocity_gate_mps
                if bad_p or bad_v:
                    mismatches = prev.mismatches + 1
                    if mismatches >= p.confirm_reports:
                        check = "position_mismatch" if bad_p else "velocity_mismatch"
                        reason = (
                            f"{r.source} {r.ident} claims track {bound} but reports "
                            f"{off:.0f} m and {dv:.0f} m/s away from it"
                        )
                        self._alert(alerts, bound, r, check, reason)
                    self.seen[key] = _Seen(
                        t_s=r.t_s, position_m=pos, track_id=bound, mismatches=mismatches
                    )
                    continue
            new_bound = hit if hit >= 0 else (bound if bound in row_of else -1)
            self.seen[key] = _Seen(t_s=r.t_s, position_m=pos, track_id=new_bound)
        return alerts

    def _alert(
        self, out: list[SpoofAlert], track_id: int, r: CooperativeReport, check: str, reason: str
    ) -> None:
        """Append an alert unless this identifier already failed this check on this track."""
        key = (r.source, r.ident, check, track_id)
        if key in self.alerted:
            return
        self.alerted.add(key)
        out.append(
            SpoofAlert(
                track_id=track_id,
                t_s=r.t_s,
                source=r.source,
                ident=r.ident,
                check=check,
                reason=reason,
            )
        )

    def bound_track(self, source: str, ident: str) -> int:
        """The track an identifier is bound to, or -1."""
        seen = self.seen.get((source, ident))
        return seen.track_id if seen is not None else -1
