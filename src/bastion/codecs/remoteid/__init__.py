"""Remote ID in (ASTM F3411-22a / ASD-STAN prEN 4709-002): our own decoder of every message type,
from Wi-Fi beacon, Wi-Fi NAN and Bluetooth legacy and extended (long range) advertising, and the
stateful receiver that joins them into `CooperativeReport`s, keeping the operator's position.

Written here rather than wrapped: the only complete reference is a C library (libopendroneid), the
encodings are small and fully specified, and a pure Python decoder is what the fuzzing needs.
"""

from __future__ import annotations

from bastion.codecs.remoteid.auth import Authentication, AuthPage, assemble_auth, decode_auth
from bastion.codecs.remoteid.basic_id import BasicId, decode_basic_id
from bastion.codecs.remoteid.bluetooth import from_ble_pdu
from bastion.codecs.remoteid.broadcast import TRANSPORTS, Broadcast
from bastion.codecs.remoteid.capture import from_packet
from bastion.codecs.remoteid.location import Location, decode_location
from bastion.codecs.remoteid.message_pack import MessagePack
from bastion.codecs.remoteid.messages import (
    DECODERS,
    Message,
    SingleMessage,
    decode_message,
    flatten,
)
from bastion.codecs.remoteid.operator_id import OperatorId, decode_operator_id
from bastion.codecs.remoteid.receiver import RemoteIdReceiver, UasState
from bastion.codecs.remoteid.self_id import SelfId, decode_self_id
from bastion.codecs.remoteid.system import System, decode_system
from bastion.codecs.remoteid.wifi import from_wifi

__all__ = [
    "DECODERS",
    "TRANSPORTS",
    "AuthPage",
    "Authentication",
    "BasicId",
    "Broadcast",
    "Location",
    "Message",
    "MessagePack",
    "OperatorId",
    "RemoteIdReceiver",
    "SelfId",
    "SingleMessage",
    "System",
    "UasState",
    "assemble_auth",
    "decode_auth",
    "decode_basic_id",
    "decode_location",
    "decode_message",
    "decode_operator_id",
    "decode_self_id",
    "decode_system",
    "flatten",
    "from_ble_pdu",
    "from_packet",
    "from_wifi",
]
