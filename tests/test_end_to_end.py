"""Both scenarios through the whole chain, with seeded outcomes checked against truth."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bastion.cli import summarise_result
from bastion.config import load_scenario
from bastion.core.records import Alert, EngagementRequest, EventKind
from bastion.report.views import build_view
from bastion.runtime import RunResult, RunSummary, run_scenario

ROOT = Path(__file__).resolve().parents[1]
RAID = ROOT / "scenarios" / "al-asad-drone-raid.yaml"
ROCKET = ROOT / "scenarios" / "compound-rocket.yaml"


@pytest.fixture(scope="module")
def raid(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, RunSummary]:
    result = run_scenario(load_scenario(RAID), tmp_path_factory.mktemp("raid") / "run", seed=1)
    return result, summarise_result(result)


@pytest.fixture(scope="module")
def rocket(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, RunSummary]:
    result = run_scenario(load_scenario(ROCKET), tmp_path_factory.mktemp("rocket") / "run", seed=1)
    return result, summarise_result(result)


def test_both_hostile_drones_confirmed_early_and_alerted(
    raid: tuple[RunResult, RunSummary],
) -> None:
    _, summary = raid
    drones = [o for o in summary.objects if o.hostile and o.kind == "fixed_wing"]
    assert len(drones) == 2
    for d in drones:
        assert math.isfinite(d.confirmed_t_s), d.name
        # Confirmed at least 20 s before it would reach the base.
        assert d.lead_s >= 20.0, d
        assert d.alerts, f"{d.name} never alerted on"
        assert d.affiliation == "hostile"


def test_friendly_aircraft_never_engaged(raid: tuple[RunResult, RunSummary]) -> None:
    result, summary = raid
    friendly = [o for o in summary.objects if o.kind == "aircraft"]
    assert friendly and all(not o.hostile for o in friendly)
    assert summary.friendly_engagements == 0
    for ob in friendly:
        assert ob.affiliation == "friend", ob
        requested = {
            ev.payload.track_id
            for ev in result.events
            if ev.kind is EventKind.ENGAGEMENT_REQUESTED
            and isinstance(ev.payload, EngagementRequest)
        }
        assert not requested.intersection(ob.track_ids)


def test_birds_never_alerted(raid: tuple[RunResult, RunSummary]) -> None:
    result, summary = raid
    birds = [o for o in summary.objects if o.kind == "bird"]
    assert birds
    alerted = {ev.payload.track_id for ev in result.events if isinstance(ev.payload, Alert)}
    for b in birds:
        assert not b.alerts and not alerted.intersection(b.track_ids), b


def test_every_engagement_was_authorised_by_a_person_with_authority(
    raid: tuple[RunResult, RunSummary],
) -> None:
    result, _ = raid
    authorised = {
        ev.subject_id for ev in result.events if ev.kind is EventKind.ENGAGEMENT_AUTHORISED
    }
    fired = [ev for ev in result.events if ev.kind is EventKind.ENGAGEMENT_FIRED]
    assert fired, "the raid should see at least one engagement"
    for ev in fired:
        assert ev.payload.request_id in authorised  # type: ignore[union-attr]


def test_rocket_impact_predicted_within_150_m_before_half_flight(
    rocket: tuple[RunResult, RunSummary],
) -> None:
    _, summary = rocket
    rockets = [o for o in summary.objects if o.kind == "rocket"]
    assert len(rockets) == 1
    assert rockets[0].impact_error_m <= 150.0, rockets[0]
    assert rockets[0].alerts, "the compound must be warned"


def test_run_writes_store_report_and_log(raid: tuple[RunResult, RunSummary]) -> None:
    result, _ = raid
    for path in (result.db_path, result.events_path, result.report_path):
        assert path.exists() and path.stat().st_size > 0


def test_same_seed_gives_byte_identical_event_log(tmp_path: Path) -> None:
    loaded = load_scenario(ROCKET)
    a = run_scenario(loaded, tmp_path / "a", seed=5)
    b = run_scenario(loaded, tmp_path / "b", seed=5)
    c = run_scenario(loaded, tmp_path / "c", seed=6)
    assert a.events_path.read_bytes() == b.events_path.read_bytes()
    assert a.events_path.read_bytes() != c.events_path.read_bytes()


def test_report_map_draws_the_impact_ellipse_the_summary_quotes(
    rocket: tuple[RunResult, RunSummary],
) -> None:
    result, summary = rocket
    (line,) = summary.ballistic
    (obj,) = [o for o in summary.objects if o.kind == "rocket"]
    assert line.impact is not None
    drawn = build_view(result.events).half_flight[obj.track_ids[0]]
    assert drawn == line.impact
    # Tens of metres at half the flight (the last prediction's ellipse is a few metres).
    assert drawn.ellipse_major_m >= 30.0, drawn
