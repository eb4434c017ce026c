"""Authentication message (type 0x2): one page of a signature or other authentication data.

Layout (25 bytes, ASTM F3411-22a Table 8)::

    byte 0      bits 7-4 message type (0x2)   bits 3-0 protocol version
    byte 1      bits 7-4 authentication type  bits 3-0 page number
    page 0:
      byte 2      last page index
      byte 3      length of the whole authentication data, bytes
      bytes 4-7   timestamp, uint32 seconds since 2019-01-01T00:00:00Z
      bytes 8-24  authentication data, first 17 bytes
    page n > 0:
      bytes 2-24  authentication data, next 23 bytes

Authentication type: 0 none, 1 UAS ID signature, 2 operator ID signature, 3 message set signature,
4 network remote ID, 5 specific authentication method, 6-9 reserved, 10-15 private use.
`assemble_auth` joins pages 0..last into one `Authentication`. Bastion does not verify signatures
(no keys are distributed for it): an authentication message is reported, never trusted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bastion.codecs.remoteid._fields import header, u32
from bastion.core.errors import DecodeError

__all__ = ["EPOCH_2019_UNIX_S", "AuthPage", "Authentication", "assemble_auth", "decode_auth"]

MESSAGE_TYPE = 0x2
EPOCH_2019_UNIX_S = 1546300800
"""2019-01-01T00:00:00Z in POSIX seconds: the epoch of Remote ID timestamps."""
MAX_PAGES = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthPage:
    """One decoded authentication page; page-0 fields are None on other pages.

    `timestamp_unix_s` is POSIX seconds; `data` the page's raw authentication bytes (17 on page 0,
    23 on the others, padding included).
    """

    protocol_version: int
    auth_type: int
    page: int
    last_page_index: int | None
    length_bytes: int | None
    timestamp_unix_s: int | None
    data: bytes
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Authentication:
    """Pages 0..last joined: the authentication data cut to its declared length."""

    auth_type: int
    last_page_index: int
    length_bytes: int
    timestamp_unix_s: int
    data: bytes


def decode_auth(data: bytes) -> AuthPage:
    """Decode one 25-byte Authentication message page; DecodeError if it is not one."""
    version, flags = header(data, MESSAGE_TYPE, "Authentication")
    page = data[1] & 0x0F
    if page == 0:
        if data[2] >= MAX_PAGES:
            flags.append("last_page_index_out_of_range")
        return AuthPage(
            protocol_version=version,
            auth_type=data[1] >> 4,
            page=0,
            last_page_index=data[2],
            length_bytes=data[3],
            timestamp_unix_s=u32(data, 4) + EPOCH_2019_UNIX_S,
            data=bytes(data[8:25]),
            flags=tuple(flags),
        )
    return AuthPage(
        protocol_version=version,
        auth_type=data[1] >> 4,
        page=page,
        last_page_index=None,
        length_bytes=None,
        timestamp_unix_s=None,
        data=bytes(data[2:25]),
        flags=tuple(flags),
    )


def assemble_auth(pages: Iterable[AuthPage]) -> Authentication:
    """Join the pages 0..last of one authentication; DecodeError if one is missing or they disagree."""
    by_page = {p.page: p for p in pages}
    first = by_page.get(0)
    if first is None or first.last_page_index is None:
        raise DecodeError("Remote ID authentication: page 0 missing")
    assert first.length_bytes is not None and first.timestamp_unix_s is not None
    needed = range(first.last_page_index + 1)
    missing = [i for i in needed if i not in by_page]
    if missing:
        raise DecodeError(f"Remote ID authentication: pages {missing} missing")
    if any(by_page[i].auth_type != first.auth_type for i in needed):
        raise DecodeError("Remote ID authentication: pages of different authentication types")
    joined = b"".join(by_page[i].data for i in needed)
    if first.length_bytes > len(joined):
        raise DecodeError(
            f"Remote ID authentication: length {first.length_bytes} exceeds the {len(joined)} "
            "bytes of its pages",
            data=joined,
        )
    return Authentication(
        auth_type=first.auth_type,
        last_page_index=first.last_page_index,
        length_bytes=first.length_bytes,
        timestamp_unix_s=first.timestamp_unix_s,
        data=joined[: first.length_bytes],
    )
