"""When the service steps: on data (a closed scan, detections, refusals) and every step period,
not after every datagram; latency is sampled only for steps that took data."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Plot,
    ServiceKind,
    encode_cat034,
    encode_cat048,
)
from bastion.service import Input, InputKind, LiveCore, LiveService

from .core_inputs import EPOCH
from .live_helpers import rehearsal_config

TOD = EPOCH.time_of_day_s(1.0)


def _plots(n: int) -> bytes:
    return encode_cat048(
        [Cat048Plot(sac=25, sic=1, tod_s=TOD, range_m=2000.0 + 50 * i, az_rad=0.1 * i)
         for i in range(n)]
    )  # fmt: skip


def _marker() -> bytes:
    return encode_cat034(
        [Cat034Message(sac=25, sic=1, kind=ServiceKind.NORTH_MARKER, tod_s=TOD + 0.9)]
    )


def _datagram(t_s: float, payload: bytes) -> Input:
    return Input(t_s=t_s, kind=InputKind.DATAGRAM, feed="asterix0", payload=payload)


def test_the_core_is_ready_when_a_scan_closes_not_before() -> None:
    core = LiveCore(rehearsal_config(), EPOCH)
    core.start()
    assert not core.ready(1.0)
    core.feed(_datagram(1.0, _plots(5)))
    assert not core.ready(1.1)  # plots wait in their open scan
    core.feed(_datagram(1.9, _marker()))
    assert core.ready(1.9)
    core.feed(Input(t_s=1.9, kind=InputKind.STEP))
    assert not core.ready(1.95)
    core.feed(_datagram(2.0, b"\x30\x00"))  # truncated: a refusal waits to be reported
    assert core.ready(2.0)


def test_a_reorder_window_holds_readiness_until_the_batch_is_old_enough() -> None:
    core = LiveCore(rehearsal_config(reorder_window_s=0.5), EPOCH)
    core.start()
    core.feed(_datagram(1.0, _plots(5)))
    core.feed(_datagram(1.1, _marker()))  # the batch is stamped with its plots' time, 1.0 s
    assert not core.ready(1.3)
    assert core.ready(1.6)


async def _service_steps(run_dir: Path) -> tuple[list[int], int]:
    # the service's run clock starts 5 s after EPOCH: the plots (stamped 1 s after it) are past
    service = LiveService(
        rehearsal_config(step_period_s=10.0),
        run_dir,
        wall_clock=lambda: EPOCH.utc_at_zero_s + 5.0,
    )
    await service.start()
    steps = []
    for payload in (_plots(5), _plots(5), _marker()):
        service.queue.put_nowait(
            "asterix0", service.input(InputKind.DATAGRAM, 0, payload, feed="asterix0")
        )
        service.process()
        steps.append(service.core.steps)
    latencies = len(service.latencies_s)
    service.request_stop()
    await service.run()
    return steps, latencies


def test_the_service_steps_on_the_closed_scan_only(tmp_path: Path) -> None:
    steps, latencies = asyncio.run(asyncio.wait_for(_service_steps(tmp_path / "run"), 30))
    assert steps == [0, 0, 1]  # two datagrams of plots: no step; the north marker: one
    assert latencies == 1


def test_a_step_reports_when_the_data_it_took_arrived() -> None:
    core = LiveCore(rehearsal_config(reorder_window_s=0.5), EPOCH)
    core.start()
    core.feed(_datagram(1.0, _plots(5)))
    core.feed(_datagram(1.1, _marker()))  # completes the scan (stamped 1.0 s)
    core.feed(Input(t_s=1.2, kind=InputKind.STEP))  # inside the reorder window: nothing taken
    assert core.step_data_arrival_t_s is None
    core.feed(Input(t_s=1.7, kind=InputKind.STEP))  # takes the scan: the marker arrived at 1.1 s
    assert core.step_data_arrival_t_s == 1.1
    core.feed(Input(t_s=2.2, kind=InputKind.STEP))
    assert core.step_data_arrival_t_s is None
