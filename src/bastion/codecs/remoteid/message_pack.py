"""Message Pack (type 0xF): several 25-byte messages in one broadcast (Wi-Fi and Bluetooth 5).

Layout (ASTM F3411-22a Table 16)::

    byte 0      bits 7-4 message type (0xF)   bits 3-0 protocol version
    byte 1      single message size: 25
    byte 2      number of messages N, 1-9
    bytes 3..   N messages of 25 bytes each (bytes after them, e.g. transport padding, are ignored)

A pack is refused whole (DecodeError), as the reference decoder refuses it, when the size byte is not
25, N is 0 or above 9, a message is of an unknown type or is itself a pack, or a type repeats beyond
what a pack may hold: at most 2 Basic ID, 1 Location, 1 Self-ID, 1 System, 1 Operator ID messages.
A message that fails to decode refuses the pack too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from bastion.codecs.remoteid._fields import KNOWN_VERSIONS, MESSAGE_SIZE
from bastion.core.errors import DecodeError

__all__ = ["MAX_MESSAGES", "MessagePack", "decode_message_pack"]

MESSAGE_TYPE = 0xF
MAX_MESSAGES: Final = 9
_MAX_PER_TYPE: Final = {0x0: 2, 0x1: 1, 0x2: 16, 0x3: 1, 0x4: 1, 0x5: 1}


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePack:
    """A decoded Message Pack: the messages in broadcast order (records of the other modules)."""

    protocol_version: int
    messages: tuple[object, ...]
    flags: tuple[str, ...] = ()


def decode_message_pack(data: bytes, decode_one: Callable[[bytes], object]) -> MessagePack:
    """Decode a Message Pack, each message with `decode_one`; DecodeError if the pack is refused."""
    if len(data) < 3:
        raise DecodeError(f"Remote ID pack: {len(data)} bytes, shorter than its header", data=data)
    if data[0] >> 4 != MESSAGE_TYPE:
        raise DecodeError(f"Remote ID pack: message type {data[0] >> 4}, expected 15", data=data)
    if data[1] != MESSAGE_SIZE:
        raise DecodeError(f"Remote ID pack: message size {data[1]}, expected 25", data=data)
    count = data[2]
    if not 1 <= count <= MAX_MESSAGES:
        raise DecodeError(f"Remote ID pack: {count} messages, expected 1-{MAX_MESSAGES}", data=data)
    end = 3 + count * MESSAGE_SIZE
    if len(data) < end:
        raise DecodeError(f"Remote ID pack: {len(data)} bytes for {count} messages", data=data)
    chunks = [data[3 + i * MESSAGE_SIZE : 3 + (i + 1) * MESSAGE_SIZE] for i in range(count)]
    types = Counter(chunk[0] >> 4 for chunk in chunks)
    for kind, n in types.items():
        if n > _MAX_PER_TYPE.get(kind, 0):
            raise DecodeError(f"Remote ID pack: {n} messages of type {kind}", data=data[:end])
    version = data[0] & 0x0F
    flags = () if version in KNOWN_VERSIONS else ("protocol_version_unknown",)
    return MessagePack(
        protocol_version=version, messages=tuple(decode_one(c) for c in chunks), flags=flags
    )
