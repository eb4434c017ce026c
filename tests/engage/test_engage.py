"""Engagement v1: nomination, human authorisation, firing only through the ledger, assessment.

The bypass tests try every public way to fire without a recorded human approval, or at a friend.
"""

from dataclasses import replace

import numpy as np
import pytest

from bastion.core.engage_params import EffectorKind, EffectorParams, OperatorParams
from bastion.core.errors import AuthorisationError
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Authorisation,
    Decision,
    EventKind,
    ThreatClass,
)
from bastion.engage import ENGAGEMENT_AUTHORITY, AuthorisationLedger, EngageBook, OperatorModel
from bastion.engage.effectors import first_intercept, validate_effector

GUN = EffectorParams(
    name="gun-1",
    kind=EffectorKind.GUN,
    position_m=(0.0, 0.0, 0.0),
    min_range_m=200.0,
    max_range_m=2000.0,
    max_alt_m=1500.0,
    reaction_s=2.0,
    projectile_speed_mps=1000.0,
    pk={ThreatClass.FIXED_WING: 1.0},
    magazine=3,
)
IDS = np.array([11], dtype=np.int64)
INBOUND = np.array([[-4000.0, 0.0, 300.0, 50.0, 0.0, 0.0]])
FW = np.array([THREAT_CLASSES.index(ThreatClass.FIXED_WING)], dtype=np.int8)
HOSTILE = np.array([AFFILIATIONS.index(Affiliation.HOSTILE)], dtype=np.int8)
FRIEND = np.array([AFFILIATIONS.index(Affiliation.FRIEND)], dtype=np.int8)


def _book(seed: int = 1) -> EngageBook:
    return EngageBook([GUN], np.random.default_rng(seed), request_expiry_s=60.0, horizon_s=120.0)


def _approve(req_id: int, t_s: float, role: str = ENGAGEMENT_AUTHORITY) -> Authorisation:
    return Authorisation(
        request_id=req_id, t_s=t_s, decision=Decision.APPROVED, operator="lt-smith", role=role
    )


def _advance(x: np.ndarray, dt: float) -> np.ndarray:
    y = x.copy()
    y[:, :3] += y[:, 3:] * dt
    return y


def test_first_intercept_respects_envelope_and_reaction() -> None:
    fire, inter = first_intercept(GUN, INBOUND, earliest_fire_s=2.0, horizon_s=120.0)
    # Enters 2000 m slant range after ~40 s; the shot leaves ~2 s before intercept.
    assert 39.0 < inter[0] < 42.0 and abs((inter[0] - fire[0]) - 2.0) < 0.1
    away = INBOUND.copy()
    away[0, 3] = -50.0
    assert np.isnan(first_intercept(GUN, away, 2.0, 120.0)[0][0])


def test_full_chain_request_authorise_fire_assess() -> None:
    book = _book()
    out = book.step(0.0, IDS, INBOUND, FW, HOSTILE, [])
    assert [e[0] for e in out.emissions] == [EventKind.ENGAGEMENT_REQUESTED]
    req = out.emissions[0][2]
    out = book.step(5.0, IDS, _advance(INBOUND, 5.0), FW, HOSTILE, [_approve(1, 5.0)])
    assert [e[0] for e in out.emissions] == [EventKind.ENGAGEMENT_AUTHORISED]
    fired = None
    for t in np.arange(6.0, 60.0, 0.5):
        out = book.step(float(t), IDS, _advance(INBOUND, float(t)), FW, HOSTILE, [])
        kinds = [e[0] for e in out.emissions]
        if EventKind.ENGAGEMENT_FIRED in kinds:
            fired = float(t)
        if EventKind.ENGAGEMENT_ASSESSED in kinds:
            assert out.destroyed_track_ids == [11]
            break
    assert fired is not None and 36.0 < fired < 42.0
    assert book.rounds == [2] and req.track_id == 11


def test_no_fire_without_approval_and_denial_closes() -> None:
    book = _book()
    book.step(0.0, IDS, INBOUND, FW, HOSTILE, [])
    for t in np.arange(1.0, 50.0, 1.0):
        out = book.step(float(t), IDS, _advance(INBOUND, float(t)), FW, HOSTILE, [])
        assert EventKind.ENGAGEMENT_FIRED not in [e[0] for e in out.emissions]
    denied = Authorisation(
        request_id=1,
        t_s=50.0,
        decision=Decision.DENIED,
        operator="lt-smith",
        role=ENGAGEMENT_AUTHORITY,
    )
    out = book.step(50.0, IDS, _advance(INBOUND, 50.0), FW, HOSTILE, [denied])
    assert out.emissions[0][0] is EventKind.ENGAGEMENT_DENIED
    assert book.ledger.decisions[1].decision is Decision.DENIED and 1 in book.ledger.closed
    for t in np.arange(51.0, 70.0, 1.0):
        out = book.step(float(t), IDS, _advance(INBOUND, float(t)), FW, HOSTILE, [])
        assert EventKind.ENGAGEMENT_FIRED not in [e[0] for e in out.emissions[:1]]
        assert all(
            p.request_id != 1 for k, _, p in out.emissions if k is EventKind.ENGAGEMENT_FIRED
        )  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("decision", "why"),
    [
        (_approve(99, 1.0), "unknown"),
        (_approve(1, 1.0, role="watch_officer"), "no engagement authority"),
        (_approve(1, 500.0), "expired"),
    ],
)
def test_bad_authorisations_are_refused_as_events(decision: Authorisation, why: str) -> None:
    book = _book()
    book.step(0.0, IDS, INBOUND, FW, HOSTILE, [])
    out = book.step(1.0, IDS, _advance(INBOUND, 1.0), FW, HOSTILE, [decision])
    assert out.emissions[0][0] is EventKind.INPUT_REJECTED
    assert why in out.emissions[0][2].text  # type: ignore[union-attr]
    assert decision.request_id not in book.ledger.decisions
    for t in np.arange(2.0, 60.0, 1.0):
        out = book.step(float(t), IDS, _advance(INBOUND, float(t)), FW, HOSTILE, [])
        assert EventKind.ENGAGEMENT_FIRED not in [e[0] for e in out.emissions]


def test_second_authorisation_of_one_request_is_refused() -> None:
    book = _book()
    book.step(0.0, IDS, INBOUND, FW, HOSTILE, [])
    book.step(1.0, IDS, _advance(INBOUND, 1.0), FW, HOSTILE, [_approve(1, 1.0)])
    out = book.step(2.0, IDS, _advance(INBOUND, 2.0), FW, HOSTILE, [_approve(1, 2.0)])
    assert out.emissions[0][0] is EventKind.INPUT_REJECTED
    assert "already decided" in out.emissions[0][2].text  # type: ignore[union-attr]


def test_ledger_is_the_only_door_and_opens_once() -> None:
    ledger = AuthorisationLedger()
    with pytest.raises(AuthorisationError):
        ledger.consume(1)
    req = ledger.open_request(track_id=1, effector="gun-1", t_s=0.0, expires_t_s=30.0, reason="t")
    with pytest.raises(AuthorisationError):
        ledger.consume(req.request_id)
    assert ledger.decide(_approve(req.request_id, 1.0)) is None
    ledger.consume(req.request_id)
    with pytest.raises(AuthorisationError):
        ledger.consume(req.request_id)


def test_friend_is_never_nominated_and_approved_request_withdrawn_if_friend() -> None:
    book = _book()
    out = book.step(0.0, IDS, INBOUND, FW, FRIEND, [])
    assert out.emissions == []
    book.step(1.0, IDS, _advance(INBOUND, 1.0), FW, HOSTILE, [])
    book.step(2.0, IDS, _advance(INBOUND, 2.0), FW, HOSTILE, [_approve(1, 2.0)])
    # Identified friendly before the shot: the approved request is withdrawn, nothing fires.
    for t in np.arange(3.0, 60.0, 0.5):
        out = book.step(float(t), IDS, _advance(INBOUND, float(t)), FW, FRIEND, [])
        assert EventKind.ENGAGEMENT_FIRED not in [e[0] for e in out.emissions]
    assert book.rounds == [3]


def test_friendly_never_engaged_across_random_runs() -> None:
    rng = np.random.default_rng(7)
    for run in range(200):
        book = _book(run)
        x = INBOUND.copy()
        x[0, :2] = rng.uniform(-3000, 3000, 2)
        x[0, 3:5] = rng.uniform(-60, 60, 2)
        aff = FRIEND if rng.random() < 0.5 else HOSTILE
        turns_friend = rng.uniform(0, 60)
        for t in np.arange(0.0, 60.0, 1.0):
            a = FRIEND if (aff is FRIEND or t >= turns_friend) else HOSTILE
            decisions = [_approve(r, float(t)) for r in list(book.open)]
            out = book.step(float(t), IDS, _advance(x, float(t)), FW, a, decisions)
            for kind, _, payload in out.emissions:
                if kind is EventKind.ENGAGEMENT_FIRED:
                    assert a is HOSTILE, payload


def test_impossible_envelope_reported() -> None:
    bad = replace(GUN, min_range_m=3000.0, pk={ThreatClass.ROCKET: 1.5})
    problems = validate_effector(bad)
    assert any("min_range_m" in p for p in problems) and any("pk" in p for p in problems)


def test_operator_model_is_seeded_and_recorded_with_role() -> None:
    book = _book()
    req = book.step(0.0, IDS, INBOUND, FW, HOSTILE, []).emissions[0][2]
    a = OperatorModel(OperatorParams(delay_median_s=5.0), np.random.default_rng(3)).decide(req)  # type: ignore[arg-type]
    b = OperatorModel(OperatorParams(delay_median_s=5.0), np.random.default_rng(3)).decide(req)  # type: ignore[arg-type]
    assert a == b and a.role == ENGAGEMENT_AUTHORITY and 1.0 < a.t_s < 20.0
