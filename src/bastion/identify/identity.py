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
track id (`TrackColumns`), a track's cooperative identity a key into a short list of those seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.identification import IdentificationParams
from bastion.core.measurements import CooperativeReport, DetectionBatch
from bastion.core.records import (
    AFFILIATIONS,
    FRIENDLY,
    THREAT_CLASSES,
    Emission,
    EventKind,
    Identity,
    ThreatClass,
)
from bastion.identify import plans as plan_geo
from bastion.identify.classifier import Classifier, Evaluation
from bastion.identify.columns import Column, TrackColumns
from bastion.identify.coop_tracks import is_cooperative
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

    __slots__ = (
        "classifier",
        "cols",
        "key_index",
        "key_version",
        "keys",
        "params",
        "registered",
        "spoof",
        "texts",
    )

    def __init__(
        self, params: IdentificationParams | None = None, classifier: Classifier | None = None
    ) -> None:
        self.params = params or IdentificationParams()
        self.classifier = classifier or Classifier()
        self.spoof = SpoofMonitor(self.params.spoof)
        self.registered = {("adsb", a.icao.upper()) for a in self.params.aircraft} | {
            ("remote_id", d.serial) for d in self.params.drones
        }
        self.keys: list[Coop] = []  # cooperative identities seen, by key (index)
        self.key_index: dict[tuple[str, str], int] = {}
        # per key, bumped when its callsign changes; index -1 (no key) reads the -1 at the end
        self.key_version = np.full(1, -1, dtype=np.int64)
        self.texts: dict[int, str] = {}  # track id -> reason of its spoof alert
        self.cols = TrackColumns(
            {
                "coop": Column(np.int64, -1),  # key of the bound cooperative identity, -1: none
                "plan": Column(np.int64, -1),  # plan the track was last a candidate for
                "aff": Column(np.int8, -1),
                "why": Column(np.int8, -1),
                "cls": Column(np.int8, _UNKNOWN_CLASS),
                "seen_t_s": Column(np.float64, np.nan),
                "ever_friendly": Column(np.bool_, False),
                "spoofed": Column(np.bool_, False),
                "crowded": Column(np.bool_, False),
                # key and key version the track's last identity event named (-1: none)
                "sent_coop": Column(np.int64, -1),
                "sent_version": Column(np.int64, -1),
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
        self._bind(reports, hit, flagged)
        if ids.size == 0:
            return em
        seen = self.cols["seen_t_s"]
        seen[rows] = np.where(np.isnan(seen[rows]), t_s, seen[rows])
        ev = self.classifier.evaluate(ids, x, t_s)
        pos = x[:, :3] + x[:, 3:] * (t_s - t_state_s)[:, None]
        inp = self._inputs(ids, rows, ev, pos, t_s)
        aff, why = decide(inp, self.params.rules)
        c = self.cols
        bound = c["coop"][rows]
        version = self.key_version[bound]
        changed = (aff != c["aff"][rows]) | (why != c["why"][rows]) | ev.changed
        changed |= (bound != c["sent_coop"][rows]) | (version != c["sent_version"][rows])
        c["sent_coop"][rows], c["sent_version"][rows] = bound, version
        c["aff"][rows] = aff
        c["why"][rows] = why
        c["cls"][rows] = ev.codes
        c["ever_friendly"][rows] |= _FRIENDLY_CODES[aff]
        idx = np.flatnonzero(changed)
        coop_only = is_cooperative(ids[idx]).tolist()
        for i, row, coop in zip(idx.tolist(), rows[idx].tolist(), coop_only, strict=True):
            tid = int(ids[i])
            p = ev.probabilities[i]
            ident = Identity(
                track_id=tid,
                t_s=t_s,
                threat_class=THREAT_CLASSES[int(ev.codes[i])],
                affiliation=AFFILIATIONS[int(aff[i])],
                reason=self._reason(tid, Why(int(why[i])), ev, i, row, bool(coop)),
                class_probabilities=(
                    round(float(p[0]), 4),
                    round(float(p[1]), 4),
                    round(float(p[2]), 4),
                    round(float(p[3]), 4),
                    round(float(p[4]), 4),
                    round(float(p[5]), 4),
                ),
                **self._named(int(bound[i])),
            )
            em.append((EventKind.IDENTITY_CHANGED, tid, ident))
        return em

    def _bind(
        self, reports: Sequence[CooperativeReport], hit: IntArray, flagged: set[tuple[str, str]]
    ) -> None:
        """Bind the identity of every unflagged report that correlated with a track to it."""
        for i, rep in enumerate(reports):
            if hit[i] < 0 or (rep.source, rep.ident) in flagged:
                continue
            key = self.key_index.setdefault((rep.source, rep.ident), len(self.keys))
            if key == len(self.keys):
                self.keys.append(Coop(rep.source, rep.ident, rep.callsign))
                self.key_version = np.insert(self.key_version, key, 0)
            elif rep.callsign and rep.callsign != self.keys[key].callsign:
                self.keys[key] = Coop(rep.source, rep.ident, rep.callsign)
                self.key_version[key] += 1
            r = self.cols.find(np.array([hit[i]]))[0]
            if r >= 0:
                self.cols["coop"][r] = key

    def _named(self, key: int) -> dict[str, str]:
        """The `Identity` fields naming cooperative identity `key` (none for -1)."""
        if key < 0:
            return {}
        k = self.keys[key]
        return {"coop_source": k.source, "coop_ident": k.ident, "callsign": k.callsign.strip()}

    def _key_facts(self) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """Per key: registered, and ADS-B (else Remote ID); index -1 (no key) gives False, False."""
        reg = [(k.source, k.ident) in self.registered for k in self.keys]
        adsb = [k.source == "adsb" for k in self.keys]
        return np.array([*reg, False], dtype=bool), np.array([*adsb, False], dtype=bool)

    def _inputs(
        self, ids: IntArray, rows: IntArray, ev: Evaluation, pos: FloatArray, t_s: float
    ) -> RuleInputs:
        """The per-track facts the rules read, flight plans and their places included."""
        n = ids.size
        plans = self.params.flight_plans
        key = self.cols["coop"][rows]
        key_reg, key_adsb = self._key_facts()
        has_coop = key >= 0
        reg = key_reg[key]
        adsb = has_coop & key_adsb[key] & ~reg
        rid = has_coop & ~key_adsb[key] & ~reg
        spoofed = self.cols["spoofed"][rows]
        # A cooperative-only track holds no place: it may be a radar candidate not yet correlated.
        radar = ~is_cooperative(ids)
        where = plan_geo.candidates(plans, pos, ev.codes, t_s)
        anywhere_class = np.full(n, _UNKNOWN_CLASS, dtype=np.int8)
        where_any = plan_geo.candidates(plans, pos, anywhere_class, t_s)
        off_plan = np.zeros(n, dtype=bool)
        crowded_now = np.zeros(n, dtype=bool)
        planned = np.zeros(n, dtype=bool)
        for j, plan in enumerate(plans):
            plan_keys = [k for (_, ident), k in self.key_index.items() if ident == plan.ident]
            carriers = np.isin(key, plan_keys) if plan.ident else np.zeros(n, dtype=bool)
            if plan.ident:
                mine = [jj for jj, pp in enumerate(plans) if pp.ident == plan.ident]
                off_plan |= carriers & ~where_any[:, mine].any(axis=1)
            holders = int(np.sum(carriers & reg & ~spoofed & radar)) if plan.ident else 0
            free = plan.count - holders
            cand = where[:, j] & ~has_coop & ~spoofed
            self.cols["plan"][rows[cand]] = j
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

    def _reason(self, tid: int, why: Why, ev: Evaluation, i: int, row: int, coop_only: bool) -> str:
        """The reason, in words, for track `tid` (row `i` of the evaluation, `row` of the columns;
        `coop_only` for a cooperative-only track). Only the text for `why` is formatted."""
        cls = THREAT_CLASSES[int(ev.codes[i])]
        p = float(ev.probabilities[i, int(ev.codes[i])])
        speed = float(ev.speed_mps[i])
        what = f"{cls.value} (p {p:.2f}) at {speed:.0f} m/s"
        key, j = int(self.cols["coop"][row]), int(self.cols["plan"][row])
        k = self.keys[key] if key >= 0 else None
        plan = self.params.flight_plans[j] if j >= 0 else None
        rules = self.params.rules
        basis = "seen only cooperatively (no radar track)" if coop_only else "consistent with radar"
        texts: dict[Why, Callable[[], str]] = {
            Why.SPOOF: lambda: (
                f"spoof alert: {self.texts.get(tid, 'cooperative report contradicted')}"
            ),
            Why.OFF_PLAN: lambda: f"registered {k.label() if k else ''} outside its flight plan",
            Why.FRIEND: lambda: f"{k.label() if k else ''} in the friendly register, {basis}",
            Why.UNREG_ADSB: lambda: f"{k.label() if k else ''} {basis}, not in the register",
            Why.UNREG_RID: lambda: f"{k.label() if k else ''} {basis}, not in the register",
            Why.CROWDED: lambda: (
                f"{what} in the corridor of flight plan {plan.name if plan else '?'} during its "
                "window, which has more objects than friendly drones: cannot tell the friend"
            ),
            Why.PLAN: lambda: (
                f"{what} in the corridor of flight plan {plan.name if plan else '?'} during its "
                "window, no cooperative identification"
            ),
            Why.ROCKET: lambda: f"{what}: ballistic, no friendly rockets",
            Why.GRACE: lambda: (
                f"{what}, waiting {rules.grace_s:.0f} s for a cooperative identification"
            ),
            Why.DRONE: lambda: f"{what}, no cooperative identification, outside every flight plan",
            Why.AIRCRAFT: lambda: f"{what}, no cooperative identification",
            Why.BIRD: lambda: what,
            Why.UNCLASSIFIED: lambda: f"class not known yet ({what})",
            Why.FLOOR: lambda: (
                f"{what}, no cooperative identification now, but it was friendly: suspect, "
                "never hostile without a person's decision"
            ),
        }
        return texts[why]()

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
            self.texts.pop(int(t), None)
