"""The layered al-Asad scenario through the whole chain: every effector kind, jamming, ROE, no-fire."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bastion.cli import summarise_result
from bastion.config import load_scenario
from bastion.core.records import Assessment, Authorisation, Engagement, EngagementRequest, EventKind
from bastion.runtime import RunResult, RunSummary, run_scenario

ROOT = Path(__file__).resolve().parents[1]
LAYERED = ROOT / "scenarios" / "al-asad-layered.yaml"


@pytest.fixture(scope="module")
def layered(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, RunSummary]:
    result = run_scenario(
        load_scenario(LAYERED), tmp_path_factory.mktemp("layered") / "run", seed=1
    )
    return result, summarise_result(result)


def test_no_leakers_and_no_friend_engaged(layered: tuple[RunResult, RunSummary]) -> None:
    _, summary = layered
    assert summary.leakers == ()
    assert summary.friendly_engagements == 0
    c130 = next(o for o in summary.objects if o.name == "rch456")
    assert c130.affiliation in ("friend", "assumed_friend", "neutral") and not c130.engagements


def test_quadcopters_are_jammed_and_turn_home(layered: tuple[RunResult, RunSummary]) -> None:
    result, summary = layered
    quads = [o for o in summary.objects if o.kind == "multirotor"]
    assert len(quads) == 2 and not any(q.leaked for q in quads)
    jammed = [q for q in quads if q.fate.startswith("jammed at")]
    assert jammed and all("turned home" in q.fate for q in jammed)
    for q in jammed:
        k = result.world.names.index(q.name)
        assert math.isfinite(result.world.jammed_t_s(k)) and math.isnan(result.world.impact_t_s(k))
    confirmed = [
        ev.payload
        for ev in result.events
        if isinstance(ev.payload, Assessment) and "returning home" in ev.payload.reason
    ]
    assert len(confirmed) >= len(jammed)


def test_every_engagement_shows_who_authorised_it_and_after_how_long(
    layered: tuple[RunResult, RunSummary],
) -> None:
    result, summary = layered
    authorised = {
        ev.subject_id: ev.payload
        for ev in result.events
        if ev.kind is EventKind.ENGAGEMENT_AUTHORISED
    }
    fired = [ev for ev in result.events if isinstance(ev.payload, Engagement)]
    assert len(fired) >= 4
    for ev in fired:
        eng = ev.payload
        assert isinstance(eng, Engagement)
        auth = authorised[eng.request_id]
        assert isinstance(auth, Authorisation) and auth.t_s <= ev.t_s
        assert eng.authorised_by == auth.operator == "operator-model"
    lines = [e for o in summary.objects for e in o.engagements if e.outcome != "not fired"]
    assert lines and all(e.operator == "operator-model" and e.decided_after_s > 0 for e in lines)


def test_requests_explain_the_zone_the_rule_and_the_assignment(
    layered: tuple[RunResult, RunSummary],
) -> None:
    result, _ = layered
    reasons = [
        ev.payload.reason for ev in result.events if isinstance(ev.payload, EngagementRequest)
    ]
    assert reasons
    for text in reasons:
        assert "threatening" in text and "weapons " in text and "optimal assignment" in text
    effectors = {ev.payload.effector for ev in result.events if isinstance(ev.payload, Engagement)}
    assert {"sam-centre", "jammer-west"} <= effectors
