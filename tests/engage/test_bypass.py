"""Trying to fire without a recorded human authorisation, through every public door of the stage.

The doors: `AuthorisationLedger` (open_request, decide, consume, close and its tables), `EngageBook`
(step with any inputs, its read-only `ledger`, `open`, `in_flight` and the rest), `LedgerView`, the
operator model, and `pipeline.step`. A test below lists the public names of those classes, so a new
public method cannot appear without this file being looked at again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bastion import pipeline
from bastion.config import load_scenario
from bastion.core.engage_params import EffectorKind, EffectorParams, OperatorParams
from bastion.core.errors import AuthorisationError
from bastion.core.records import (
    AFFILIATIONS,
    FRIENDLY,
    THREAT_CLASSES,
    Affiliation,
    Authorisation,
    Decision,
    Engagement,
    EngagementRequest,
    EventKind,
    Note,
    ThreatClass,
)
from bastion.engage import (
    ENGAGEMENT_AUTHORITY,
    AuthorisationLedger,
    EngageBook,
    LedgerView,
    OperatorModel,
)

GUN = EffectorParams(
    name="gun",
    kind=EffectorKind.GUN,
    position_m=(0.0, 0.0, 0.0),
    min_range_m=200.0,
    max_range_m=2000.0,
    max_alt_m=1500.0,
    reaction_s=1.0,
    projectile_speed_mps=1000.0,
    pk={ThreatClass.FIXED_WING: 0.5},
    magazine=20,
    channels=2,
)
FW = THREAT_CLASSES.index(ThreatClass.FIXED_WING)
HOSTILE = AFFILIATIONS.index(Affiliation.HOSTILE)
ROOT = Path(__file__).resolve().parents[2]


def _approval(rid: int, t: float, **kw: object) -> Authorisation:
    fields: dict[str, object] = {
        "request_id": rid,
        "t_s": t,
        "decision": Decision.APPROVED,
        "operator": "capt-jones",
        "role": ENGAGEMENT_AUTHORITY,
    }
    fields.update(kw)
    return Authorisation(**fields)  # type: ignore[arg-type]


def _book() -> EngageBook:
    return EngageBook([GUN], np.random.default_rng(1), request_expiry_s=20.0, horizon_s=120.0)


def _state(t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([[-2500.0 + 50.0 * t, 0.0, 300.0, 50.0, 0.0, 0.0]])
    return np.array([7], dtype=np.int64), x, np.array([FW], np.int8), np.array([HOSTILE], np.int8)


def test_public_surface_is_the_one_these_tests_cover() -> None:
    def public(cls: type) -> set[str]:
        return {n for n in dir(cls) if not n.startswith("_")}

    assert public(AuthorisationLedger) == {
        "open_request", "decide", "consume", "close", "requests", "decisions", "consumed", "closed"
    }  # fmt: skip
    assert public(LedgerView) == {"requests", "decisions", "consumed", "closed"}
    assert public(EngageBook) == {
        "from_scenario", "step", "ledger", "open", "in_flight", "rounds", "busy_tracks", "capacity"
    }  # fmt: skip
    assert public(OperatorModel) == {"decide"}


def test_ledger_consume_demands_a_recorded_approval_once() -> None:
    ledger = AuthorisationLedger()
    with pytest.raises(AuthorisationError, match="no recorded approval"):
        ledger.consume(1)  # no such request
    req = ledger.open_request(track_id=7, effector="gun", t_s=0.0, expires_t_s=20.0, reason="r")
    with pytest.raises(AuthorisationError, match="no recorded approval"):
        ledger.consume(req.request_id)  # undecided
    denied = ledger.open_request(track_id=8, effector="gun", t_s=0.0, expires_t_s=20.0, reason="r")
    assert ledger.decide(_approval(denied.request_id, 1.0, decision=Decision.DENIED)) is None
    with pytest.raises(AuthorisationError, match="no recorded approval"):
        ledger.consume(denied.request_id)
    closed = ledger.open_request(track_id=9, effector="gun", t_s=0.0, expires_t_s=20.0, reason="r")
    assert ledger.decide(_approval(closed.request_id, 1.0)) is None
    ledger.close(closed.request_id)
    with pytest.raises(AuthorisationError, match="closed"):
        ledger.consume(closed.request_id)
    assert ledger.decide(_approval(req.request_id, 1.0)) is None
    assert ledger.consume(req.request_id).operator == "capt-jones"
    with pytest.raises(AuthorisationError, match="already used"):
        ledger.consume(req.request_id)


@pytest.mark.parametrize(
    ("forged", "why"),
    [
        (dict(request_id=99), "unknown engagement request 99"),
        (dict(role="watch_officer"), "no engagement authority"),
        (dict(role="Engagement_Authority"), "no engagement authority"),
        (dict(role=""), "no engagement authority"),
        (dict(operator=""), "names no operator"),
        (dict(operator="   "), "names no operator"),
        (dict(t_s=-1.0), "predates"),
        (dict(t_s=25.0), "expired"),
    ],
)
def test_forged_decisions_are_refused_with_an_event_and_nothing_fires(
    forged: dict[str, object], why: str
) -> None:
    book = _book()
    book.step(0.0, *_state(0.0), [])
    assert list(book.open) == [1]
    rejected: list[str] = []
    for t in np.arange(0.5, 60.0, 0.5):
        decisions = [_approval(**{"rid": 1, "t": float(t), **_renamed(forged)})] if t == 0.5 else []
        out = book.step(float(t), *_state(float(t)), decisions)
        kinds = [k for k, _, _ in out.emissions]
        assert EventKind.ENGAGEMENT_FIRED not in kinds
        assert EventKind.ENGAGEMENT_AUTHORISED not in kinds
        rejected += [
            p.text
            for k, _, p in out.emissions
            if isinstance(p, Note) and k is EventKind.INPUT_REJECTED
        ]
    assert len(rejected) == 1 and why in rejected[0]
    assert not book.ledger.decisions and not book.ledger.consumed


def _renamed(forged: dict[str, object]) -> dict[str, object]:
    out = dict(forged)
    if "request_id" in out:
        out["rid"] = out.pop("request_id")
    if "t_s" in out:
        out["t"] = out.pop("t_s")
    return out


def test_a_second_decision_on_one_request_is_refused_and_cannot_overturn_the_first() -> None:
    book = _book()
    book.step(0.0, *_state(0.0), [])
    book.step(1.0, *_state(1.0), [_approval(1, 1.0, decision=Decision.DENIED)])
    out = book.step(2.0, *_state(2.0), [_approval(1, 2.0)])
    assert out.emissions[0][0] is EventKind.INPUT_REJECTED
    assert "already decided (denied by 'capt-jones'" in out.emissions[0][2].text  # type: ignore[union-attr]
    assert book.ledger.decisions[1].decision is Decision.DENIED


def test_read_only_views_cannot_be_written() -> None:
    book = _book()
    book.step(0.0, *_state(0.0), [])
    with pytest.raises(TypeError):
        book.ledger.decisions[1] = _approval(1, 1.0)  # type: ignore[index]
    with pytest.raises(TypeError):
        book.ledger.requests[5] = book.ledger.requests[1]  # type: ignore[index]
    with pytest.raises(TypeError):
        book.open[5] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        book.ledger.consume(1)  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        book.ledger.decide(_approval(1, 1.0))  # type: ignore[attr-defined]
    assert isinstance(book.in_flight, tuple)


def test_random_inputs_never_fire_without_an_authorisation_event() -> None:
    """Fuzz every public input of the book: random tracks, identities and decisions (real, forged,
    late, duplicated, denials) in random order; every shot must follow its request's authorisation
    event, by an authority, once, and never hit a track identified friendly."""
    rng = np.random.default_rng(2024)
    fired_total = 0
    for run in range(100):
        book = EngageBook(
            [GUN, replace(GUN, name="gun-2", position_m=(500.0, 500.0, 0.0))],
            np.random.default_rng(run),
            request_expiry_s=float(rng.uniform(3.0, 20.0)),
            horizon_s=120.0,
        )
        n = int(rng.integers(1, 6))
        x0 = np.column_stack(
            [
                rng.uniform(-3000, 3000, (n, 2)),
                rng.uniform(50, 800, n),
                rng.uniform(-60, 60, (n, 2)),
                np.zeros(n),
            ]
        )
        aff = rng.integers(0, len(AFFILIATIONS), n).astype(np.int8)
        authorised: dict[int, Authorisation] = {}
        fired: set[int] = set()
        known: list[int] = []
        for t in np.arange(0.0, 40.0, 1.0):
            t = float(t)
            flip = rng.random(n) < 0.1
            aff[flip] = rng.integers(0, len(AFFILIATIONS), int(flip.sum()))
            x = x0.copy()
            x[:, :3] += x[:, 3:] * t
            decisions = []
            for _ in range(int(rng.integers(0, 3))):
                rid = (
                    int(rng.choice(known))
                    if known and rng.random() < 0.8
                    else int(rng.integers(1, 50))
                )
                decisions.append(
                    _approval(
                        rid,
                        t - float(rng.uniform(0.0, 2.0)),
                        decision=Decision.APPROVED if rng.random() < 0.7 else Decision.DENIED,
                        role=ENGAGEMENT_AUTHORITY if rng.random() < 0.7 else "watch_officer",
                        operator="capt-jones" if rng.random() < 0.9 else "",
                    )
                )
            ids = np.arange(1, n + 1, dtype=np.int64)
            out = book.step(t, ids, x, np.full(n, FW, np.int8), aff.copy(), decisions)
            for kind, _, payload in out.emissions:
                if isinstance(payload, EngagementRequest):
                    known.append(payload.request_id)
                elif kind is EventKind.ENGAGEMENT_AUTHORISED:
                    assert isinstance(payload, Authorisation)
                    authorised[payload.request_id] = payload
                elif isinstance(payload, Engagement):
                    auth = authorised[payload.request_id]  # KeyError = fired without the event
                    assert auth.decision is Decision.APPROVED and auth.role == ENGAGEMENT_AUTHORITY
                    assert (
                        auth.operator and auth.t_s <= t and payload.authorised_by == auth.operator
                    )
                    assert payload.request_id not in fired
                    fired.add(payload.request_id)
                    assert AFFILIATIONS[int(aff[payload.track_id - 1])] not in FRIENDLY
        fired_total += len(fired)
    assert fired_total > 20  # the fuzz did reach the firing step


def test_pipeline_refuses_forged_decisions_as_events() -> None:
    loaded = load_scenario(ROOT / "scenarios" / "al-asad-drone-raid.yaml")
    state = pipeline.new_state(loaded.params, np.random.default_rng(1))
    forged = pipeline.StepInputs(
        decisions=[_approval(1, 1.0), _approval(2, 1.0, role="radar_operator")]
    )
    state, events = pipeline.step(state, forged, 1.0)
    assert [e.kind for e in events] == [EventKind.INPUT_REJECTED, EventKind.INPUT_REJECTED]
    assert all("unknown engagement request" in e.payload.text for e in events)  # type: ignore[union-attr]


def test_the_operator_model_only_proposes_decisions() -> None:
    req = EngagementRequest(
        request_id=1, track_id=7, effector="gun", t_s=0.0, expires_t_s=20.0, reason="r"
    )
    clerk = OperatorModel(OperatorParams(role="clerk"), np.random.default_rng(1))
    book = _book()
    book.step(0.0, *_state(0.0), [])
    decision = clerk.decide(req)
    out = book.step(decision.t_s, *_state(decision.t_s), [decision])
    assert out.emissions[0][0] is EventKind.INPUT_REJECTED
    assert "'clerk' has no engagement authority" in out.emissions[0][2].text  # type: ignore[union-attr]
