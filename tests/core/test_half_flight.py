"""The prediction current at half a round's flight, read from the event log alone."""

from __future__ import annotations

import math

from bastion.core.half_flight import half_flight_impacts
from bastion.core.records import (
    Event,
    EventKind,
    ImpactPrediction,
    OriginEstimate,
    TrackReport,
)


def _prediction(track_id: int, t_s: float, t_impact_s: float = 40.0) -> ImpactPrediction:
    return ImpactPrediction(
        track_id=track_id,
        t_s=t_s,
        impact_e_m=t_s,  # tells the predictions apart
        impact_n_m=0.0,
        t_impact_s=t_impact_s,
        ellipse_major_m=1000.0 / t_s,
        ellipse_minor_m=500.0 / t_s,
    )


def _report(track_id: int, t_s: float) -> TrackReport:
    return TrackReport(
        track_id=track_id,
        t_s=t_s,
        position_m=(0.0, 0.0, 100.0),
        velocity_mps=(0.0, 0.0, 0.0),
        position_sigma_m=5.0,
        n_updates=1,
    )


def _origin(track_id: int, t_s: float, t_launch_s: float) -> OriginEstimate:
    return OriginEstimate(
        track_id=track_id,
        t_s=t_s,
        origin_e_m=0.0,
        origin_n_m=0.0,
        origin_u_m=0.0,
        t_launch_s=t_launch_s,
        sigma_t_launch_s=0.1,
        ellipse_major_m=20.0,
        ellipse_minor_m=10.0,
        ellipse_heading_rad=0.0,
        confidence=0.99,
    )


_Payload = ImpactPrediction | OriginEstimate | TrackReport


def _events(payloads: list[_Payload]) -> list[Event]:
    kinds = {
        ImpactPrediction: EventKind.IMPACT_PREDICTED,
        OriginEstimate: EventKind.ORIGIN_ESTIMATED,
        TrackReport: EventKind.TRACK_UPDATED,
    }
    return [
        Event(seq=i, t_s=p.t_s, kind=kinds[type(p)], subject_id=p.track_id, payload=p)
        for i, p in enumerate(payloads)
    ]


def test_flight_starts_at_the_latest_origin_estimate_and_ends_at_the_latest_impact_time() -> None:
    # Launch 10 s (latest origin), impact 40 s (latest prediction): half flight at 25 s.
    payloads: list[_Payload] = [_report(1, 2.0)]
    payloads += [_prediction(1, t, t_impact_s=60.0 if t < 20 else 40.0) for t in range(13, 36, 2)]
    payloads += [_origin(1, 20.0, 4.0), _origin(1, 30.0, 10.0)]
    chosen = half_flight_impacts(_events(payloads))[1]
    assert chosen.t_s == 25.0


def test_without_an_origin_the_flight_starts_at_the_first_track_report() -> None:
    # First seen at 20 s, impact at 40 s: half flight at 30 s.
    payloads: list[_Payload] = [_report(1, 22.0), _report(1, 20.0)]
    payloads += [_prediction(1, t) for t in (21.0, 28.0, 29.5, 30.5, 35.0)]
    assert half_flight_impacts(_events(payloads))[1].t_s == 29.5


def test_a_round_first_predicted_after_half_flight_gets_its_first_prediction() -> None:
    payloads: list[_Payload] = [_origin(1, 30.0, 0.0), _prediction(1, 36.0), _prediction(1, 38.0)]
    assert half_flight_impacts(_events(payloads))[1].t_s == 36.0


def test_unknown_impact_time_gives_the_first_prediction() -> None:
    payloads: list[_Payload] = [_prediction(1, 5.0, math.nan), _prediction(1, 6.0, math.nan)]
    assert half_flight_impacts(_events(payloads))[1].t_s == 5.0


def test_tracks_are_kept_apart_and_event_order_does_not_matter() -> None:
    payloads: list[_Payload] = [_report(1, 0.0), _report(2, 10.0)]
    payloads += [_prediction(1, t) for t in (1.0, 19.0, 21.0)]
    payloads += [_prediction(2, t) for t in (11.0, 24.0, 26.0)]
    events = _events(payloads)
    chosen = half_flight_impacts(reversed(events))
    assert {tid: p.t_s for tid, p in chosen.items()} == {1: 19.0, 2: 24.0}
    no_predictions = [e for e in events if e.kind is not EventKind.IMPACT_PREDICTED]
    assert half_flight_impacts(no_predictions) == {}
