"""SAPIENT TCP framing (BSI Flex 335 v2.0): each message is its length, then its bytes.

Layout on the stream::

    frame = LENGTH (4 octets, unsigned, little-endian) | SapientMessage (LENGTH octets, protobuf)

`parse_frames(buf)` is pure: it takes what has arrived and returns the complete messages and the
unconsumed remainder, to be prepended to the next read. A LENGTH above `max_message_bytes` raises
`DecodeError` as soon as the 4 header octets are in, before any payload is awaited or allocated: a
peer announcing a 4 GB message is refused at once and the connection should be closed (after it,
the stream is out of step and nothing more can be trusted).
"""

from __future__ import annotations

from bastion.core.errors import DecodeError

HEADER_BYTES = 4
DEFAULT_MAX_MESSAGE_BYTES = 1_048_576
"""1 MiB: far above any real SAPIENT message (a registration with many modes is a few kB)."""


def frame(payload: bytes) -> bytes:
    """Prefix a serialised SapientMessage with its 4-byte little-endian length."""
    if len(payload) >= 2**32:
        raise ValueError(f"SAPIENT message of {len(payload)} bytes cannot be framed")
    return len(payload).to_bytes(HEADER_BYTES, "little") + payload


def parse_frames(
    buf: bytes, *, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
) -> tuple[list[bytes], bytes]:
    """Split `buf` into complete message payloads and the remainder (an incomplete frame).

    Raises `DecodeError` (carrying the offending header) for a length above `max_message_bytes`.
    """
    messages: list[bytes] = []
    view = memoryview(buf)
    pos = 0
    while len(view) - pos >= HEADER_BYTES:
        length = int.from_bytes(view[pos : pos + HEADER_BYTES], "little")
        if length > max_message_bytes:
            raise DecodeError(
                f"SAPIENT frame announces {length} bytes, above the {max_message_bytes}-byte limit",
                data=bytes(view[pos : pos + HEADER_BYTES]),
            )
        end = pos + HEADER_BYTES + length
        if end > len(view):
            break
        messages.append(bytes(view[pos + HEADER_BYTES : end]))
        pos = end
    return messages, bytes(view[pos:])
