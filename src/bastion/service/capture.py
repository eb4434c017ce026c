"""The capture log: every input of a live run with its arrival time, for replay.

A capture log is one binary file, little-endian, written as inputs are processed::

    header  = MAGIC "BASTCAP1" (8 octets) | N (u32) | N octets of UTF-8 JSON:
              {"format": 1, "bastion_version", "epoch_utc_s", "config_source",
               "config_text", "scenario_text"}
    record  = N (u32, octets after this field) | t_s (f64, run seconds) | kind (u8, `InputKind`)
              | conn (u32) | F (u8) | feed (F octets, ASCII) | payload (N - 14 - F octets)

The header carries the configuration and scenario texts and the run epoch, so a log replays on its
own. Records are in processing order (the order the core saw them). A log cut short by a crash
ends in a partial record, which the reader reports and ignores. Chosen over JSON lines because
the payloads are binary (ASTERIX, SAPIENT) and the log must keep up with the feeds: one `struct`
pack per input, no base64.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from bastion.core.errors import DecodeError, StoreError
from bastion.service.inputs import Input, InputKind

MAGIC = b"BASTCAP1"
FORMAT = 1
_FIXED = struct.Struct("<IdBIB")  # length, t_s, kind, conn, feed length
MAX_RECORD_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureHeader:
    """What a capture log says about its run."""

    bastion_version: str
    epoch_utc_s: float
    config_source: str
    config_text: str
    scenario_text: str


class CaptureWriter:
    """Appends inputs to a new capture log; `flush` at each step, `close` at the end."""

    def __init__(self, path: Path, header: CaptureHeader) -> None:
        """Create `path` (refusing an existing file) and write the header."""
        try:
            self._file: BinaryIO | None = path.open("xb")
        except OSError as exc:
            raise StoreError(f"cannot create capture log {path}: {exc.strerror or exc}") from None
        self.path = path
        doc = {"format": FORMAT, **{k: getattr(header, k) for k in header.__slots__}}
        body = json.dumps(doc, sort_keys=True).encode("utf-8")
        self._file.write(MAGIC + struct.pack("<I", len(body)) + body)
        self.records = 0

    def write(self, item: Input) -> None:
        """Append one input."""
        if self._file is None:
            raise StoreError(f"capture log {self.path} is closed")
        feed = item.feed.encode("ascii")
        size = _FIXED.size - 4 + len(feed) + len(item.payload)
        self._file.write(
            _FIXED.pack(size, item.t_s, int(item.kind), item.conn, len(feed)) + feed + item.payload
        )
        self.records += 1

    def flush(self) -> None:
        """Hand what was written to the operating system."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Flush, sync to disk and close (idempotent)."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None


@dataclass(slots=True)
class CaptureReader:
    """Reads a capture log: `header`, then `inputs()`; `truncated` tells if the log ended mid-record."""

    path: Path
    header: CaptureHeader
    _data: bytes
    _start: int
    truncated: bool = False

    @classmethod
    def open(cls, path: Path) -> CaptureReader:
        """Read and check the header of the capture log at `path`."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read capture log {path}: {exc.strerror or exc}") from None
        if data[:8] != MAGIC or len(data) < 12:
            raise DecodeError(f"{path} is not a Bastion capture log (no BASTCAP1 header)")
        (n,) = struct.unpack_from("<I", data, 8)
        try:
            doc = json.loads(data[12 : 12 + n].decode("utf-8"))
            if doc.pop("format") != FORMAT:
                raise ValueError("unsupported format")
            header = CaptureHeader(**doc)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            raise DecodeError(f"{path}: capture log header is invalid: {exc}") from None
        return cls(path=path, header=header, _data=data, _start=12 + n)

    def inputs(self) -> Iterator[Input]:
        """Every complete record, in order."""
        data, pos = self._data, self._start
        while pos < len(data):
            if len(data) - pos < _FIXED.size:
                self.truncated = True
                return
            size, t_s, kind, conn, flen = _FIXED.unpack_from(data, pos)
            end = pos + 4 + size
            if size < _FIXED.size - 4 + flen or size > MAX_RECORD_BYTES or end > len(data):
                self.truncated = True
                return
            feed_end = pos + _FIXED.size + flen
            try:
                yield Input(
                    t_s=t_s,
                    kind=InputKind(kind),
                    feed=data[pos + _FIXED.size : feed_end].decode("ascii"),
                    conn=conn,
                    payload=data[feed_end:end],
                )
            except (ValueError, UnicodeDecodeError) as exc:
                raise DecodeError(
                    f"{self.path}: record at offset {pos} is invalid: {exc}"
                ) from None
            pos = end
