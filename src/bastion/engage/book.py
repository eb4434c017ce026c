"""Engagement bookkeeping v1: nominate, wait for the human, fire the model, assess, re-engage.

Per step, in order:
1. human decisions arriving as inputs are validated by the ledger (refusals become `input_rejected`);
2. shots whose intercept time has come are assessed: destroyed or missed, drawn from the seeded
   generator with the effector's probability of kill for the track's class;
3. open requests are withdrawn if the track is lost or no longer hostile (a friend is never fired on);
   undecided ones expire; approved ones are fired through `ledger.consume` when the intercept geometry
   allows, or withdrawn once no intercept is feasible any more;
4. hostile tracks that threaten a zone, with no open request or shot in flight, are nominated to the
   effector with the earliest feasible intercept that still has rounds (greedy; optimal assignment is
   later work). A missed track becomes free again, so shoot-look-shoot follows naturally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.params import EffectorParams
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Assessment,
    Authorisation,
    Decision,
    Emission,
    Engagement,
    EventKind,
    Note,
    Outcome,
    ThreatClass,
)
from bastion.engage.effectors import first_intercept
from bastion.engage.ledger import AuthorisationLedger

_HOSTILE = AFFILIATIONS.index(Affiliation.HOSTILE)
FIRE_WINDOW_S = 0.5
"""A shot whose ideal firing time falls within this many seconds from now is fired now."""


@dataclass(slots=True)
class _Shot:
    engagement: Engagement
    threat_class: ThreatClass


@dataclass(slots=True)
class EngageOutput:
    """Records this step produced, and the tracks the model says were destroyed."""

    emissions: list[Emission] = field(default_factory=list)
    destroyed_track_ids: list[int] = field(default_factory=list)


class EngageBook:
    """Engagement state of one run: rounds left, open requests, shots in flight, the ledger."""

    def __init__(
        self,
        effectors: Sequence[EffectorParams],
        rng: np.random.Generator,
        request_expiry_s: float,
        horizon_s: float,
    ) -> None:
        self.effectors = tuple(effectors)
        self.rounds = [e.magazine for e in self.effectors]
        self.rng = rng
        self.request_expiry_s = request_expiry_s
        self.horizon_s = horizon_s
        self.ledger = AuthorisationLedger()
        self.open: dict[int, int] = {}  # request id -> effector index
        self.in_flight: list[_Shot] = []
        self.next_engagement_id = 1

    def busy_tracks(self) -> set[int]:
        """Tracks with an open request or a shot in flight."""
        busy = {self.ledger.requests[r].track_id for r in self.open}
        return busy | {s.engagement.track_id for s in self.in_flight}

    def step(
        self,
        t_s: float,
        track_ids: NDArray[np.int64],
        x: NDArray[np.float64],
        class_codes: NDArray[np.int8],
        aff_codes: NDArray[np.int8],
        decisions: Sequence[Authorisation],
        threatening: NDArray[np.bool_] | None = None,
    ) -> EngageOutput:
        """Advance engagements to `t_s` for the confirmed tracks given as arrays (rows aligned).

        `threatening` marks the tracks that threaten a defended zone; only those are nominated
        (default: every hostile track).
        """
        out = EngageOutput()
        row = {int(t): i for i, t in enumerate(track_ids.tolist())}
        self._decisions(decisions, out)
        self._assess(t_s, row, out)
        self._progress_requests(t_s, row, x, class_codes, aff_codes, out)
        eligible = (aff_codes == _HOSTILE) & ~np.isin(track_ids, out.destroyed_track_ids)
        if threatening is not None:
            eligible &= threatening
        self._nominate(t_s, track_ids, x, class_codes, eligible, out)
        return out

    def _decisions(self, decisions: Sequence[Authorisation], out: EngageOutput) -> None:
        for d in decisions:
            refusal = self.ledger.decide(d)
            if refusal is not None:
                note = Note(t_s=d.t_s, text=refusal)
                out.emissions.append((EventKind.INPUT_REJECTED, d.request_id, note))
                continue
            if d.decision is Decision.APPROVED:
                out.emissions.append((EventKind.ENGAGEMENT_AUTHORISED, d.request_id, d))
            else:
                out.emissions.append((EventKind.ENGAGEMENT_DENIED, d.request_id, d))
                self.ledger.close(d.request_id)
                self.open.pop(d.request_id, None)

    def _assess(self, t_s: float, row: dict[int, int], out: EngageOutput) -> None:
        still: list[_Shot] = []
        for shot in self.in_flight:
            eng = shot.engagement
            if eng.t_intercept_s > t_s:
                still.append(shot)
                continue
            pk = self.effectors[self._effector_index(eng.effector)].pk.get(shot.threat_class, 0.0)
            hit = bool(self.rng.random() < pk) and eng.track_id in row
            outcome = Outcome.DESTROYED if hit else Outcome.MISSED
            assessment = Assessment(
                engagement_id=eng.engagement_id,
                track_id=eng.track_id,
                effector=eng.effector,
                t_s=t_s,
                outcome=outcome,
            )
            out.emissions.append((EventKind.ENGAGEMENT_ASSESSED, eng.engagement_id, assessment))
            if hit:
                out.destroyed_track_ids.append(eng.track_id)
        self.in_flight = still

    def _withdraw(self, req_id: int, t_s: float, text: str, out: EngageOutput) -> None:
        self.ledger.close(req_id)
        del self.open[req_id]
        out.emissions.append((EventKind.ENGAGEMENT_EXPIRED, req_id, Note(t_s=t_s, text=text)))

    def _progress_requests(
        self,
        t_s: float,
        row: dict[int, int],
        x: NDArray[np.float64],
        class_codes: NDArray[np.int8],
        aff_codes: NDArray[np.int8],
        out: EngageOutput,
    ) -> None:
        for req_id, k in sorted(self.open.items()):
            req = self.ledger.requests[req_id]
            r = row.get(req.track_id)
            if r is None:
                self._withdraw(req_id, t_s, f"request {req_id}: track {req.track_id} lost", out)
                continue
            if aff_codes[r] != _HOSTILE:
                aff = AFFILIATIONS[int(aff_codes[r])].value
                text = f"request {req_id}: track {req.track_id} is now {aff}, not hostile"
                self._withdraw(req_id, t_s, text, out)
                continue
            auth = self.ledger.decisions.get(req_id)
            if auth is None:
                if t_s > req.expires_t_s:
                    self._withdraw(req_id, t_s, f"request {req_id} expired undecided", out)
                continue
            if auth.decision is not Decision.APPROVED:
                continue
            eff = self.effectors[k]
            if self.rounds[k] <= 0:
                self._withdraw(req_id, t_s, f"request {req_id}: {eff.name} has no rounds left", out)
                continue
            earliest = max(0.0, auth.t_s + eff.reaction_s - t_s)
            fire, inter = first_intercept(eff, x[r : r + 1], earliest, self.horizon_s)
            if not np.isfinite(fire[0]):
                text = f"request {req_id}: no feasible intercept by {eff.name} any more"
                self._withdraw(req_id, t_s, text, out)
                continue
            if fire[0] > earliest + FIRE_WINDOW_S:
                continue
            self.ledger.consume(req_id)
            self.ledger.close(req_id)
            del self.open[req_id]
            self.rounds[k] -= 1
            eng = Engagement(
                engagement_id=self.next_engagement_id,
                request_id=req_id,
                track_id=req.track_id,
                effector=eff.name,
                t_s=t_s,
                t_intercept_s=t_s + float(inter[0]),
            )
            self.next_engagement_id += 1
            self.in_flight.append(
                _Shot(engagement=eng, threat_class=THREAT_CLASSES[int(class_codes[r])])
            )
            out.emissions.append((EventKind.ENGAGEMENT_FIRED, eng.engagement_id, eng))

    def _nominate(
        self,
        t_s: float,
        track_ids: NDArray[np.int64],
        x: NDArray[np.float64],
        class_codes: NDArray[np.int8],
        eligible: NDArray[np.bool_],
        out: EngageOutput,
    ) -> None:
        busy = self.busy_tracks()
        cand = np.flatnonzero(
            eligible & ~np.isin(track_ids, np.fromiter(busy, np.int64, len(busy)))
        )
        if cand.size == 0 or not self.effectors:
            return
        committed = [0] * len(self.effectors)
        for k in self.open.values():
            committed[k] += 1
        inter = np.full((cand.size, len(self.effectors)), np.inf)
        for k, eff in enumerate(self.effectors):
            if self.rounds[k] - committed[k] <= 0:
                continue
            fire, t_int = first_intercept(eff, x[cand], eff.reaction_s, self.horizon_s)
            ok = np.isfinite(fire) & (fire <= self.request_expiry_s)
            inter[ok, k] = t_int[ok]
        for i in np.argsort(inter.min(axis=1), kind="stable").tolist():
            k = int(inter[i].argmin())
            if not np.isfinite(inter[i, k]) or self.rounds[k] - committed[k] <= 0:
                continue
            committed[k] += 1
            r = int(cand[i])
            tc = THREAT_CLASSES[int(class_codes[r])]
            dist_m = float(np.linalg.norm(x[r, :3] - np.asarray(self.effectors[k].position_m)))
            req = self.ledger.open_request(
                track_id=int(track_ids[r]),
                effector=self.effectors[k].name,
                t_s=t_s,
                expires_t_s=t_s + self.request_expiry_s,
                reason=(
                    f"hostile {tc.value} at {dist_m / 1000:.1f} km; "
                    f"intercept possible in {inter[i, k]:.0f} s"
                ),
            )
            self.open[req.request_id] = k
            out.emissions.append((EventKind.ENGAGEMENT_REQUESTED, req.request_id, req))

    def _effector_index(self, name: str) -> int:
        return next(i for i, e in enumerate(self.effectors) if e.name == name)
