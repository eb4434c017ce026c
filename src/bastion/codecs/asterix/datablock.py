"""ASTERIX data blocks: split a datagram, parse a block's records, build blocks.

Layout (EUROCONTROL ASTERIX Part 1, section 4)::

    datagram   = data block, data block, ...          (one UDP datagram holds one or more blocks)
    data block = CAT (1 octet) | LEN (2 octets, big-endian, counts the whole block, >= 3) | records
    record     = FSPEC (1+ octets, FX-extended presence bits per the category's UAP) | data items

Splitting is done here, iteratively, rather than with `asterix.base.RawDatablock.parse`, which
recurses once per block (a datagram of many tiny blocks would exhaust Python's recursion limit).
Record parsing is libasterix's (`Spec.cv_uap.parse`), which returns a `ValueError` instead of
raising; every failure, returned or raised, leaves this module as a `DecodeError` with the bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asterix.base import Bits

from bastion.core.errors import DecodeError

MAX_DATAGRAM_BYTES = 65_535
"""Largest datagram accepted: the largest UDP payload (and the largest LEN a block can carry)."""
HEADER_BYTES = 3

_LIB_ERRORS = (
    ValueError,
    IndexError,
    KeyError,
    TypeError,
    AssertionError,
    OverflowError,
    RecursionError,
)


def split_datablocks(
    data: bytes, *, max_bytes: int = MAX_DATAGRAM_BYTES
) -> list[tuple[int, bytes]]:
    """Split a datagram into `(category, records bytes)` per data block.

    Raises `DecodeError` for an empty or oversized datagram, a truncated header, a LEN below 3 or
    past the end of the datagram.
    """
    data = bytes(data)
    if not data:
        raise DecodeError("ASTERIX datagram is empty", data=data)
    if len(data) > max_bytes:
        raise DecodeError(
            f"ASTERIX datagram of {len(data)} bytes exceeds the {max_bytes}-byte limit",
            data=data[:64],
        )
    blocks: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < HEADER_BYTES:
            raise DecodeError(
                f"ASTERIX data block header truncated at offset {pos}: "
                f"{len(data) - pos} of 3 bytes",
                data=data,
            )
        cat = data[pos]
        length = int.from_bytes(data[pos + 1 : pos + 3], "big")
        if length < HEADER_BYTES:
            raise DecodeError(
                f"ASTERIX data block at offset {pos} (CAT{cat:03d}) has LEN {length} < 3", data=data
            )
        if pos + length > len(data):
            raise DecodeError(
                f"ASTERIX data block at offset {pos} (CAT{cat:03d}) has LEN {length} but only "
                f"{len(data) - pos} bytes remain",
                data=data,
            )
        blocks.append((cat, data[pos + HEADER_BYTES : pos + length]))
        pos += length
    return blocks


def parse_records(spec: Any, payload: bytes, *, cat: int) -> list[Any]:
    """Parse a block's record bytes with a libasterix category spec (strict parsing).

    A block with no records is an error: the standard requires at least one record per block.
    """
    if not payload:
        raise DecodeError(f"ASTERIX CAT{cat:03d} data block holds no record", data=payload)
    try:
        result = spec.cv_uap.parse(Bits.from_bytes(payload))
    except _LIB_ERRORS as exc:
        raise DecodeError(
            f"ASTERIX CAT{cat:03d} records do not parse: {exc!r}", data=payload
        ) from exc
    if isinstance(result, ValueError):
        raise DecodeError(f"ASTERIX CAT{cat:03d} records do not parse: {result}", data=payload)
    return list(result)


def build_datablocks(spec: Any, records: Sequence[Any]) -> bytes:
    """Concatenated data blocks of `spec`'s category holding `records`, each block <= 65535 bytes."""
    out: list[bytes] = []
    chunk: list[Any] = []
    size = HEADER_BYTES
    for rec in records:
        n = len(rec.unparse().to_bytes())
        if chunk and size + n > MAX_DATAGRAM_BYTES:
            out.append(spec.create(chunk).unparse().to_bytes())
            chunk, size = [], HEADER_BYTES
        chunk.append(rec)
        size += n
    if chunk:
        out.append(spec.create(chunk).unparse().to_bytes())
    return b"".join(out)


def lib_errors() -> tuple[type[BaseException], ...]:
    """The exception types libasterix may raise on malformed content (for callers' `except`)."""
    return _LIB_ERRORS
