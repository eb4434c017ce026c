"""ADS-B in: SBS-1 lines and Beast frames (pure, ours), Mode S through pyModeS (optional extra
``adsb``, GPL-3.0), CRC-24 (ours), CPR pairing and the stateful aircraft tracker.

This package imports without pyModeS; `decode` and the tracker's frame feeds raise
ModuleNotFoundError naming the extra to install when it is missing.
"""

from __future__ import annotations

from bastion.codecs.adsb.beast import BeastFrame, parse
from bastion.codecs.adsb.crc import address, crc24
from bastion.codecs.adsb.messages import (
    AirbornePosition,
    AirborneVelocity,
    AircraftStatus,
    AllCallReply,
    Identification,
    ModeSMessage,
    OtherMessage,
    SurfacePosition,
    SurveillanceReply,
    TargetState,
)
from bastion.codecs.adsb.modes import decode
from bastion.codecs.adsb.sbs import SbsMessage, parse_line
from bastion.codecs.adsb.tracker import AircraftState, AircraftTracker, TrackerParams

__all__ = [
    "AirbornePosition",
    "AirborneVelocity",
    "AircraftState",
    "AircraftStatus",
    "AircraftTracker",
    "AllCallReply",
    "BeastFrame",
    "Identification",
    "ModeSMessage",
    "OtherMessage",
    "SbsMessage",
    "SurfacePosition",
    "SurveillanceReply",
    "TargetState",
    "TrackerParams",
    "address",
    "crc24",
    "decode",
    "parse",
    "parse_line",
]
