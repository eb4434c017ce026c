"""The threat stage's state and step: who threatens which zone, when, and the resulting alerts.

Per step, over the confirmed tracks identified hostile or suspect:
- rocket-class tracks get a ballistic fit on their own measurements and an impact prediction
  (`BallisticBook`); a zone is at risk when the impact point lies within `warn_distance_m` of it;
- other tracks are extrapolated in a straight line over `horizon_s` (`closest_approach`); a zone is at
  risk when the path passes within `warn_distance_m` of it;
- a THREAT_RAISED event marks each change of the zone a track threatens most; IMPACT_PREDICTED
  events come at most once per `report_period_s` per track; the `WarnBook` raises and clears alerts.
Every reason names the zone, the distance and the time, e.g. "fixed_wing, 48 m/s, closest 0 m from
headquarters in 44 s".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from bastion.core.params import ThreatParams, ZoneParams
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Alert,
    DetectionBatch,
    Emission,
    EventKind,
    ImpactPrediction,
    Threat,
    ThreatClass,
)
from bastion.threat.approach import closest_approach, point_zone_distance, zone_geometries
from bastion.threat.ballistic import BallisticBook
from bastion.threat.history import MeasurementHistory
from bastion.threat.warn import WarnBook

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_WARNABLE = np.array([a in {Affiliation.HOSTILE, Affiliation.SUSPECT} for a in AFFILIATIONS])
_ROCKET = THREAT_CLASSES.index(ThreatClass.ROCKET)


@dataclass(slots=True)
class ThreatBook:
    """Threat evaluation and warning state of one run."""

    params: ThreatParams
    zones: tuple[ZoneParams, ...]
    ballistic: BallisticBook
    warn: WarnBook
    report_period_s: float = 1.0
    history: MeasurementHistory = field(default_factory=MeasurementHistory)
    polygons: list[shapely.Polygon] = field(default_factory=list)
    threat_zone: dict[int, int] = field(default_factory=dict)
    last_impact_t_s: dict[int, float] = field(default_factory=dict)

    @classmethod
    def create(
        cls, params: ThreatParams, zones: tuple[ZoneParams, ...], site_alt_m: float
    ) -> ThreatBook:
        """A fresh book for a site's zones."""
        return cls(
            params=params,
            zones=zones,
            ballistic=BallisticBook(
                k_nominal=params.rocket_drag_factor_m2pkg, site_alt_m=site_alt_m
            ),
            warn=WarnBook(zone_names=tuple(z.name for z in zones), margin_s=params.alert_margin_s),
            polygons=zone_geometries(zones),
        )

    def detections(self, batch: DetectionBatch, det_track_id: IntArray) -> None:
        """Remember which track each detection updated (the ballistic fit reads them)."""
        self.history.append(batch, det_track_id)

    def threatening(self, track_ids: IntArray) -> NDArray[np.bool_]:
        """Which of `track_ids` have an active alert on some zone."""
        return np.isin(track_ids, np.fromiter(self.warn.threatened_tracks(), np.int64))

    def forget(self, track_ids: IntArray, t_s: float, why: str) -> list[Emission]:
        """Tracks that ended: drop their state and clear their alerts."""
        ids = np.asarray(track_ids, dtype=np.int64)
        self.history.forget(ids)
        self.ballistic.forget(ids)
        for tid in ids.tolist():
            self.threat_zone.pop(tid, None)
            self.last_impact_t_s.pop(tid, None)
        return [
            (EventKind.ALERT_CLEARED, c.alert_id, c) for c in self.warn.track_lost(t_s, ids, why)
        ]

    def step(
        self,
        t_s: float,
        ids: IntArray,
        x: FloatArray,
        t_state: FloatArray,
        aff: NDArray[np.int8],
        cls: NDArray[np.int8],
    ) -> list[Emission]:
        """Evaluate the confirmed tracks (rows aligned; `x` (N, 6) at `t_state`) at time `t_s`."""
        tp = self.params
        em: list[Emission] = []
        sel = np.flatnonzero(_WARNABLE[aff]) if aff.size else np.zeros(0, dtype=np.int64)
        x_now = x[sel].copy()
        x_now[:, :3] += x[sel, 3:] * (t_s - t_state[sel])[:, None]
        ballistic = cls[sel] == _ROCKET
        m, z = sel.size, len(self.polygons)
        dist = np.full((m, z), np.inf)
        t_exp = np.full((m, z), np.nan)
        b, a = np.flatnonzero(ballistic), np.flatnonzero(~ballistic)
        if b.size:
            rows = sel[b]
            impact, t_abs = self.ballistic.predict(
                ids[rows], x[rows], t_state[rows], self.history, t_s
            )
            ok = np.isfinite(t_abs)
            d = point_zone_distance(np.nan_to_num(impact[:, :2]), self.polygons)
            dist[b] = np.where(ok[:, None], d, np.inf)
            t_exp[b] = t_abs[:, None]
            em.extend(self._impact_reports(t_s, ids[rows], impact, t_abs))
        if a.size:
            app = closest_approach(x_now[a], self.polygons, tp.horizon_s, tp.step_s)
            dist[a] = app.cpa_m
            t_exp[a] = t_s + app.t_cpa_s

        def reason(i: int, j: int) -> str:
            tc = THREAT_CLASSES[int(cls[sel[i]])].value
            speed = float(np.linalg.norm(x_now[i, 3:]))
            if not np.isfinite(dist[i, j]):
                return f"{tc}, {speed:.0f} m/s"
            verb = "impact" if ballistic[i] else "closest"
            dt = float(t_exp[i, j] - t_s)
            return f"{tc}, {speed:.0f} m/s, {verb} {dist[i, j]:.0f} m from {self.zones[j].name} in {dt:.0f} s"

        for i in range(m):
            if z == 0:
                break
            j = int(np.argmin(dist[i]))
            tid = int(ids[sel[i]])
            if self.threat_zone.get(tid) != j and dist[i, j] <= 2.0 * tp.warn_distance_m:
                self.threat_zone[tid] = j
                threat = Threat(
                    track_id=tid,
                    t_s=t_s,
                    zone=self.zones[j].name,
                    threat_class=THREAT_CLASSES[int(cls[sel[i]])],
                    cpa_m=float(dist[i, j]),
                    t_cpa_s=float(t_exp[i, j]),
                    reason=reason(i, j),
                )
                em.append((EventKind.THREAT_RAISED, tid, threat))
        warn = dist <= tp.warn_distance_m
        release = dist > 2.0 * tp.warn_distance_m
        for rec in self.warn.step(t_s, ids[sel], warn, release, t_exp, reason):
            kind = EventKind.ALERT_RAISED if isinstance(rec, Alert) else EventKind.ALERT_CLEARED
            em.append((kind, rec.alert_id, rec))
        return em

    def _impact_reports(
        self, t_s: float, ids: IntArray, impact: FloatArray, t_abs: FloatArray
    ) -> list[Emission]:
        out: list[Emission] = []
        for i in np.flatnonzero(np.isfinite(t_abs)).tolist():
            tid = int(ids[i])
            if t_s - self.last_impact_t_s.get(tid, -np.inf) < self.report_period_s:
                continue
            pred = ImpactPrediction(
                track_id=tid,
                t_s=t_s,
                impact_e_m=float(impact[i, 0]),
                impact_n_m=float(impact[i, 1]),
                t_impact_s=float(t_abs[i]),
            )
            out.append((EventKind.IMPACT_PREDICTED, tid, pred))
            self.last_impact_t_s[tid] = t_s
        return out
