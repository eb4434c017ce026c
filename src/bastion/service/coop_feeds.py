"""Cooperative feeds: ADS-B (SBS-1 or Beast over a TCP client) and Remote ID (UDP) -> reports.

    AdsbFeed      bytes of one ADS-B TCP stream -> `CooperativeReport`s (source "adsb")
    RemoteIdFeed  UDP datagrams of Open Drone ID messages -> `CooperativeReport`s ("remote_id")

ADS-B: ``sbs`` is BaseStation text (port 30003: one ``MSG,...`` line per message, LF or CRLF);
``beast`` is Beast binary (port 30005; layout in `bastion.codecs.adsb.beast`). The decoding and the
per-aircraft state are the codecs' (`AircraftTracker`); this module only cuts the stream into lines
or frames and keeps what a read cut off for the next read.

Remote ID over UDP: each datagram carries exactly one Open Drone ID message (25 bytes) or one
Message Pack (type 0xF), as ASTM F3411 encodes them, with no counter and no link-layer framing
(what a Wi-Fi or Bluetooth receiver forwards after stripping its transport). A Message Pack
with a Basic ID is that UAS's own state; single messages of one feed are all joined as one
transmitter's, so a feed carrying several aircraft should send message packs.

Decode errors never stop a feed. They are counted and reported through `FeedOutput.rejects` at most
once per `REJECT_PERIOD_S` of run time per feed (the count and the first reason since the last
report), so a garbage stream cannot flood the event store.
"""

from __future__ import annotations

import math
from typing import Final

from bastion.codecs.adsb import AircraftTracker
from bastion.codecs.adsb import beast as beast_codec
from bastion.codecs.remoteid import (
    BasicId,
    Broadcast,
    MessagePack,
    RemoteIdReceiver,
    decode_message,
    flatten,
)
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.measurements import CooperativeReport
from bastion.service.feeds import FeedOutput

REJECT_PERIOD_S: Final = 1.0
"""Run seconds between two reject reports of one feed."""
MAX_LINE_BYTES: Final = 4096
"""An SBS line longer than this (no newline) is refused and dropped."""


class RejectGate:
    """Decode errors of one feed, reported at most once per `REJECT_PERIOD_S` with their count."""

    def __init__(self, name: str) -> None:
        """No errors yet; the first one is reported at once."""
        self.name = name
        self.count = 0
        self.total = 0
        self._first = ""
        self._last_t_s = -math.inf

    def add(self, reason: str) -> None:
        """Count one error."""
        if not self.count:
            self._first = reason
        self.count += 1
        self.total += 1

    def report(self, t_s: float, out: FeedOutput, *, force: bool = False) -> None:
        """Report what was counted if the period is up at run time `t_s` (or `force`)."""
        if not self.count or (not force and t_s - self._last_t_s < REJECT_PERIOD_S):
            return
        text = (
            self._first if self.count == 1 else f"{self.count} decode errors, first: {self._first}"
        )
        out.rejects.append((self.name, text))
        self.count = 0
        self._last_t_s = t_s


class AdsbFeed:
    """One ADS-B TCP stream (SBS-1 text or Beast binary) through an `AircraftTracker`."""

    def __init__(self, name: str, fmt: str, site: Site) -> None:
        """`fmt` is ``sbs`` or ``beast``; positions are given in `site`'s ENU frame."""
        self.name = name
        self.format = fmt
        self.tracker = AircraftTracker(site)
        self.gate = RejectGate(name)
        self._buf = b""
        self.chunks = 0
        self.reports = 0

    def stream(self, data: bytes, t_s: float, out: FeedOutput) -> None:
        """Bytes read from the stream at run time `t_s`."""
        self.chunks += 1
        self.tracker.rejected.clear()
        if self.format == "sbs":
            self._sbs(data, t_s, out)
        else:
            self._beast(data, t_s, out)
        for err in self.tracker.rejected:
            self.gate.add(str(err))
        self.tracker.rejected.clear()
        self.gate.report(t_s, out)

    def _sbs(self, data: bytes, t_s: float, out: FeedOutput) -> None:
        *lines, rest = (self._buf + data).split(b"\n")
        for line in lines:
            line = line.strip()
            if line:
                self._emit(self.tracker.feed_sbs(line, t_s), out)
        if len(rest) > MAX_LINE_BYTES:
            self.gate.add(f"SBS: no end of line within {MAX_LINE_BYTES} bytes")
            rest = b""
        self._buf = rest

    def _beast(self, data: bytes, t_s: float, out: FeedOutput) -> None:
        items, self._buf = beast_codec.parse(self._buf + data)
        for item in items:
            if isinstance(item, DecodeError):
                self.gate.add(str(item))
            elif item.kind != "mode_ac":
                self._emit(self.tracker.feed_frame(item.data, t_s), out)

    def _emit(self, report: CooperativeReport | None, out: FeedOutput) -> None:
        if report is not None:
            self.reports += 1
            out.cooperative.append(report)

    def closed(self, reason: str, t_s: float, out: FeedOutput) -> None:
        """The connection ended; a line or frame left unfinished is refused."""
        if self._buf:
            self.gate.add(f"connection closed ({reason}) inside a frame: {len(self._buf)} bytes")
            self._buf = b""
        self.gate.report(t_s, out)

    def tick(self, t_s: float, out: FeedOutput, *, final: bool = False) -> None:
        """Report errors still counted (at a step; all of them when `final`)."""
        self.gate.report(t_s, out, force=final)


class RemoteIdFeed:
    """One UDP feed of Open Drone ID messages or message packs through a `RemoteIdReceiver`."""

    def __init__(self, name: str, site: Site) -> None:
        """Positions are given in `site`'s ENU frame."""
        self.name = name
        self.receiver = RemoteIdReceiver(site)
        self.gate = RejectGate(name)
        self.datagrams = 0
        self.reports = 0

    def datagram(self, data: bytes, t_s: float, out: FeedOutput) -> None:
        """One datagram that arrived at run time `t_s`."""
        self.datagrams += 1
        try:
            message = decode_message(data)
        except DecodeError as exc:
            self.gate.add(f"Remote ID: {exc}")
            self.gate.report(t_s, out)
            return
        ids = [m.uas_id for m in flatten(message) if isinstance(m, BasicId) and m.uas_id]
        pack = isinstance(message, MessagePack)
        sender = f"{self.name}/{ids[0]}" if pack and ids else self.name  # a pack names its UAS
        broadcast = Broadcast(
            transport="udp", sender=sender, counter=0, payload=data, message=message
        )
        self.receiver.prune(t_s)
        reports = self.receiver.update(broadcast, t_s)
        self.reports += len(reports)
        out.cooperative.extend(reports)
        self.gate.report(t_s, out)

    def tick(self, t_s: float, out: FeedOutput, *, final: bool = False) -> None:
        """Report errors still counted (at a step; all of them when `final`)."""
        self.gate.report(t_s, out, force=final)
