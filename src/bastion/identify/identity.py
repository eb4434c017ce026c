"""Identity book: what each confirmed track is and whose it is, every change an event with reasons.

Per step (`step`), for the live confirmed tracks:

1. spoof checks on this step's cooperative reports (`SpoofMonitor`); a failed check is a SPOOF_ALERT
   and latches the tracks it names as spoofed;
2. every report that correlated with a track binds its identifier to that track (`coop`): the
   track carries that cooperative identity for the rest of its life, so a lapse in the feed never
   turns a friend into a target (only spoof evidence does, and only to suspect);
3. classification (`Classifier`: evidence, naive Bayes, declared class with hysteresis);
4. flight plans: which tracks could be a plan's drone (`plans.candidates`), how many places each
   plan has left after its cooperatively identified drones, and which tracks crowd a plan;
5. the identity rules (`rules.decide`) and the friend floor.

An IDENTITY_CHANGED event is emitted when a track's identity, declared class or the rule behind its
identity changes, with the class probabilities and the reason in words. State is arrays keyed by
track id (`TrackColumns`); cooperative bindings and reason texts are small dictionaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.identification import IdentificationParams
from bastion.core.records import (
    AFFILIATIONS,
    FRIENDLY,
    THREAT_CLASSES,
    CooperativeReport,
    DetectionBatch,
    Emission,
    EventKind,
    Identity,
    ThreatClass,
)
from bastion.identify import plans as plan_geo
from bastion.identify.classifier import Classifier, Evaluation
from bastion.identify.columns import Column, TrackColumns
from bastion.identify.rules import RuleInputs, Why, decide
from bastion.identify.spoof import SpoofMonitor

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_FRIENDLY_CODES = np.array([a in FRIENDLY for a in AFFILIATIONS])
_UNKNOWN_CLASS = THREAT_CLASSES.index(ThreatClass.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Coop:
    """A cooperative identity bound to a track."""

    source: str
    ident: str
    callsign: str

    def label(self) -> str:
        """E.g. "ADS-B AE1234 RCH123" or "Remote ID 1596F0001"."""
        src = {"adsb": "ADS-B", "remote_id": "Remote ID"}.get(self.source, self.source)
        return " ".join(p for p in (src, self.ident, self.callsign.strip()) if p)


class IdentityBook:
    """Identities of all tracks; see the module docstring."""

    __slots__ = ("classifier", "cols", "coop", "params", "plan_of", "registered", "spoof", "texts")

    def __init__(
        self, params: IdentificationParams | None = None, classifier: Classifier | None = None
    ) -> None:
        self.params = params or IdentificationParams()
        self.classifier = classifier or Classifier()
        self.spoof = SpoofMonitor(self.params.spoof)
        self.registered = {("adsb", a.icao.upper()) for a in self.params.aircraft} | {
            ("remote_id", d.serial) for d in self.params.drones
        }
        self.coop: dict[int, Coop] = {}
        self.texts: dict[int, str] = {}  # track id -> reason of its spoof alert
        self.plan_of: dict[int, int] = {}  # track id -> plan it is a candidate for (last seen)
        self.cols = TrackColumns(
            {
                "aff": Column(np.int8, -1),
                "why": Column(np.int8, -1),
                "cls": Column(np.int8, _UNKNOWN_CLASS),
                "seen_t_s": Column(np.float64, np.nan),
                "ever_friendly": Column(np.bool_, False),
                "spoofed": Column(np.bool_, False),
                "crowded": Column(np.bool_, False),
            }
        )

    def detections(self, batch: DetectionBatch, det_track_id: IntArray) -> None:
        """Fold one sensor look into the classification evidence."""
        self.classifier.detections(batch, det_track_id)

    def step(
        self,
        t_s: float,
        ids: IntArray,
        x: FloatArray,
        t_state_s: FloatArray,
        reports: Sequence[CooperativeReport] = (),
        match: IntArray | None = None,
    ) -> list[Emission]:
        """Identify the confirmed tracks `ids` (ENU states `x` (N, 6) at `t_state_s`) at `t_s`.

        `reports` are this step's cooperative reports and `match` (M,) the track each correlated
        with (-1: none). Returns SPOOF_ALERT and IDENTITY_CHANGED emissions.
        """
        ids = np.asarray(ids, dtype=np.int64)
        hit = np.full(len(reports), -1, np.int64) if match is None else np.asarray(match, np.int64)
        em: list[Emission] = []
        rows = self.cols.rows(ids)
        flagged: set[tuple[str, str]] = set()
        for alert in self.spoof.check(reports, hit, ids, x, t_state_s):
            em.append((EventKind.SPOOF_ALERT, alert.track_id, alert))
            flagged.add((alert.source, alert.ident))
            r = self.cols.find(np.array([alert.track_id]))[0]
            if r >= 0:
                self.cols["spoofed"][r] = True
                self.texts.setdefault(alert.track_id, alert.reason)
        for i, rep in enumerate(reports):
            if hit[i] >= 0 and (rep.source, rep.ident) not in flagged:
                self.coop[int(hit[i])] = Coop(rep.source, rep.ident, rep.callsign)
        if ids.size == 0:
            return em
        seen = self.cols["seen_t_s"]
        seen[rows] = np.where(np.isnan(seen[rows]), t_s, seen[rows])
        ev = self.classifier.evaluate(ids, x, t_s)
        pos = x[:, :3] + x[:, 3:] * (t_s - t_state_s)[:, None]
        inp = self._inputs(ids, rows, ev, pos, t_s)
        aff, why = decide(inp, self.params.rules)
        c = self.cols
        changed = (aff != c["aff"][rows]) | (why != c["why"][rows]) | ev.changed
        c["aff"][rows] = aff
        c["why"][rows] = why
        c["cls"][rows] = ev.codes
        c["ever_friendly"][rows] |= _FRIENDLY_CODES[aff]
        for i in np.flatnonzero(changed).tolist():
            tid = int(ids[i])
            p = ev.probabilities[i]
            ident = Identity(
                track_id=tid,
                t_s=t_s,
                threat_class=THREAT_CLASSES[int(ev.codes[i])],
                affiliation=AFFILIATIONS[int(aff[i])],
                reason=self._reason(tid, Why(int(why[i])), ev, i),
                class_probabilities=(
                    round(float(p[0]), 4),
                    round(float(p[1]), 4),
                    round(float(p[2]), 4),
                    round(float(p[3]), 4),
                    round(float(p[4]), 4),
                    round(float(p[5]), 4),
                ),
            )
            em.append((EventKind.IDENTITY_CHANGED, tid, ident))
        return em

    def _inputs(
        self, ids: IntArray, rows: IntArray, ev: Evaluation, pos: FloatArray, t_s: float
    ) -> RuleInputs:
        """The per-track facts the rules read, flight plans and their places included."""
        n = ids.size
        plans = self.params.flight_plans
        coop = [self.coop.get(int(t)) for t in ids.tolist()]
        reg = np.array([k is not None and (k.source, k.ident) in self.registered for k in coop])
        adsb = np.array([k is not None and k.source == "adsb" for k in coop]) & ~reg
        rid = np.array([k is not None and k.source != "adsb" for k in coop]) & ~reg
        has_coop = np.array([k is not None for k in coop], dtype=bool)
        spoofed = self.cols["spoofed"][rows]
        where = plan_geo.candidates(plans, pos, ev.codes, t_s)
        anywhere_class = np.full(n, _UNKNOWN_CLASS, dtype=np.int8)
        where_any = plan_geo.candidates(plans, pos, anywhere_class, t_s)
        off_plan = np.zeros(n, dtype=bool)
        crowded_now = np.zeros(n, dtype=bool)
        planned = np.zeros(n, dtype=bool)
        for j, plan in enumerate(plans):
            carriers = np.array([k is not None and k.ident == plan.ident for k in coop], dtype=bool)
            if plan.ident:
                mine = [jj for jj, pp in enumerate(plans) if pp.ident == plan.ident]
                off_plan |= carriers & ~where_any[:, mine].any(axis=1)
            holders = int(np.sum(carriers & reg & ~spoofed)) if plan.ident else 0
            free = plan.count - holders
            cand = where[:, j] & ~has_coop & ~spoofed
            for t in ids[cand].tolist():
                self.plan_of[int(t)] = j
            if int(cand.sum()) > free:
                crowded_now |= cand
            else:
                planned |= cand
        crowded = self.cols["crowded"]
        crowded[rows] |= crowded_now
        latched = crowded[rows]
        in_plan = where.any(axis=1)
        age = t_s - self.cols["seen_t_s"][rows]
        return RuleInputs(
            class_code=ev.codes,
            spoofed=spoofed,
            registered=reg,
            off_plan=off_plan,
            unregistered_adsb=adsb,
            unregistered_rid=rid,
            crowded=latched & in_plan,
            planned=planned & ~latched,
            in_grace=(age < self.params.rules.grace_s) & ~has_coop,
            ever_friendly=self.cols["ever_friendly"][rows],
        )

    def _reason(self, tid: int, why: Why, ev: Evaluation, i: int) -> str:
        """The reason, in words, for track `tid` (row `i` of the evaluation)."""
        cls = THREAT_CLASSES[int(ev.codes[i])]
        p = float(ev.probabilities[i, int(ev.codes[i])])
        speed = float(ev.speed_mps[i])
        what = f"{cls.value} (p {p:.2f}) at {speed:.0f} m/s"
        k = self.coop.get(tid)
        plans = self.params.flight_plans
        plan = plans[self.plan_of[tid]] if tid in self.plan_of and plans else None
        rules = self.params.rules
        texts = {
            Why.SPOOF: f"spoof alert: {self.texts.get(tid, 'cooperative report contradicted')}",
            Why.OFF_PLAN: f"registered {k.label() if k else ''} outside its flight plan",
            Why.FRIEND: f"{k.label() if k else ''} in the friendly register, consistent with radar",
            Why.UNREG_ADSB: f"{k.label() if k else ''} consistent with radar, not in the register",
            Why.UNREG_RID: f"{k.label() if k else ''} consistent with radar, not in the register",
            Why.CROWDED: (
                f"{what} in the corridor of flight plan {plan.name if plan else '?'} during its "
                "window, which has more objects than friendly drones: cannot tell the friend"
            ),
            Why.PLAN: (
                f"{what} in the corridor of flight plan {plan.name if plan else '?'} during its "
                "window, no cooperative identification"
            ),
            Why.ROCKET: f"{what}: ballistic, no friendly rockets",
            Why.GRACE: f"{what}, waiting {rules.grace_s:.0f} s for a cooperative identification",
            Why.DRONE: f"{what}, no cooperative identification, outside every flight plan",
            Why.AIRCRAFT: f"{what}, no cooperative identification",
            Why.BIRD: what,
            Why.UNCLASSIFIED: f"class not known yet ({what})",
            Why.FLOOR: (
                f"{what}, no cooperative identification now, but it was friendly: suspect, "
                "never hostile without a person's decision"
            ),
        }
        return texts[why]

    def affiliation_of(self, track_ids: IntArray) -> NDArray[np.int8]:
        """Affiliation codes of `track_ids` (-1 for tracks never identified)."""
        rows = self.cols.find(np.asarray(track_ids, dtype=np.int64))
        out = np.full(rows.shape, -1, dtype=np.int8)
        out[rows >= 0] = self.cols["aff"][rows[rows >= 0]]
        return out

    def class_of(self, track_ids: IntArray) -> NDArray[np.int8]:
        """Declared class codes of `track_ids` (UNKNOWN for tracks never classified)."""
        return self.classifier.classes.declared(np.asarray(track_ids, dtype=np.int64))

    def forget(self, track_ids: IntArray) -> None:
        """Drop tracks that ended."""
        ids = np.asarray(track_ids, dtype=np.int64)
        self.cols.forget(ids)
        self.classifier.forget(ids)
        for t in ids.tolist():
            self.coop.pop(int(t), None)
            self.texts.pop(int(t), None)
            self.plan_of.pop(int(t), None)
