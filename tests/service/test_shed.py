"""Load shedding: per-source queues drained in turn, plots near tracks kept before clutter."""

from __future__ import annotations

import asyncio

import numpy as np

from bastion.core.geo import enu2aer
from bastion.core.measurements import DetectionBatch
from bastion.service import Input, InputKind
from bastion.service.shed import FairQueue, RejectTally, shed_plots
from bastion.tracking.table import TrackTable


def _item(n: int, size: int = 10) -> Input:
    return Input(t_s=float(n), kind=InputKind.DATAGRAM, feed="f", payload=bytes(size))


def test_a_flooding_source_loses_its_own_excess_and_others_keep_their_turn() -> None:
    async def body() -> tuple[list[tuple[str, int]], dict[str, int]]:
        q = FairQueue(max_items=10, max_bytes=1000)
        for n in range(100):
            q.put_nowait("flood", _item(n))
        for n in range(3):
            q.put_nowait("quiet", Input(t_s=float(n), kind=InputKind.DATAGRAM, feed="quiet"))
        return [(i.feed, int(i.t_s)) for i in q.drain(6)], q.take_dropped()

    order, dropped = asyncio.run(body())
    assert order == [("f", 0), ("quiet", 0), ("f", 1), ("quiet", 1), ("f", 2), ("quiet", 2)]
    assert dropped == {"flood": 90}


def test_byte_limit_applies_per_source_and_control_inputs_always_enter() -> None:
    async def body() -> tuple[bool, bool, int]:
        q = FairQueue(max_items=100, max_bytes=100)
        first = q.put_nowait("s", _item(0, 80))
        second = q.put_nowait("s", _item(1, 80))
        q.put_control("s", Input(t_s=2.0, kind=InputKind.CLOSED, conn=1))
        return first, second, len(q)

    first, second, queued = asyncio.run(body())
    assert (first, second, queued) == (True, False, 2)


def test_reject_tally_bounds_reasons() -> None:
    tally = RejectTally(max_reasons=2)
    for i in range(10):
        tally.add("asterix0", f"reason {i}")
    tally.add("asterix0", "reason 0")
    assert tally.take() == [
        "asterix0: reason 0 (x2)",
        "asterix0: reason 1",
        "asterix0: other reasons (x8)",
    ]
    assert tally.take() == []
    assert tally.total == 11


def _batch(points_enu: np.ndarray) -> DetectionBatch:
    aer = enu2aer(points_enu, np.zeros(3))
    n = len(points_enu)
    return DetectionBatch(
        sensor_id="r",
        t_s=1.0,
        sensor_enu_m=np.zeros(3),
        range_m=aer[:, 0],
        az_rad=aer[:, 1],
        el_rad=aer[:, 2],
        range_rate_mps=np.zeros(n),
        rcs_m2=np.full(n, 0.1),
        sigma_range_m=5.0,
        sigma_az_rad=0.01,
        sigma_el_rad=0.01,
        sigma_range_rate_mps=1.0,
        truth_id=np.arange(n, dtype=np.int64),
    )


def test_plots_in_confirmed_tracks_gates_are_kept_before_clutter() -> None:
    table = TrackTable()
    table.append(
        x=np.array([[1000.0, 0, 100, 0, 0, 0], [0.0, 2000, 100, 0, 0, 0]]),
        P=np.tile(np.eye(6), (2, 1, 1)),
        t_s=0.0,
        rcs_log=np.zeros(2),
        range_rate_mps=np.zeros(2),
    )
    table.confirmed[0] = True  # track 1 confirmed, track 2 tentative
    rng = np.random.default_rng(5)
    clutter = rng.uniform(3000, 9000, size=(50, 3)) * np.array([1, 1, 0.1])
    near_confirmed = np.array([[1010.0, 5.0, 100.0]])
    near_tentative = np.array([[5.0, 2010.0, 100.0]])
    batch = _batch(np.vstack([clutter[:25], near_tentative, clutter[25:], near_confirmed]))
    kept, shed = shed_plots([batch], table, budget=2, gate_m=100.0)
    assert shed == 50
    assert sorted(kept[0].truth_id.tolist()) == [25, 51]
    kept1, shed1 = shed_plots([batch], table, budget=1, gate_m=100.0)
    assert (kept1[0].truth_id.tolist(), shed1) == ([51], 51)
    same, none = shed_plots([batch], table, budget=52, gate_m=100.0)
    assert (same[0] is batch, none) == (True, 0)
