"""The threat stage's state and step: who threatens which zone, when, and the resulting alerts.

Per step, over the confirmed tracks:
- ballistic candidates (not friendly or neutral, not declared an aircraft by the classifier, and
  classed rocket or at least `ballistic_min_speed_mps` fast) get a ballistic fit on their own
  measurements (`BallisticBook`);
  an accepted fit gives the impact point, its covariance (ellipse at `impact_confidence` in the
  reports) and the time of impact. Its hit probability per zone (`hit.hit_probability`: the chance
  that it lands within `lethal_radius_m` of the zone) warns the zone once it has stayed at or above
  the round's threshold (`warn_thresholds`: falling from `warn_probability_first` to
  `warn_probability` over the first `warn_late_fraction` of its flight, `warn_probability_late`
  after) for `warn_hold_s`; the alert is released when it has stayed below
  `release_probability` for the warn book's release hold (hysteresis, so alerts do not flicker). A
  round that threatens no zone raises no alert, only its track and impact events;
- a track whose ballistic fit is accepted stays a candidate (a mortar round slows to aircraft
  speeds near its apogee, and may then look like an aircraft) and is not warned on a straight-line
  path while its fit holds. A track declared an aircraft (the classifier's declared class: most
  probable at `ClassRules.declare_p` or more, with hysteresis) before any fit was accepted is not
  a candidate: a young aircraft track's noisy velocity can otherwise fit a short ballistic arc;
- other tracks identified hostile or suspect are extrapolated in a straight line over `horizon_s`
  (`closest_approach`); a zone is warned when the path passes within `warn_distance_m` of it;
- a THREAT_RAISED event marks each change of the zone a track threatens most; IMPACT_PREDICTED and
  ORIGIN_ESTIMATED events come at most once per `report_period_s` per track; the ranked threat list
  (`RankBook`) comes as THREAT_RANKED events; the `WarnBook` raises and clears alerts.

An alert on a ballistic track outlives the track: a round that drops below the radar's coverage is
still coming, so its alerts stay until the predicted impact plus the margin (unless the track was
destroyed). Every reason names the zone, the distance and the time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray

from bastion.core.measurements import DetectionBatch
from bastion.core.params import TerrainParams, ThreatParams, ZoneParams
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Alert,
    Emission,
    EventKind,
    Threat,
    ThreatClass,
)
from bastion.threat.approach import closest_approach, point_zone_distance, zone_geometries
from bastion.threat.ballistic import BallisticBook, Predictions
from bastion.threat.history import MeasurementHistory
from bastion.threat.hit import HitZones, hit_probability
from bastion.threat.rank import RankBook
from bastion.threat.reports import impact_reports, origin_reports
from bastion.threat.terrain import Ground
from bastion.threat.uncertainty import ellipse_axes
from bastion.threat.warn import WarnBook

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_WARNABLE = np.array([a in {Affiliation.HOSTILE, Affiliation.SUSPECT} for a in AFFILIATIONS])
_PASSIVE = np.array(
    [
        a in {Affiliation.FRIEND, Affiliation.ASSUMED_FRIEND, Affiliation.NEUTRAL}
        for a in AFFILIATIONS
    ]
)
_ROCKET = THREAT_CLASSES.index(ThreatClass.ROCKET)
_AIRCRAFT = THREAT_CLASSES.index(ThreatClass.AIRCRAFT)


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
    hit_zones: HitZones = field(default_factory=lambda: HitZones.build([], 0.0))
    above_since_s: dict[tuple[int, int], float] = field(default_factory=dict)
    """(track id, zone index): time since which the hit probability is at or above the threshold."""
    ranks: RankBook = field(default_factory=RankBook)
    threat_zone: dict[int, int] = field(default_factory=dict)
    last_impact_t_s: dict[int, float] = field(default_factory=dict)
    ballistic_tracks: set[int] = field(default_factory=set)

    @classmethod
    def create(
        cls,
        params: ThreatParams,
        zones: tuple[ZoneParams, ...],
        site_alt_m: float,
        terrain: TerrainParams | None = None,
    ) -> ThreatBook:
        """A fresh book for a site's zones and ground (flat at up = 0 without `terrain`)."""
        polygons = zone_geometries(zones)
        return cls(
            params=params,
            zones=zones,
            ballistic=BallisticBook(
                k_nominal=params.rocket_drag_factor_m2pkg,
                site_alt_m=site_alt_m,
                ground=Ground.from_params(terrain),
            ),
            warn=WarnBook(zone_names=tuple(z.name for z in zones), margin_s=params.alert_margin_s),
            polygons=polygons,
            hit_zones=HitZones.build(polygons, params.lethal_radius_m),
            ranks=RankBook(top_n=params.rank_top_n),
        )

    def detections(self, batch: DetectionBatch, det_track_id: IntArray) -> None:
        """Remember which track each detection updated (the ballistic fit reads them)."""
        self.history.append(batch, det_track_id)

    def threatening(self, track_ids: IntArray) -> NDArray[np.bool_]:
        """Which of `track_ids` have an active alert on some zone."""
        return np.isin(track_ids, np.fromiter(self.warn.threatened_tracks(), np.int64))

    def forget(self, track_ids: IntArray, t_s: float, why: str) -> list[Emission]:
        """Tracks that ended: drop their state and clear their alerts (a ballistic track's alerts
        stay until the predicted impact plus the margin, unless it was destroyed)."""
        ids = np.asarray(track_ids, dtype=np.int64)
        self.history.forget(ids)
        self.ballistic.forget(ids)
        self.ranks.forget(ids.tolist())
        for tid in ids.tolist():
            self.threat_zone.pop(tid, None)
            self.last_impact_t_s.pop(tid, None)
        gone = set(ids.tolist())
        for key in [k for k in self.above_since_s if k[0] in gone]:
            del self.above_since_s[key]
        destroyed = why.startswith("track destroyed")
        clear = [t for t in ids.tolist() if destroyed or t not in self.ballistic_tracks]
        self.ballistic_tracks.difference_update(ids.tolist())
        cleared = self.warn.track_lost(t_s, np.array(clear, dtype=np.int64), why)
        return [(EventKind.ALERT_CLEARED, c.alert_id, c) for c in cleared]

    def step(
        self,
        t_s: float,
        ids: IntArray,
        x: FloatArray,
        t_state: FloatArray,
        born_t_s: FloatArray,
        aff: NDArray[np.int8],
        cls: NDArray[np.int8],
    ) -> list[Emission]:
        """Evaluate the confirmed tracks (rows aligned; `x` (N, 6) at `t_state`; `born_t_s` the
        time of each track's first detection) at time `t_s`."""
        tp = self.params
        em: list[Emission] = []
        known = aff >= 0
        passive = known & _PASSIVE[np.where(known, aff, 0)]
        warnable = known & _WARNABLE[np.where(known, aff, 0)]
        speed = np.linalg.norm(x[:, 3:], axis=1) if x.size else np.zeros(0)
        # A track with an accepted ballistic fit stays a candidate when it slows near its apogee (a
        # mortar round can look like a 60 m/s aircraft there): no straight-line warnings for it.
        fitted = np.isin(ids, np.fromiter(self.ballistic.fits, np.int64))
        fast = (cls == _ROCKET) | (speed >= tp.ballistic_min_speed_mps) | fitted
        aircraft = (cls == _AIRCRAFT) & ~fitted
        candidate = ~passive & fast & ~aircraft
        cand = np.flatnonzero(candidate)
        pred = (
            self.ballistic.predict(ids[cand], x[cand], t_state[cand], self.history, t_s)
            if cand.size
            else Predictions.empty(0)
        )
        # Rows evaluated: accepted ballistic fits, then warnable tracks on straight paths.
        b_rows = cand[pred.ok]
        a_rows = np.flatnonzero(warnable & ~candidate)
        fallback = ~pred.ok & (cls[cand] != _ROCKET) & warnable[cand] & ~fitted[cand]
        a_rows = np.union1d(a_rows, cand[fallback])
        sel = np.concatenate([b_rows, a_rows]).astype(np.int64)
        nb, m, z = b_rows.size, sel.size, len(self.polygons)
        self.ballistic_tracks.update(ids[b_rows].tolist())
        x_now = x[sel].copy()
        x_now[:, :3] += x[sel, 3:] * (t_s - t_state[sel])[:, None]
        miss = np.full((m, z), np.inf)  # impact-to-zone or closest-approach distance, m
        t_exp = np.full((m, z), np.nan)
        closing = np.zeros((m, z), dtype=bool)  # nearest at the horizon, still closing
        limit = np.full(m, tp.warn_distance_m)
        p_hit = np.zeros((nb, z))
        if nb:
            imp = pred.impact_m[pred.ok]
            major, minor, heading = ellipse_axes(pred.cov_en_m2[pred.ok], tp.impact_confidence)
            miss[:nb] = point_zone_distance(imp[:, :2], self.polygons)
            p_hit = hit_probability(self.hit_zones, imp[:, :2], pred.cov_en_m2[pred.ok])
            t_exp[:nb] = pred.t_impact_s[pred.ok][:, None]
            limit[:nb] = tp.lethal_radius_m
            em.extend(
                impact_reports(
                    self.last_impact_t_s,
                    self.report_period_s,
                    t_s,
                    ids[b_rows],
                    imp,
                    pred.t_impact_s[pred.ok],
                    pred.sigma_t_s[pred.ok],
                    (major, minor, heading),
                    tp.impact_confidence,
                    self.ballistic.fits,
                )
            )
            em.extend(origin_reports(self.ballistic, t_s, tp.impact_confidence))
        if m > nb and z:
            app = closest_approach(x_now[nb:], self.polygons, tp.horizon_s, tp.step_s)
            miss[nb:] = app.cpa_m
            t_exp[nb:] = t_s + app.t_cpa_s
            closing[nb:] = app.closing
        speed_now = np.linalg.norm(x_now[:, 3:], axis=1)
        classes = [THREAT_CLASSES[int(c)] for c in cls[sel]]
        ballistic = np.arange(m) < nb

        def reason(i: int, j: int) -> str:
            tc = classes[i].value
            if not np.isfinite(miss[i, j]):
                return f"{tc}, {speed_now[i]:.0f} m/s"
            dt = float(t_exp[i, j] - t_s)
            if ballistic[i]:
                return (
                    f"{tc}, {speed_now[i]:.0f} m/s, impact {miss[i, j]:.0f} m from "
                    f"{self.zones[j].name} in {dt:.0f} s (hit probability {p_hit[i, j]:.2f})"
                )
            if closing[i, j]:
                return (
                    f"{tc}, {speed_now[i]:.0f} m/s, {miss[i, j]:.0f} m from {self.zones[j].name} "
                    f"at the {dt:.0f} s horizon and closing"
                )
            return (
                f"{tc}, {speed_now[i]:.0f} m/s, closest {miss[i, j]:.0f} m from "
                f"{self.zones[j].name} in {dt:.0f} s"
            )

        for i in range(m if z else 0):
            j = int(np.argmin(miss[i]))
            tid = int(ids[sel[i]])
            if self.threat_zone.get(tid) != j and miss[i, j] <= 2.0 * limit[i]:
                self.threat_zone[tid] = j
                threat = Threat(
                    track_id=tid,
                    t_s=t_s,
                    zone=self.zones[j].name,
                    threat_class=classes[i],
                    cpa_m=float(miss[i, j]),
                    t_cpa_s=float(t_exp[i, j]),
                    reason=reason(i, j),
                )
                em.append((EventKind.THREAT_RAISED, tid, threat))
        warn = np.zeros((m, z), dtype=bool)
        release = np.zeros((m, z), dtype=bool)
        warn[nb:] = miss[nb:] <= limit[nb:, None]
        release[nb:] = miss[nb:] > 2.0 * limit[nb:, None]
        thr = warn_thresholds(tp, t_s, born_t_s[b_rows], pred.t_impact_s[pred.ok])
        warn[:nb] = self._held(t_s, ids[b_rows], p_hit >= thr[:, None])
        release[:nb] = p_hit < min(tp.release_probability, tp.warn_probability)  # below both
        for rec in self.warn.step(t_s, ids[sel], warn, release, t_exp, reason):
            kind = EventKind.ALERT_RAISED if isinstance(rec, Alert) else EventKind.ALERT_CLEARED
            em.append((kind, rec.alert_id, rec))
        if m and z:
            sel_ids = [int(t) for t in ids[sel].tolist()]
            turn = self.ranks.turn_rates(sel_ids, x_now[:, 3:], t_s)
            for entry in self.ranks.rank(
                t_s,
                sel_ids,
                classes,
                ballistic,
                speed_now,
                point_zone_distance(x_now[:, :2], self.polygons),
                t_exp - t_s,
                miss,
                turn,
                [zn.name for zn in self.zones],
                np.array([zn.value for zn in self.zones]),
                tp.warn_distance_m,
            ):
                em.append((EventKind.THREAT_RANKED, entry.track_id, entry))
        return em

    def _held(self, t_s: float, track_ids: IntArray, above: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Of the (track, zone) pairs `above` (B, Z) the warning threshold now, those that have
        been above it for at least `warn_hold_s` (s); remembers when each run above began."""
        since = np.full(above.shape, np.inf)
        keep: dict[tuple[int, int], float] = {}
        for i, j in zip(*np.nonzero(above), strict=True):
            key = (int(track_ids[i]), int(j))
            keep[key] = since[i, j] = self.above_since_s.get(key, t_s)
        # Tracks not evaluated this step keep their runs; evaluated ones keep only pairs still above.
        evaluated = set(track_ids.tolist())
        self.above_since_s = {
            k: v for k, v in self.above_since_s.items() if k[0] not in evaluated
        } | keep
        return above & (t_s - since >= self.params.warn_hold_s - 1e-9)


def warn_thresholds(
    tp: ThreatParams, t_s: FloatArray | float, first_t_s: FloatArray, t_impact_s: FloatArray
) -> FloatArray:
    """The hit probability that warns a zone, per round. Over the first `warn_late_fraction` of its
    predicted flight (from its track's first detection `first_t_s` to the predicted impact
    `t_impact_s`) it falls linearly from `warn_probability_first` to `warn_probability`: the first
    predictions are wide and a zone they give a fair chance is often missed, while the last before
    the deadline are three to four times narrower. After it, `warn_probability_late`."""
    flight = np.maximum(t_impact_s - first_t_s, 1e-3)
    frac = (t_s - first_t_s) / flight
    if tp.warn_late_fraction <= 0.0:
        return np.full(np.shape(frac), tp.warn_probability_late)
    ramp = np.clip(frac / tp.warn_late_fraction, 0.0, 1.0)
    early = tp.warn_probability_first + (tp.warn_probability - tp.warn_probability_first) * ramp
    return np.where(frac < tp.warn_late_fraction, early, tp.warn_probability_late)
