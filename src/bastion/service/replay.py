"""`bastion replay LOG`: a capture log's inputs fed back through a fresh live core.

The core is a function of its inputs, so the replay's events are the live run's events, byte for
byte in ``events.jsonl`` (same configuration, scenario and epoch, all read from the log's header;
same Bastion version). `speed` paces the inputs on their recorded arrival times (10: ten times
faster than they came; 0: as fast as possible); pacing never changes the events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bastion.codecs.timebase import RunEpoch
from bastion.core.records import Event
from bastion.runtime.runner import prepare_out_dir
from bastion.service.capture import CaptureReader
from bastion.service.config import parse_service_config
from bastion.service.core import LiveCore
from bastion.store import EventStore, RunInfo, write_event_log


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayResult:
    """What a replay produced."""

    events: list[Event]
    inputs: int
    truncated: bool
    out_dir: Path | None


def replay_capture(
    path: Path,
    *,
    speed: float = 0.0,
    out_dir: Path | None = None,
    force: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ReplayResult:
    """Replay the capture log at `path`; with `out_dir`, write a run directory like `serve`'s."""
    reader = CaptureReader.open(path)
    h = reader.header
    config = parse_service_config(h.config_text, h.scenario_text, source=h.config_source)
    epoch = RunEpoch(utc_at_zero_s=h.epoch_utc_s)
    core = LiveCore(config, epoch)
    events = core.start()
    n = 0
    start = clock()
    for item in reader.inputs():
        if speed > 0.0:
            ahead = item.t_s / speed - (clock() - start)
            if ahead > 0.0:
                sleep(ahead)
        events.extend(core.feed(item).events)
        n += 1
    if out_dir is not None:
        prepare_out_dir(out_dir, force)
        with EventStore.create(out_dir / "bastion.sqlite") as store:
            store.record_run(
                RunInfo(
                    scenario_name=config.scenario.params.name,
                    scenario_sha256=config.scenario.sha256,
                    seed=config.scenario.seed,
                    bastion_version=h.bastion_version,
                    started_utc=datetime.fromtimestamp(h.epoch_utc_s, UTC).isoformat(
                        timespec="seconds"
                    ),
                )
            )
            store.append(events)
        write_event_log(out_dir / "events.jsonl", events)
    return ReplayResult(events=events, inputs=n, truncated=reader.truncated, out_dir=out_dir)
