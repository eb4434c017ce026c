"""Engagement bookkeeping: nominate, wait for the human, fire the model, assess, re-engage.

Per step, in order:
1. effectors refused for an impossible configuration are reported once (`input_rejected`) and take
   no part in anything;
2. human decisions arriving as inputs are validated by the ledger (refusals become `input_rejected`;
   approvals `engagement_authorised`, denials `engagement_denied`, each carrying who and when);
3. reloads that are done refill their effector; shots whose intercept time has come get their effect
   from the seeded model, and jammed drones are watched for the turn home (`assess`);
4. open requests are withdrawn if the track is lost, or its affiliation is no longer one the rules of
   engagement permit (a friend is never fired on); undecided ones expire; approved ones are fired
   through `ledger.consume` -- the only door -- when the intercept geometry allows, or withdrawn once
   no feasible intercept is left;
5. tracks the threat stage says threaten a zone, whose affiliation some weapons state permits
   (hostile; suspect under weapons free), with no request, shot or jam watch open, and not a jammed
   drone flying away, are planned (`plan.Planner`) and assigned by the WTA solver; each assigned pair
   becomes an engagement request. A missed track is free again: shoot-look-shoot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from bastion.core.engage_params import (
    EffectorParams,
    EngageParams,
    NoFireZoneParams,
    RoeSectorParams,
)
from bastion.core.params import ScenarioParams, ZoneParams
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Assessment,
    Authorisation,
    Decision,
    Emission,
    Engagement,
    EventKind,
    Note,
    Outcome,
)
from bastion.engage.assess import Shot, effect, heading_speed, watch_jam
from bastion.engage.effectors import validate_effector
from bastion.engage.ledger import AuthorisationLedger, LedgerView
from bastion.engage.magazine import EffectorState
from bastion.engage.plan import Plan, Planner
from bastion.engage.roe import permitted_anywhere

FIRE_WINDOW_S = 0.5
"""A shot whose ideal firing time falls within this many seconds from now is fired now."""


@dataclass(slots=True)
class EngageOutput:
    """Records this step produced, and the tracks the model says were destroyed."""

    emissions: list[Emission] = field(default_factory=list)
    destroyed_track_ids: list[int] = field(default_factory=list)


class EngageBook:
    """Engagement state of one run: effectors, open requests, shots in flight, the ledger."""

    def __init__(
        self,
        effectors: Sequence[EffectorParams],
        rng: np.random.Generator,
        request_expiry_s: float,
        horizon_s: float,
        *,
        zones: Sequence[ZoneParams] = (),
        no_fire_zones: Sequence[NoFireZoneParams] = (),
        roe_sectors: Sequence[RoeSectorParams] = (),
        params: EngageParams | None = None,
        k_drag_m2pkg: float = 1.0e-4,
        site_alt_m: float = 0.0,
    ) -> None:
        self.refusals = [
            f"effector {e.name!r} refused, it takes no part in engagements: {'; '.join(why)}"
            for e in effectors
            if (why := validate_effector(e))
        ]
        self.effectors = tuple(e for e in effectors if not validate_effector(e))
        self.params = params if params is not None else EngageParams()
        self.planner = Planner(
            self.effectors,
            zones=zones,
            no_fire_zones=no_fire_zones,
            roe_sectors=roe_sectors,
            params=self.params,
            horizon_s=horizon_s,
            k_drag_m2pkg=k_drag_m2pkg,
            site_alt_m=site_alt_m,
        )
        self.states = tuple(EffectorState(e) for e in self.effectors)
        self.rng = rng
        self.request_expiry_s = request_expiry_s
        self.horizon_s = horizon_s
        self._ledger = AuthorisationLedger()
        self._open: dict[int, int] = {}  # request id -> effector index
        self._in_flight: list[Shot] = []
        self._watch: list[Shot] = []
        self.jammed: dict[int, float] = {}  # track id -> when its jam was confirmed (s)
        self._next_engagement_id = 1

    @classmethod
    def from_scenario(cls, p: ScenarioParams, rng: np.random.Generator) -> EngageBook:
        """The book for a scenario's effectors, zones, no-fire zones and rules of engagement."""
        return cls(
            p.effectors,
            rng,
            request_expiry_s=p.threat.request_expiry_s,
            horizon_s=p.threat.horizon_s,
            zones=p.zones,
            no_fire_zones=p.no_fire_zones,
            roe_sectors=p.roe_sectors,
            params=p.engage,
            k_drag_m2pkg=p.threat.rocket_drag_factor_m2pkg,
            site_alt_m=p.site.alt_m,
        )

    @property
    def ledger(self) -> LedgerView:
        """The authorisation ledger, read-only: decisions come in only as `step` inputs."""
        return LedgerView(self._ledger)

    @property
    def open(self) -> Mapping[int, int]:
        """Open requests: request id -> effector index (read-only)."""
        return MappingProxyType(self._open)

    @property
    def in_flight(self) -> tuple[Shot, ...]:
        """Shots fired and not yet assessed."""
        return tuple(self._in_flight)

    @property
    def rounds(self) -> list[int]:
        """Shots left per effector (this load and every reserve load)."""
        return [s.remaining() for s in self.states]

    def busy_tracks(self) -> set[int]:
        """Tracks with an open request, a shot in flight or a jam being watched."""
        busy = {self._ledger.requests[r].track_id for r in self._open}
        return busy | {s.engagement.track_id for s in (*self._in_flight, *self._watch)}

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
        """Advance engagements to `t_s` for the confirmed tracks given as arrays (rows aligned):
        states `x` (N, 6) site ENU m and m/s at `t_s`, class and affiliation codes.

        `threatening` marks the tracks that threaten a defended zone; only those are nominated
        (default: every track).
        """
        out = EngageOutput()
        for text in self.refusals:
            out.emissions.append((EventKind.INPUT_REJECTED, -1, Note(t_s=t_s, text=text)))
        self.refusals = []
        row = {int(t): i for i, t in enumerate(track_ids.tolist())}
        self._decisions(decisions, out)
        for st in self.states:
            st.tick(t_s)
        self._assess(t_s, row, x, out)
        self._progress_requests(t_s, row, x, class_codes, aff_codes, out)
        eligible = permitted_anywhere(aff_codes) & ~np.isin(track_ids, out.destroyed_track_ids)
        if threatening is not None:
            eligible &= threatening
        busy = self.busy_tracks() | self._jammed_away(t_s, track_ids, x)
        eligible &= ~np.isin(track_ids, np.fromiter(busy, np.int64, len(busy)))
        self._nominate(t_s, track_ids, x, class_codes, aff_codes, np.flatnonzero(eligible), out)
        return out

    def _jammed_away(
        self, t_s: float, track_ids: NDArray[np.int64], x: NDArray[np.float64]
    ) -> set[int]:
        """Jammed tracks left alone: within the look time of the confirmation (still turning), or
        flying away from the site (not closing on the origin)."""
        away = set()
        for i, tid in enumerate(track_ids.tolist()):
            since = self.jammed.get(tid)
            if since is None:
                continue
            receding = float(np.dot(x[i, :2], x[i, 3:5])) >= 0.0
            if receding or t_s - since < self.params.jam_look_s:
                away.add(tid)
        return away

    def _decisions(self, decisions: Sequence[Authorisation], out: EngageOutput) -> None:
        for d in decisions:
            refusal = self._ledger.decide(d)
            if refusal is not None:
                note = Note(t_s=d.t_s, text=refusal)
                out.emissions.append((EventKind.INPUT_REJECTED, d.request_id, note))
                continue
            if d.decision is Decision.APPROVED:
                out.emissions.append((EventKind.ENGAGEMENT_AUTHORISED, d.request_id, d))
            else:
                out.emissions.append((EventKind.ENGAGEMENT_DENIED, d.request_id, d))
                self._ledger.close(d.request_id)
                self._open.pop(d.request_id, None)

    def _assessed(self, a: Assessment, out: EngageOutput) -> None:
        out.emissions.append((EventKind.ENGAGEMENT_ASSESSED, a.engagement_id, a))

    def _assess(
        self, t_s: float, row: dict[int, int], x: NDArray[np.float64], out: EngageOutput
    ) -> None:
        still: list[Shot] = []
        for shot in self._in_flight:
            if shot.engagement.t_intercept_s > t_s:
                still.append(shot)
                continue
            u = float(self.rng.random())
            tid = shot.engagement.track_id
            a = effect(shot, self.effectors[shot.k], u, tid in row, t_s)
            self._assessed(a, out)
            if a.outcome is Outcome.DESTROYED:
                out.destroyed_track_ids.append(tid)
            elif a.outcome is Outcome.JAMMED:
                shot.watch_since_t_s = t_s
                self._watch.append(shot)
        self._in_flight = still
        watching: list[Shot] = []
        for shot in self._watch:
            r = row.get(shot.engagement.track_id)
            vel = None if r is None else x[r, 3:]
            if shot.watch_since_t_s == t_s:
                watching.append(shot)
                continue
            a_or_none = watch_jam(shot, vel, t_s, self.params.jam_look_s)
            if a_or_none is None:
                watching.append(shot)
                continue
            self._assessed(a_or_none, out)
            if a_or_none.outcome is Outcome.JAMMED:
                self.jammed[shot.engagement.track_id] = t_s
        self._watch = watching

    def _withdraw(self, req_id: int, t_s: float, text: str, out: EngageOutput) -> None:
        self._ledger.close(req_id)
        del self._open[req_id]
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
        for req_id, k in sorted(self._open.items()):
            req = self._ledger.requests[req_id]
            r = row.get(req.track_id)
            if r is None or req.track_id in out.destroyed_track_ids:
                self._withdraw(req_id, t_s, f"request {req_id}: track {req.track_id} gone", out)
                continue
            eff, st = self.effectors[k], self.states[k]
            if not permitted_anywhere(aff_codes[r : r + 1])[0]:
                aff = AFFILIATIONS[int(aff_codes[r])].value
                text = f"request {req_id}: track {req.track_id} is now {aff}; it may not be engaged"
                self._withdraw(req_id, t_s, text, out)
                continue
            auth = self._ledger.decisions.get(req_id)
            if auth is None:
                if t_s > req.expires_t_s:
                    self._withdraw(req_id, t_s, f"request {req_id} expired undecided", out)
                continue
            if auth.decision is not Decision.APPROVED:
                continue
            if st.remaining() <= 0:
                self._withdraw(req_id, t_s, f"request {req_id}: {eff.name} has no rounds left", out)
                continue
            earliest = max(0.0, auth.t_s + eff.reaction_s - t_s, st.ready_t_s - t_s)
            plan = self.planner.plan(
                x[r : r + 1],
                class_codes[r : r + 1],
                aff_codes[r : r + 1],
                np.full(len(self.effectors), earliest),
                np.array([s.pointing_az_rad for s in self.states]),
                effectors=[k],
            )
            fire = float(plan.fire_s[0, k])
            if not math.isfinite(fire):
                why = self.planner.why_not(plan, 0, k, aff_codes[r : r + 1], earliest)
                text = f"request {req_id}: no feasible intercept by {eff.name} any more: {why}"
                self._withdraw(req_id, t_s, text, out)
                continue
            if fire > earliest + FIRE_WINDOW_S or st.rounds <= 0:
                continue
            point = self.planner.intercept_point(plan, 0, k)
            az = math.atan2(point[0] - eff.position_m[0], point[1] - eff.position_m[1])
            heading, speed = heading_speed(x[r, 3:])
            shot = Shot(
                engagement=self._engagement(self._ledger.consume(req_id), k, t_s, plan, az),
                k=k,
                threat_class=THREAT_CLASSES[int(class_codes[r])],
                heading_rad=heading,
                speed_mps=speed,
            )
            self._ledger.close(req_id)
            del self._open[req_id]
            self._in_flight.append(shot)
            out.emissions.append(
                (EventKind.ENGAGEMENT_FIRED, shot.engagement.engagement_id, shot.engagement)
            )

    def _engagement(
        self, auth: Authorisation, k: int, t_s: float, plan: Plan, az_rad: float
    ) -> Engagement:
        """Fire the model under `auth`, the approval `ledger.consume` just handed out."""
        req = self._ledger.requests[auth.request_id]
        eff = self.effectors[k]
        self.states[k].fire(t_s, az_rad)
        eng = Engagement(
            engagement_id=self._next_engagement_id,
            request_id=auth.request_id,
            track_id=req.track_id,
            effector=eff.name,
            t_s=t_s,
            t_intercept_s=t_s + float(plan.intercept_s[0, k]),
            authorised_by=auth.operator,
            cost_usd=eff.cost_per_shot_usd,
        )
        self._next_engagement_id += 1
        return eng

    def capacity(self) -> NDArray[np.int64]:
        """Shots each effector can still be nominated for now (free channels, rounds not promised)."""
        committed = np.zeros(len(self.effectors), dtype=np.int64)
        for k in self._open.values():
            committed[k] += 1
        busy = committed.copy()
        for shot in (*self._in_flight, *self._watch):
            busy[shot.k] += 1
        channels = np.array([e.channels for e in self.effectors], dtype=np.int64)
        rounds = np.array([s.available() for s in self.states], dtype=np.int64)
        cap: NDArray[np.int64] = np.maximum(np.minimum(channels - busy, rounds - committed), 0)
        return cap

    def _nominate(
        self,
        t_s: float,
        track_ids: NDArray[np.int64],
        x: NDArray[np.float64],
        class_codes: NDArray[np.int8],
        aff_codes: NDArray[np.int8],
        cand: NDArray[np.int64],
        out: EngageOutput,
    ) -> None:
        cap = self.capacity()
        if cand.size == 0 or not cap.any():
            return
        earliest = np.array(
            [
                max(self.params.decision_allowance_s + e.reaction_s, s.ready_t_s - t_s)
                for e, s in zip(self.effectors, self.states, strict=True)
            ]
        )
        pointing = np.array([s.pointing_az_rad for s in self.states])
        use = [k for k in range(len(self.effectors)) if cap[k] > 0]
        plan = self.planner.plan(
            x[cand], class_codes[cand], aff_codes[cand], earliest, pointing, use
        )
        usable = np.nan_to_num(plan.fire_s, nan=np.inf) <= self.request_expiry_s
        result = self.planner.assign(plan, cap, usable=usable)
        pairs = sorted(result.pairs(), key=lambda p: (plan.intercept_s[p], p))
        for i, k in pairs:
            r = int(cand[i])
            req = self._ledger.open_request(
                track_id=int(track_ids[r]),
                effector=self.effectors[k].name,
                t_s=t_s,
                expires_t_s=t_s + self.request_expiry_s,
                reason=self.planner.describe(plan, i, k, class_codes[r], aff_codes[r]),
            )
            self._open[req.request_id] = k
            out.emissions.append((EventKind.ENGAGEMENT_REQUESTED, req.request_id, req))
