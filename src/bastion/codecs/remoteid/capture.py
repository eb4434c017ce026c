"""Captured packets (pcap link types) -> Remote ID `Broadcast`s: the link-layer wrappers.

| link type | name                         | what is stripped                                      |
|-----------|------------------------------|-------------------------------------------------------|
| 105       | IEEE802_11                   | nothing                                               |
| 127       | IEEE802_11_RADIOTAP          | radiotap header (version, pad, length uint16 LE, ...) |
| 251       | BLUETOOTH_LE_LL              | access address (4); CRC (3) at the end                |
| 272       | NORDIC_BLE (nRF Sniffer 2/3) | sniffer header (below), access address (4), CI (1) * |

* CI is the coding indicator, present on the coded PHY only; the CRC (3) at the end is dropped too.

nRF Sniffer header: board id (1), payload length (2), protocol version (1), packet counter (2),
packet id (1), header length (1), flags (1: bit 0 CRC OK, bits 6-4 PHY, 2 = coded), channel (1),
RSSI (1, minus dBm), event counter (2), time delta (4).

Other link types carry no Remote ID here: None.
"""

from __future__ import annotations

from typing import Final

from bastion.codecs.pcap import Packet
from bastion.codecs.remoteid.bluetooth import from_ble_pdu
from bastion.codecs.remoteid.broadcast import Broadcast
from bastion.codecs.remoteid.wifi import from_wifi
from bastion.core.errors import DecodeError

__all__ = ["LINKTYPES", "from_packet"]

LINKTYPES: Final = frozenset({105, 127, 251, 272})
_BLE_CRC: Final = 3
_PHY_CODED: Final = 2


def _radiotap(data: bytes) -> bytes:
    if len(data) < 4 or data[0] != 0:
        raise DecodeError("radiotap: bad header", data=data[:8])
    length = int.from_bytes(data[2:4], "little")
    if length > len(data):
        raise DecodeError("radiotap: header longer than the packet", data=data[:8])
    return data[length:]


def _nordic(data: bytes) -> Broadcast | None:
    if len(data) < 8 or data[3] not in (2, 3):
        raise DecodeError("nRF Sniffer: unsupported header", data=data[:8])
    header_len = data[7]
    at = 7 + header_len
    if header_len < 10 or at + 4 > len(data):
        raise DecodeError("nRF Sniffer: header cut short", data=data[:24])
    flags = data[8]
    rssi = -float(data[10])
    at += 4  # access address
    if (flags >> 4) & 0x7 == _PHY_CODED:
        at += 1  # coding indicator
    pdu = data[at : len(data) - _BLE_CRC]
    return from_ble_pdu(pdu, crc_ok=bool(flags & 0x01), rssi_dbm=rssi)


def from_packet(packet: Packet) -> Broadcast | None:
    """The Remote ID broadcast in one captured packet; None if it carries none; DecodeError if it
    carries Remote ID (or a link header) that does not decode."""
    data = packet.data
    if packet.linktype == 105:
        return from_wifi(data)
    if packet.linktype == 127:
        return from_wifi(_radiotap(data))
    if packet.linktype == 251:
        if len(data) < 4 + 2 + _BLE_CRC:
            raise DecodeError("Bluetooth LE packet too short", data=data)
        return from_ble_pdu(data[4 : len(data) - _BLE_CRC])
    if packet.linktype == 272:
        return _nordic(data)
    return None
