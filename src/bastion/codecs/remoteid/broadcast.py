"""`Broadcast`: one Remote ID transmission as received, whatever carried it.

Every transport carries the same thing after its own framing: a one-byte message counter (which the
transmitter increments per broadcast, so a receiver can tell repeats from new data) followed by one
25-byte message or a Message Pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bastion.codecs.remoteid._fields import MESSAGE_SIZE
from bastion.codecs.remoteid.messages import Message, decode_message
from bastion.core.errors import DecodeError

__all__ = ["TRANSPORTS", "Broadcast", "from_counted_payload"]

TRANSPORTS: Final = ("wifi_beacon", "wifi_nan", "bluetooth_legacy", "bluetooth_extended")


@dataclass(frozen=True, slots=True, kw_only=True)
class Broadcast:
    """One received Remote ID transmission.

    `transport` is one of `TRANSPORTS` (Bluetooth 5 long range is extended advertising on the coded
    PHY); `sender` the transmitter's MAC address ("aa:bb:cc:dd:ee:ff"); `counter` the message
    counter; `payload` the message or pack bytes; `message` their decoding. `crc_ok` is the link
    layer's own check where the capture says (a Bluetooth sniffer), else None; `rssi_dbm` likewise.
    `flags` include ``link_crc_failed`` when `crc_ok` is False: such a broadcast decodes, but its
    values must not be trusted.
    """

    transport: str
    sender: str
    counter: int
    payload: bytes
    message: Message
    crc_ok: bool | None = None
    rssi_dbm: float | None = None
    flags: tuple[str, ...] = ()


def mac(raw: bytes) -> str:
    """A 6-byte address, as transmitted order, to "aa:bb:cc:dd:ee:ff"."""
    return ":".join(f"{b:02x}" for b in raw)


def from_counted_payload(
    body: bytes,
    *,
    transport: str,
    sender: str,
    crc_ok: bool | None = None,
    rssi_dbm: float | None = None,
) -> Broadcast:
    """Decode `counter + message-or-pack` bytes into a Broadcast; DecodeError if they do not decode."""
    if len(body) < 2:
        raise DecodeError(f"Remote ID {transport}: {len(body)} bytes of service data", data=body)
    payload = body[1:]
    if payload[0] >> 4 == 0xF:
        size = 3 + (payload[2] if len(payload) > 2 else 0) * MESSAGE_SIZE
    else:
        size = MESSAGE_SIZE
    payload = payload[:size]
    return Broadcast(
        transport=transport,
        sender=sender,
        counter=body[0],
        payload=payload,
        message=decode_message(payload),
        crc_ok=crc_ok,
        rssi_dbm=rssi_dbm,
        flags=("link_crc_failed",) if crc_ok is False else (),
    )
