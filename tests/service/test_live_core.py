"""The live core without sockets: feeds decoded, steps run, decisions recorded, bad input refused."""

from __future__ import annotations

import itertools
import json

import numpy as np
from sapient_msg.bsi_flex_335_v2_0 import registration_pb2
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage

from bastion.codecs.asterix import Cat048Plot, encode_cat048
from bastion.codecs.sapient import decode_message, frame, parse_frames
from bastion.core.records import Authorisation, EngagementRequest, Event, EventKind, Note
from bastion.core.serialize import event_to_json
from bastion.service import Input, InputKind, LiveCore
from bastion.service import sapient_sensor as sensor
from bastion.service.config import LimitsSpec

from .core_inputs import EPOCH, radar_a_scans
from .live_helpers import rehearsal_config


def _run(core: LiveCore, inputs: list[Input]) -> list[Event]:
    events = core.start()
    for item in inputs:
        events.extend(core.feed(item).events)
    return events


def _scan_for(core: LiveCore, seconds: int) -> tuple[list[Event], list[tuple[int, SapientMessage]]]:
    """Radar A's scans for `seconds` through `core`: the events and the SAPIENT replies."""
    replies: list[tuple[int, SapientMessage]] = []
    events: list[Event] = []
    for item in radar_a_scans(core.config, seconds):
        out = core.feed(item)
        events.extend(out.events)
        replies.extend(_replies(out.replies))
    return events, replies


def _kinds(events: list[Event]) -> list[EventKind]:
    return [e.kind for e in events]


def _notes(events: list[Event]) -> list[str]:
    return [e.payload.text for e in events if isinstance(e.payload, Note)]


def test_asterix_scans_give_a_confirmed_track_and_an_engagement_request() -> None:
    core = LiveCore(rehearsal_config(), EPOCH)
    events = _run(core, radar_a_scans(core.config, 8))
    assert EventKind.TRACK_CONFIRMED in _kinds(events)
    assert EventKind.ENGAGEMENT_REQUESTED in _kinds(events)
    assert EventKind.INPUT_REJECTED not in _kinds(events)
    assert list(core.pending_requests) == [1]


def _decision(t_s: float, operator: str, role: str, decision: str = "approved") -> Input:
    doc = {"request_id": 1, "decision": decision, "operator": operator, "role": role}
    return Input(t_s=t_s, kind=InputKind.DECISION, feed="api", payload=json.dumps(doc).encode())


def test_a_human_decision_is_recorded_with_operator_and_role() -> None:
    core = LiveCore(rehearsal_config(), EPOCH)
    scans = radar_a_scans(core.config, 8)
    decide = [
        _decision(8.5, "J. Smith", "engagement_authority"),
        Input(t_s=8.6, kind=InputKind.STEP),
    ]
    events = _run(core, scans + decide)
    (ok,) = [e for e in events if e.kind is EventKind.ENGAGEMENT_AUTHORISED]
    assert ok.payload == Authorisation(
        request_id=1,
        t_s=8.5,
        decision=ok.payload.decision,
        operator="J. Smith",
        role="engagement_authority",
    )
    assert ok.payload.decision.value == "approved"
    assert core.pending_requests == {}


def test_a_decision_without_engagement_authority_is_refused_as_an_event() -> None:
    core = LiveCore(rehearsal_config(), EPOCH)
    scans = radar_a_scans(core.config, 8)
    events = _run(
        core, [*scans, _decision(8.5, "Pat", "observer"), Input(t_s=8.6, kind=InputKind.STEP)]
    )
    assert EventKind.ENGAGEMENT_AUTHORISED not in _kinds(events)
    assert any("has no engagement authority" in t for t in _notes(events))
    assert isinstance(core.pending_requests[1], EngagementRequest)


def test_bad_datagrams_are_refused_with_reasons_counted_per_step() -> None:
    core = LiveCore(rehearsal_config(), EPOCH)
    garbage = [Input(t_s=0.1, kind=InputKind.DATAGRAM, feed="asterix0", payload=b"\xff" * 40)] * 50
    bad = [
        *garbage,
        Input(t_s=0.2, kind=InputKind.DATAGRAM, feed="asterix0", payload=b"\x30\x00"),
        Input(t_s=0.2, kind=InputKind.DATAGRAM, feed="asterix0", payload=b"\x30" * 70_000),
        Input(t_s=0.3, kind=InputKind.STEP),
    ]
    events = _run(core, bad)
    notes = _notes(events)[1:]  # the first is run_started's
    assert len(notes) == 3
    assert notes[0].startswith("asterix0: ") and notes[0].endswith("(x50)")
    assert "header truncated" in notes[1]
    assert "exceeds the 65535-byte limit" in notes[2]


def _sapient(conn: int, data: bytes, t_s: float = 1.0) -> Input:
    return Input(t_s=t_s, kind=InputKind.STREAM, feed="sapient", conn=conn, payload=data)


def _replies(out_replies: list[tuple[int, bytes]]) -> list[tuple[int, SapientMessage]]:
    msgs = []
    for conn, data in out_replies:
        payloads, rest = parse_frames(data)
        assert rest == b""
        msgs.extend((conn, decode_message(p)) for p in payloads)
    return msgs


def test_sapient_registration_is_acknowledged_and_bad_frames_answered_with_error() -> None:
    core = LiveCore(rehearsal_config(), EPOCH)
    core.start()
    node = sensor.node_uuid("test")
    dest = core.config.spec.sapient.node_id if core.config.spec.sapient else ""
    core.feed(Input(t_s=0.9, kind=InputKind.OPENED, feed="sapient", conn=1))
    core.feed(Input(t_s=0.9, kind=InputKind.OPENED, feed="sapient", conn=2))
    reg = sensor.registration(node, dest, "radar-b", EPOCH.to_utc_s(1.0))
    out = core.feed(_sapient(1, frame(reg.SerializeToString())))
    ((conn, ack),) = _replies(out.replies)
    assert (conn, ack.WhichOneof("content")) == (1, "registration_ack")
    out = core.feed(_sapient(1, frame(b"\x0a\xff\xff")))
    ((_, err),) = _replies(out.replies)
    assert err.WhichOneof("content") == "error"
    out = core.feed(_sapient(2, (2**32 - 1).to_bytes(4, "little") + b"\x00" * 10))
    ((conn, err4g),) = _replies(out.replies)
    assert (conn, err4g.WhichOneof("content")) == (2, "error")
    assert "4294967295 bytes, above the 1048576-byte limit" in err4g.error.error_message[0]
    assert out.closes == [(2, "frame above the size limit")]
    out = core.feed(_sapient(1, frame(reg.SerializeToString()), t_s=1.01))  # conn 1 still served
    assert [m.WhichOneof("content") for _, m in _replies(out.replies)] == ["registration_ack"]


def test_the_same_inputs_give_the_same_events() -> None:
    logs = []
    for _ in range(2):
        core = LiveCore(rehearsal_config(), EPOCH)
        inputs = [*radar_a_scans(core.config, 8), Input(t_s=9.0, kind=InputKind.STOP)]
        logs.append([event_to_json(e) for e in _run(core, inputs)])
    assert logs[0] == logs[1]
    assert json.loads(logs[0][-1])["kind"] == "run_finished"
    assert np.isfinite(json.loads(logs[0][-1])["t_s"])


def test_over_the_plot_budget_clutter_is_shed_and_the_confirmed_track_kept() -> None:
    core = LiveCore(rehearsal_config(limits=LimitsSpec(max_plots_per_step=10)), EPOCH)
    scans = radar_a_scans(core.config, 8)
    rng = np.random.default_rng(9)
    flooded: list[Input] = []
    for item in scans:
        if item.kind is InputKind.STEP and item.t_s > 4.5:  # from scan 5 on: 40 clutter plots
            t = item.t_s - 0.4
            plots = [
                Cat048Plot(
                    sac=25,
                    sic=1,
                    tod_s=EPOCH.time_of_day_s(t),
                    range_m=float(rng.uniform(4000, 7000)),
                    az_rad=float(rng.uniform(0, 2 * np.pi)),
                    height_m=500.0,
                )
                for _ in range(40)
            ]
            dg = Input(
                t_s=t, kind=InputKind.DATAGRAM, feed="asterix0", payload=encode_cat048(plots)
            )
            flooded.insert(len(flooded) - 1, dg)  # before this scan's north marker
        flooded.append(item)
    events = _run(core, flooded)
    confirmed = [e.t_s for e in events if e.kind is EventKind.TRACK_CONFIRMED]
    assert confirmed and confirmed[0] < 4.5
    updates = [e for e in events if e.kind is EventKind.TRACK_UPDATED and e.t_s > 5.0]
    assert {e.subject_id for e in updates} == {1}
    assert len(updates) >= 3  # one per second (track_update_period_s) while the clutter is shed
    assert sum("plots shed above 10 per step" in t for t in _notes(events)) == 4
    assert core.shed_plots >= 4 * (40 + 1 - 10)  # the radar's own clutter is shed too


def test_zone_alerts_go_to_registered_sapient_nodes_as_sapient_alerts() -> None:
    core = LiveCore(rehearsal_config(), EPOCH)
    core.start()
    node = sensor.node_uuid("listener")
    dest = core.config.spec.sapient.node_id if core.config.spec.sapient else ""
    core.feed(Input(t_s=0.5, kind=InputKind.OPENED, feed="sapient", conn=3))
    reg = sensor.registration(node, dest, "listener", EPOCH.to_utc_s(0.5))
    core.feed(_sapient(3, frame(reg.SerializeToString()), t_s=0.5))
    events, replies = _scan_for(core, 8)
    raised = [e for e in events if e.kind is EventKind.ALERT_RAISED]
    alerts = [(c, m) for c, m in replies if m.WhichOneof("content") == "alert"]
    assert len(alerts) == len(raised) == 1
    conn, msg = alerts[0]
    assert (conn, msg.destination_id, msg.node_id) == (3, node, dest)
    assert "zone hangar" in msg.alert.description
    assert msg.alert.HasField("location")


def test_cameras_are_cued_to_the_top_ranked_threat_and_effectors_never() -> None:
    sapient = rehearsal_config().spec.sapient
    assert sapient is not None
    core = LiveCore(
        rehearsal_config(sapient=sapient.model_copy(update={"cue_period_s": 1.0})), EPOCH
    )
    core.start()
    types = registration_pb2.Registration
    nodes = {
        3: ("camera", [types.NODE_TYPE_CAMERA]),
        4: ("armed-camera", [types.NODE_TYPE_CAMERA, types.NODE_TYPE_KINETIC]),
        5: ("radar", [types.NODE_TYPE_RADAR]),
    }
    for conn, (name, node_types) in nodes.items():
        core.feed(Input(t_s=0.5, kind=InputKind.OPENED, feed="sapient", conn=conn))
        reg = sensor.registration(
            sensor.node_uuid(name), sapient.node_id, name, EPOCH.to_utc_s(0.5)
        )
        del reg.registration.node_definition[:]
        for t in node_types:
            reg.registration.node_definition.add().node_type = t
        core.feed(_sapient(conn, frame(reg.SerializeToString()), t_s=0.5))
    events, replies = _scan_for(core, 8)
    tasks = [(c, m) for c, m in replies if m.WhichOneof("content") == "task"]
    ranked = [e for e in events if e.kind is EventKind.THREAT_RANKED]
    assert ranked and tasks
    assert {c for c, _ in tasks} == {3}  # the camera; never the armed camera, not the radar
    top = next(e.payload for e in ranked if e.payload.rank == 1)
    first = tasks[0][1]
    assert first.destination_id == sensor.node_uuid("camera")
    assert first.task.control == first.task.CONTROL_START
    assert first.task.task_description == f"Bastion track {top.track_id}"
    (loc,) = first.task.command.look_at.location_list.locations
    lat, lon, _ = core.config.scenario.params.site.enu2geodetic(
        np.asarray(core.tracks[top.track_id].position_m)
    )
    # within the few hundred metres the track moved since (0.005 deg is about 500 m)
    assert abs(loc.y - np.degrees(lat)) < 0.005 and abs(loc.x - np.degrees(lon)) < 0.005
    assert len({m.task.task_id for _, m in tasks}) == 1  # one task, its location refreshed
    times = [m.timestamp.seconds + m.timestamp.nanos * 1e-9 for _, m in tasks]
    assert all(b - a >= 1.0 - 1e-6 for a, b in itertools.pairwise(times))  # at most every 1 s
