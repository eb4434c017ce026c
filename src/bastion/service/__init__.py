"""The live service: `bastion serve` (feeds in, pipeline in real time, store, outputs, HTTP API),
record and replay (`bastion replay`), and the simulator as live feeds (`bastion simulate --emit`).

    load_service_config(path) -> ServiceConfig
    LiveService(config, run_dir).start() / .run()      the asyncio service
    LiveCore(config, epoch).feed(Input) -> CoreOutput   the deterministic core both run
    replay_capture(path, speed=10) -> ReplayResult
    emit_scenario(loaded, config) -> EmitStats
"""

from __future__ import annotations

from bastion.service.capture import CaptureHeader, CaptureReader, CaptureWriter
from bastion.service.config import (
    ServiceConfig,
    ServiceSpec,
    load_service_config,
    parse_service_config,
)
from bastion.service.core import CoreOutput, LiveCore
from bastion.service.emit import EmitStats, emit_scenario
from bastion.service.inputs import Input, InputKind
from bastion.service.publish import Publications, Publisher, cat062_datagrams
from bastion.service.replay import ReplayResult, replay_capture
from bastion.service.server import LiveService

__all__ = [
    "CaptureHeader",
    "CaptureReader",
    "CaptureWriter",
    "CoreOutput",
    "EmitStats",
    "Input",
    "InputKind",
    "LiveCore",
    "LiveService",
    "Publications",
    "Publisher",
    "ReplayResult",
    "ServiceConfig",
    "ServiceSpec",
    "cat062_datagrams",
    "emit_scenario",
    "load_service_config",
    "parse_service_config",
    "replay_capture",
]
