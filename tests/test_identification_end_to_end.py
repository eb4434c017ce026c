"""Identification through the whole chain: no friend is ever hostile, the shadow is caught in time.

Every shipped scenario runs (seed 1), and the returning-friendly scenario with five seeds and with
the shadow cloning the friend's Remote ID serial. Truth tells which tracks belong to which object
(`summarise_result`); every IDENTITY_CHANGED event of a friendly object's tracks is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.cli import summarise_result
from bastion.config import load_scenario, parse_scenario
from bastion.core.records import Affiliation, EventKind, Identity, SpoofAlert
from bastion.runtime import RunResult, RunSummary, run_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
RETURNING = ROOT / "scenarios" / "returning-friendly.yaml"
SERIAL = "1581F5FKD2280001"
Run = tuple[RunResult, RunSummary]


def _run(tmp: Path, scenario: Path | str, seed: int, text: str | None = None) -> Run:
    loaded = parse_scenario(text, source="clone.yaml") if text else load_scenario(scenario)
    result = run_scenario(loaded, tmp / f"{Path(scenario).stem}-{seed}", seed=seed)
    return result, summarise_result(result)


def _identities(run: Run, name: str) -> list[Identity]:
    result, summary = run
    (obj,) = [o for o in summary.objects if o.name == name]
    tracks = set(obj.track_ids)
    return [
        ev.payload
        for ev in result.events
        if isinstance(ev.payload, Identity) and ev.subject_id in tracks
    ]


def _first(idents: list[Identity], affs: set[Affiliation]) -> float:
    return min((i.t_s for i in idents if i.affiliation in affs), default=float("inf"))


@pytest.fixture(scope="module")
def returning(tmp_path_factory: pytest.TempPathFactory) -> list[Run]:
    tmp = tmp_path_factory.mktemp("returning")
    return [_run(tmp, RETURNING, seed) for seed in range(1, 6)]


@pytest.fixture(scope="module")
def cloned(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The shadow broadcasts the friend's own Remote ID serial (a copied serial)."""
    text = RETURNING.read_text(encoding="utf-8")
    marker = "    rcs_m2: 0.1\n    dive_angle_deg: 30.0\n"
    assert text.count(marker) == 1
    text = text.replace(marker, marker + f'    remote_id_serial: "{SERIAL}"\n')
    return _run(tmp_path_factory.mktemp("cloned"), "cloned", 1, text)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_no_friendly_object_is_ever_identified_hostile(scenario: Path, tmp_path: Path) -> None:
    run = _run(tmp_path, scenario, 1)
    friendly = [o for o in run[1].objects if not o.hostile]
    for obj in friendly:
        hostile = [i for i in _identities(run, obj.name) if i.affiliation is Affiliation.HOSTILE]
        assert not hostile, (obj.name, hostile[:1])
    assert run[1].friendly_engagements == 0


def test_returning_friend_is_friend_within_seconds_and_never_less(returning: list[Run]) -> None:
    for run in returning:
        idents = _identities(run, "shadow-friendly")
        assert idents, "the friendly drone must be tracked and identified"
        # Assumed friend (its flight plan) at most until its Remote ID correlates, then friend.
        assert {i.affiliation for i in idents} <= {Affiliation.FRIEND, Affiliation.ASSUMED_FRIEND}
        friend_t = _first(idents, {Affiliation.FRIEND})
        assert friend_t - idents[0].t_s <= 5.0, idents[:3]
        assert SERIAL in next(i.reason for i in idents if i.t_s == friend_t)
        assert idents[-1].affiliation is Affiliation.FRIEND


def test_shadow_is_suspect_or_hostile_long_before_it_reaches_the_base(
    returning: list[Run],
) -> None:
    for run in returning:
        (shadow,) = [o for o in run[1].objects if o.name == "owa-shadow"]
        idents = _identities(run, "owa-shadow")
        caught = _first(idents, {Affiliation.SUSPECT, Affiliation.HOSTILE})
        # Within 10 s of its track's confirmation, and more than three minutes before arrival.
        assert caught <= shadow.confirmed_t_s + 10.0, idents[:3]
        assert shadow.arrival_t_s - caught >= 180.0, (caught, shadow.arrival_t_s)
        assert "shadow-1-return" in next(i.reason for i in idents if i.t_s == caught)
        # It is never taken for a friend.
        assert _first(idents, {Affiliation.FRIEND, Affiliation.ASSUMED_FRIEND}) == float("inf")
        # Once it breaks off the corridor it is hostile, and the living quarters are warned.
        assert idents[-1].affiliation is Affiliation.HOSTILE
        assert any(a.zone == "living-quarters" for a in shadow.alerts)


def test_copied_serial_raises_a_spoof_alert_and_neither_track_is_trusted(cloned: Run) -> None:
    result, summary = cloned
    spoofs = [ev.payload for ev in result.events if isinstance(ev.payload, SpoofAlert)]
    assert spoofs
    assert {s.ident for s in spoofs} == {SERIAL}
    assert "two_places" in {s.check for s in spoofs}
    friend = _identities(cloned, "shadow-friendly")
    shadow = _identities(cloned, "owa-shadow")
    assert Affiliation.HOSTILE not in {i.affiliation for i in friend}
    assert Affiliation.SUSPECT in {i.affiliation for i in shadow}
    (obj,) = [o for o in summary.objects if o.name == "owa-shadow"]
    assert obj.arrival_t_s - _first(shadow, {Affiliation.SUSPECT}) >= 180.0
    assert any(ev.kind is EventKind.SPOOF_ALERT and ev.subject_id in obj.track_ids
               for ev in result.events)  # fmt: skip
