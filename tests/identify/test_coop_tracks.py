"""The cooperative-only track table on its own: creation, updates, timeout, hand-over to radar."""

from __future__ import annotations

import math

import numpy as np

from bastion.core.measurements import CooperativeReport
from bastion.core.records import EventKind, TrackLost, TrackReport
from bastion.identify.coop_tracks import COOP_ID_BASE, NOMINAL_SIGMA_M, CoopTracks, is_cooperative


def _rep(
    t: float,
    e: float,
    ident: str = "AE1234",
    v: tuple[float, float, float] = (100.0, 0.0, 0.0),
    flags: tuple[str, ...] = (),
    sigma: float = 12.0,
    callsign: str = "RCH123",
) -> CooperativeReport:
    return CooperativeReport(
        source="adsb",
        ident=ident,
        callsign=callsign,
        t_s=t,
        position_m=(e, 5000.0, 1500.0),
        velocity_mps=v,
        flags=flags,
        position_sigma_m=sigma,
    )


def _none(n: int) -> np.ndarray:
    return np.full(n, -1, dtype=np.int64)


def test_uncorrelated_report_starts_a_track_that_later_reports_update() -> None:
    book = CoopTracks()
    out = book.step(1.0, [_rep(1.0, 0.0), _rep(1.0, 0.0, ident="AE9999")], _none(2))
    kinds = [k for k, _, _ in out.emissions]
    assert kinds == [EventKind.TRACK_CONFIRMED, EventKind.TRACK_CONFIRMED]
    assert out.match.tolist() == [COOP_ID_BASE, COOP_ID_BASE + 1]
    first = out.emissions[0][2]
    assert isinstance(first, TrackReport)
    assert first.position_sigma_m == 12.0
    assert first.n_updates == 1
    out = book.step(2.0, [_rep(2.0, 100.0)], _none(1))
    assert out.match.tolist() == [COOP_ID_BASE]
    upd = [p for k, _, p in out.emissions if k is EventKind.TRACK_UPDATED]
    assert len(upd) == 1 and isinstance(upd[0], TrackReport)
    assert upd[0].position_m == (100.0, 5000.0, 1500.0) and upd[0].n_updates == 2
    ids, x, t = book.state()
    assert ids.tolist() == [COOP_ID_BASE, COOP_ID_BASE + 1]
    assert is_cooperative(ids).all() and not is_cooperative(np.array([0, 5, -1])).any()
    assert t.tolist() == [2.0, 1.0]
    assert x[0, 3] == 100.0


def test_updates_are_rate_bounded_and_only_for_new_reports() -> None:
    book = CoopTracks(update_period_s=2.0)
    book.step(0.0, [_rep(0.0, 0.0)], _none(1))
    n_upd = 0
    for k in range(1, 11):
        t = 0.5 * k
        out = book.step(t, [_rep(t, 50.0 * t)], _none(1))
        n_upd += sum(kind is EventKind.TRACK_UPDATED for kind, _, _ in out.emissions)
    assert n_upd == 2  # at 2.0 s and 4.0 s
    out = book.step(6.0, [], _none(0))  # a report at 5.0 s not published yet (last at 4.0 s)
    assert [k for k, _, _ in out.emissions] == [EventKind.TRACK_UPDATED]
    out = book.step(8.5, [], _none(0))  # nothing new since it was published
    assert out.emissions == []


def test_track_is_lost_after_the_timeout() -> None:
    book = CoopTracks(timeout_s=10.0)
    book.step(1.0, [_rep(1.0, 0.0)], _none(1))
    assert book.step(11.0, [], _none(0)).emissions == []
    out = book.step(11.5, [], _none(0))
    assert [k for k, _, _ in out.emissions] == [EventKind.TRACK_LOST]
    lost = out.emissions[0][2]
    assert isinstance(lost, TrackLost) and "no cooperative report for 10 s" in lost.reason
    assert out.ended_ids.tolist() == [COOP_ID_BASE] and len(book) == 0
    # The same aircraft reporting again is a new track with a new id.
    out = book.step(12.0, [_rep(12.0, 0.0)], _none(1))
    assert out.match.tolist() == [COOP_ID_BASE + 1]


def test_correlation_with_radar_ends_the_track_and_names_the_radar_track() -> None:
    book = CoopTracks()
    book.step(1.0, [_rep(1.0, 0.0)], _none(1))
    out = book.step(2.0, [_rep(2.0, 100.0)], np.array([7], dtype=np.int64))
    assert out.match.tolist() == [-1]
    assert [k for k, _, _ in out.emissions] == [EventKind.TRACK_LOST]
    lost = out.emissions[0][2]
    assert isinstance(lost, TrackLost) and "correlated with radar track 7" in lost.reason
    assert out.ended_ids.tolist() == [COOP_ID_BASE] and len(book) == 0


def test_reports_held_by_a_radar_track_never_start_a_track() -> None:
    book = CoopTracks()
    out = book.step(1.0, [_rep(1.0, 0.0)], _none(1), held=np.array([True]))
    assert out.emissions == [] and out.match.tolist() == [-1] and len(book) == 0


def test_unknown_velocity_is_differenced_and_missing_accuracy_is_nominal() -> None:
    book = CoopTracks()
    flags = ("velocity_unknown",)
    out = book.step(1.0, [_rep(1.0, 0.0, v=(0.0, 0.0, 0.0), flags=flags, sigma=math.nan)], _none(1))
    rep = out.emissions[0][2]
    assert isinstance(rep, TrackReport) and rep.position_sigma_m == NOMINAL_SIGMA_M["adsb"]
    book.step(3.0, [_rep(3.0, 160.0, v=(0.0, 0.0, 0.0), flags=flags)], _none(1))
    _, x, _ = book.state()
    assert x[0, 3:].tolist() == [80.0, 0.0, 0.0]
    book.step(3.5, [_rep(3.5, 200.0, v=(0.0, 0.0, 0.0), flags=flags)], _none(1))
    _, x, _ = book.state()
    assert x[0, 3:].tolist() == [80.0, 0.0, 0.0]  # too short to difference: kept


def test_same_inputs_same_tracks() -> None:
    def run() -> list[object]:
        book = CoopTracks()
        out: list[object] = []
        for k in range(30):
            t = float(k)
            reps = [_rep(t, 10.0 * k, ident=f"A{j}") for j in range(3) if (k + j) % 4]
            out.extend(book.step(t, reps, _none(len(reps))).emissions)
        return out

    assert run() == run()


def test_reports_name_the_track_with_source_address_and_latest_callsign() -> None:
    book = CoopTracks(update_period_s=1.0)
    out = book.step(1.0, [_rep(1.0, 0.0, ident="4CA2D1", callsign="")], _none(1))
    first = out.emissions[0][2]
    assert isinstance(first, TrackReport)
    assert (first.coop_source, first.coop_ident, first.callsign) == ("adsb", "4CA2D1", "")
    book.step(2.0, [_rep(2.0, 100.0, ident="4CA2D1", callsign="EIN12")], _none(1))
    out = book.step(3.0, [_rep(3.0, 200.0, ident="4CA2D1", callsign="")], _none(1))
    (upd,) = [p for k, _, p in out.emissions if k is EventKind.TRACK_UPDATED]
    assert isinstance(upd, TrackReport)
    assert upd.callsign == "EIN12"  # a report without one keeps the last
    book.step(4.0, [_rep(4.0, 0.0, ident="AE0001", callsign="RCH9")], _none(1))
    out = book.step(20.0, [_rep(20.0, 0.0, ident="AE0001", callsign="")], _none(1))
    # 4CA2D1 timed out; AE0001's row moved up and kept its own callsign.
    (upd,) = [p for k, _, p in out.emissions if k is EventKind.TRACK_UPDATED]
    assert isinstance(upd, TrackReport)
    assert (upd.coop_ident, upd.callsign) == ("AE0001", "RCH9")
