"""The pipeline with stub neighbours: hand-made detection batches and ADS-B reports, no simulator."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from bastion import pipeline
from bastion.core.measurements import CooperativeReport
from bastion.core.records import Authorisation, Decision, Event, EventKind, ThreatClass
from bastion.engage import ENGAGEMENT_AUTHORITY
from bastion.pipeline import ReportClock
from stub_pipeline import PARAMS, radar_look


def _run(with_adsb: bool, seconds: int = 80) -> list[Event]:
    rng = np.random.default_rng(4)
    state = pipeline.new_state(PARAMS, np.random.default_rng(1))
    start = np.array([-6000.0, 300.0, 400.0])
    vel = np.array([50.0, 0.0, 0.0])
    events: list[Event] = []
    decisions: list[Authorisation] = []
    for k in range(1, seconds + 1):
        t = float(k)
        pos = start + vel * t
        coop = []
        if with_adsb:
            coop = [
                CooperativeReport(
                    source="adsb",
                    ident="AE1234",
                    callsign="RCH123",
                    t_s=t,
                    position_m=tuple(pos.tolist()),  # type: ignore[arg-type]
                    velocity_mps=(50.0, 0.0, 0.0),
                )
            ]
        inputs = pipeline.StepInputs(
            batches=[radar_look(t, pos[None, :], 0.1, rng)], cooperative=coop, decisions=decisions
        )
        decisions = []
        state, new = pipeline.step(state, inputs, t)
        for ev in new:
            if ev.kind is EventKind.ENGAGEMENT_REQUESTED:
                decisions.append(
                    Authorisation(
                        request_id=ev.subject_id,
                        t_s=t + 0.5,
                        decision=Decision.APPROVED,
                        operator="capt-jones",
                        role=ENGAGEMENT_AUTHORITY,
                    )
                )
        events.extend(new)
    return events


def test_inbound_drone_confirmed_identified_alerted_and_engaged_after_approval() -> None:
    events = _run(with_adsb=False)
    kinds = [e.kind for e in events]
    assert EventKind.TRACK_CONFIRMED in kinds
    ident = [e for e in events if e.kind is EventKind.IDENTITY_CHANGED]
    assert ident[-1].payload.affiliation.value == "hostile"  # type: ignore[union-attr]
    assert ident[-1].payload.threat_class is ThreatClass.FIXED_WING  # type: ignore[union-attr]
    alerts = [e for e in events if e.kind is EventKind.ALERT_RAISED]
    assert [a.payload.zone for a in alerts] == ["hq"]  # type: ignore[union-attr]
    first_alert = alerts[0].t_s
    # Reaches hq's edge at 116 s: the alert must come long before.
    assert first_alert < 60.0
    order = [k for k in kinds if k.value.startswith("engagement")]
    assert order[:3] == [
        EventKind.ENGAGEMENT_REQUESTED,
        EventKind.ENGAGEMENT_AUTHORISED,
        EventKind.ENGAGEMENT_FIRED,
    ]
    assert [e.seq for e in events] == list(range(len(events)))


def test_same_target_with_adsb_is_friend_and_never_engaged() -> None:
    events = _run(with_adsb=True)
    ident = [e for e in events if e.kind is EventKind.IDENTITY_CHANGED]
    assert ident and all(e.payload.affiliation.value == "friend" for e in ident)  # type: ignore[union-attr]
    assert not any(e.kind.value.startswith("engagement") for e in events)
    assert not any(e.kind is EventKind.ALERT_RAISED for e in events)


@given(
    st.lists(
        st.tuples(st.sampled_from(["mark", "forget"]), st.lists(st.integers(0, 30), unique=True)),
        max_size=30,
    )
)
def test_report_clock_behaves_like_a_dictionary_of_last_times(ops: list) -> None:  # type: ignore[type-arg]
    clock, ref = ReportClock(), {}  # type: ignore[var-annotated]
    for t, (op, ids) in enumerate(ops):
        arr = np.array(ids, dtype=np.int64)
        if op == "mark":
            clock.mark(arr, float(t))
            ref.update(dict.fromkeys(ids, float(t)))
        else:
            clock.forget(arr)
            for i in ids:
                ref.pop(i, None)
        probe = np.arange(0, 31, dtype=np.int64)
        expected = [ref.get(int(i), -np.inf) for i in probe]
        assert clock.last(probe).tolist() == expected


def test_a_track_confirmed_in_a_step_is_not_also_updated_in_it() -> None:
    """Batches that reach a step more than `update_period_s` late (a delayed feed, a reorder
    window): the step that confirms a track reports it once, as confirmed, not also as updated."""
    rng = np.random.default_rng(4)
    state = pipeline.new_state(PARAMS, np.random.default_rng(1))
    start, vel = np.array([-6000.0, 300.0, 400.0]), np.array([50.0, 0.0, 0.0])
    steps: list[list[Event]] = []
    for k in range(1, 12):
        t = float(k)
        batch = radar_look(t, (start + vel * t)[None, :], 0.1, rng)
        state, new = pipeline.step(state, pipeline.StepInputs(batches=[batch]), t + 1.5)
        steps.append(new)
    kinds = [[e.kind for e in new if e.subject_id >= 0] for new in steps]
    confirmed_at = [i for i, ks in enumerate(kinds) if EventKind.TRACK_CONFIRMED in ks]
    assert len(confirmed_at) == 1
    first = confirmed_at[0]
    assert EventKind.TRACK_UPDATED not in kinds[first]
    assert all(EventKind.TRACK_UPDATED in ks for ks in kinds[first + 1 :])  # then every step
