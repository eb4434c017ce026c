"""Remote ID over Bluetooth LE: legacy and extended advertising PDUs -> `Broadcast`.

Input is a link-layer advertising PDU (no access address, no CRC; `capture` strips them). Layout
(Bluetooth Core 5.3 Vol 6 Part B §2.3)::

    header, 2 bytes: bits 3-0 PDU type, bit 6 TxAdd, bit 7 RxAdd; byte 1 payload length
    legacy ADV_IND (0), ADV_NONCONN_IND (2), ADV_SCAN_IND (6): AdvA (6, little-endian), AdvData
    extended ADV_EXT_IND / AUX_ADV_IND (7): extended header length (bits 5-0) and AdvMode (bits 7-6),
        flags (bit 0 AdvA, 1 TargetA, 2 CTEInfo, 3 ADI, 4 AuxPtr, 5 SyncInfo, 6 TxPower), the
        fields present in that order (6, 6, 1, 2, 3, 18, 1 bytes), ACAD; AdvData after the header

AdvData is a list of AD structures (length, AD type, data). Remote ID (ASTM F3411-22a §5.4.6) is
Service Data - 16-bit UUID (AD type 0x16), UUID 0xFFFA (ASTM), application code 0x0D, then the
message counter and one 25-byte message (legacy: Bluetooth 4 advertising) or a Message Pack
(extended: Bluetooth 5 long range, on the coded PHY).

`from_ble_pdu` returns None for a PDU without Remote ID and raises DecodeError for Remote ID that
does not decode.
"""

from __future__ import annotations

from typing import Final

from bastion.codecs.remoteid.broadcast import Broadcast, from_counted_payload, mac
from bastion.core.errors import DecodeError

__all__ = ["from_ble_pdu", "remote_id_service_data"]

AD_SERVICE_DATA_16: Final = 0x16
ASTM_UUID: Final = bytes.fromhex("FAFF")
"""UUID 0xFFFA, little-endian as sent."""
APP_CODE: Final = 0x0D
LEGACY_TYPES: Final = frozenset({0, 2, 6})
EXTENDED_TYPE: Final = 7
_EXT_FIELDS: Final = ((0x01, 6), (0x02, 6), (0x04, 1), (0x08, 2), (0x10, 3), (0x20, 18), (0x40, 1))


def remote_id_service_data(adv_data: bytes) -> bytes | None:
    """The bytes after the application code (counter + message or pack), None if absent."""
    at = 0
    while at < len(adv_data):
        length = adv_data[at]
        if length == 0:
            return None
        body = adv_data[at + 1 : at + 1 + length]
        is_odid = body[:1] == bytes([AD_SERVICE_DATA_16]) and body[1:3] == ASTM_UUID
        if is_odid and body[3:4] == bytes([APP_CODE]):
            if len(body) < length:
                raise DecodeError("Remote ID Bluetooth: service data cut short", data=body)
            return body[4:]
        at += 1 + length
    return None


def _extended(payload: bytes) -> tuple[bytes, bytes]:
    """(AdvA, AdvData) of an extended advertising payload."""
    if not payload:
        raise DecodeError("Bluetooth extended advertising: empty payload", data=payload)
    header_len = payload[0] & 0x3F
    header = payload[1 : 1 + header_len]
    if len(header) < header_len:
        raise DecodeError("Bluetooth extended advertising: header cut short", data=payload)
    adv_a = b""
    if header_len:
        flags, at = header[0], 1
        for bit, size in _EXT_FIELDS:
            if flags & bit:
                if bit == 0x01:
                    adv_a = header[at : at + 6]
                at += size
        if at > header_len:
            raise DecodeError("Bluetooth extended advertising: fields exceed header", data=payload)
    return adv_a, payload[1 + header_len :]


def from_ble_pdu(
    pdu: bytes, *, crc_ok: bool | None = None, rssi_dbm: float | None = None
) -> Broadcast | None:
    """The Remote ID broadcast in one advertising PDU; None if it carries none."""
    if len(pdu) < 2:
        raise DecodeError(f"Bluetooth PDU of {len(pdu)} bytes", data=pdu)
    kind = pdu[0] & 0x0F
    payload = pdu[2 : 2 + pdu[1]]
    if len(payload) < pdu[1]:
        raise DecodeError("Bluetooth PDU: payload cut short", data=pdu)
    if kind in LEGACY_TYPES:
        if len(payload) < 6:
            raise DecodeError("Bluetooth legacy advertising: no AdvA", data=pdu)
        adv_a, adv_data, transport = payload[:6], payload[6:], "bluetooth_legacy"
    elif kind == EXTENDED_TYPE:
        adv_a, adv_data = _extended(payload)
        transport = "bluetooth_extended"
    else:
        return None
    body = remote_id_service_data(adv_data)
    if body is None:
        return None
    return from_counted_payload(
        body, transport=transport, sender=mac(adv_a[::-1]), crc_ok=crc_ok, rssi_dbm=rssi_dbm
    )
