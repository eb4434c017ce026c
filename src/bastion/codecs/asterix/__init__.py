"""ASTERIX codecs (EUROCONTROL): CAT048 plots and CAT034 service messages in, CAT062 tracks out.

Pure functions over bytes, built on PyPI `libasterix` (module `asterix`)::

    decode_datagram(data) -> list[Cat048Plot | Cat034Message | Cat062Track | UnsupportedBlock]
    decode_cat048_fast(payload) -> list[Cat048Plot]   (numpy; libasterix for what it does not take)
    decode_datagram_arrays(data) -> the same, each CAT048 block's plots as one `Cat048Arrays`
    encode_cat048(plots) / encode_cat034(messages) / encode_cat062(tracks) -> bytes

plus the conversions to and from Bastion's records (`plots_to_batch`, `batch_to_plots`,
`report_to_cat062`, `cat062_to_report`) and the stateful `ScanAssembler`, which cuts a plot stream
into per-scan `DetectionBatch`es. Every decoding failure is a `bastion.core.errors.DecodeError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bastion.codecs.asterix.cat034 import Cat034Message, ServiceKind, decode_cat034, encode_cat034
from bastion.codecs.asterix.cat048 import Cat048Plot, decode_cat048, encode_cat048
from bastion.codecs.asterix.cat048_arrays import Cat048Arrays
from bastion.codecs.asterix.cat048_fast import decode_cat048_arrays, decode_cat048_fast
from bastion.codecs.asterix.cat062 import Cat062Track, decode_cat062, encode_cat062
from bastion.codecs.asterix.datablock import MAX_DATAGRAM_BYTES, split_datablocks
from bastion.codecs.asterix.radar import (
    RadarConfig,
    arrays_to_batch,
    batch_to_plots,
    elevation_from_height,
    height_from_elevation,
    plots_to_batch,
)
from bastion.codecs.asterix.scan import ScanAssembler, ScanOutput
from bastion.codecs.asterix.tracks import cat062_to_report, report_to_cat062

__all__ = [
    "MAX_DATAGRAM_BYTES",
    "Cat034Message",
    "Cat048Arrays",
    "Cat048Plot",
    "Cat062Track",
    "RadarConfig",
    "ScanAssembler",
    "ScanOutput",
    "ServiceKind",
    "UnsupportedBlock",
    "arrays_to_batch",
    "batch_to_plots",
    "cat062_to_report",
    "decode_cat034",
    "decode_cat048",
    "decode_cat048_arrays",
    "decode_cat048_fast",
    "decode_cat062",
    "decode_datagram",
    "decode_datagram_arrays",
    "elevation_from_height",
    "encode_cat034",
    "encode_cat048",
    "encode_cat062",
    "height_from_elevation",
    "plots_to_batch",
    "report_to_cat062",
    "split_datablocks",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsupportedBlock:
    """A well-formed data block of a category Bastion does not decode (reported, not dropped)."""

    category: int
    length: int


AsterixItem = Cat048Plot | Cat034Message | Cat062Track | UnsupportedBlock

_DECODERS: dict[int, Callable[[bytes], Sequence[AsterixItem]]] = {
    48: decode_cat048_fast,  # same plots as decode_cat048 (libasterix), several times faster
    34: decode_cat034,
    62: decode_cat062,
}


def decode_datagram(data: bytes, *, max_bytes: int = MAX_DATAGRAM_BYTES) -> list[AsterixItem]:
    """Decode every data block of one datagram, in order. Raises `DecodeError` on any bad block."""
    items: list[AsterixItem] = []
    for cat, payload in split_datablocks(data, max_bytes=max_bytes):
        decoder = _DECODERS.get(cat)
        if decoder is None:
            items.append(UnsupportedBlock(category=cat, length=len(payload) + 3))
        else:
            items.extend(decoder(payload))
    return items


def decode_datagram_arrays(
    data: bytes, *, max_bytes: int = MAX_DATAGRAM_BYTES
) -> list[Cat048Arrays | Cat034Message | Cat062Track | UnsupportedBlock]:
    """`decode_datagram` with each CAT048 block's plots as one `Cat048Arrays` (no object per plot,
    what the live feed uses). Raises `DecodeError` on any bad block."""
    items: list[Cat048Arrays | Cat034Message | Cat062Track | UnsupportedBlock] = []
    for cat, payload in split_datablocks(data, max_bytes=max_bytes):
        if cat == 48:
            items.append(decode_cat048_arrays(payload))
        elif cat == 34:
            items.extend(decode_cat034(payload))
        elif cat == 62:
            items.extend(decode_cat062(payload))
        else:
            items.append(UnsupportedBlock(category=cat, length=len(payload) + 3))
    return items
