"""Remote ID message dispatch: the header's message type -> the decoder of its module.

| type | module          | record                               |
|------|-----------------|--------------------------------------|
| 0x0  | `basic_id`      | `BasicId`                            |
| 0x1  | `location`      | `Location`                           |
| 0x2  | `auth`          | `AuthPage` (join pages: `assemble_auth`) |
| 0x3  | `self_id`       | `SelfId`                             |
| 0x4  | `system`        | `System`                             |
| 0x5  | `operator_id`   | `OperatorId`                         |
| 0xF  | `message_pack`  | `MessagePack` (of the above)         |

Types 0x6-0xE are not defined: DecodeError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from bastion.codecs.remoteid.auth import AuthPage, decode_auth
from bastion.codecs.remoteid.basic_id import BasicId, decode_basic_id
from bastion.codecs.remoteid.location import Location, decode_location
from bastion.codecs.remoteid.message_pack import MessagePack, decode_message_pack
from bastion.codecs.remoteid.operator_id import OperatorId, decode_operator_id
from bastion.codecs.remoteid.self_id import SelfId, decode_self_id
from bastion.codecs.remoteid.system import System, decode_system
from bastion.core.errors import DecodeError

__all__ = ["DECODERS", "Message", "SingleMessage", "decode_message", "flatten"]

SingleMessage = BasicId | Location | AuthPage | SelfId | System | OperatorId
Message = SingleMessage | MessagePack

DECODERS: Final[Mapping[int, Callable[[bytes], SingleMessage]]] = MappingProxyType(
    {
        0x0: decode_basic_id,
        0x1: decode_location,
        0x2: decode_auth,
        0x3: decode_self_id,
        0x4: decode_system,
        0x5: decode_operator_id,
    }
)


def _decode_single(data: bytes) -> SingleMessage:
    decoder = DECODERS.get(data[0] >> 4) if data else None
    if decoder is None:
        kind = f"type {data[0] >> 4}" if data else "empty message"
        raise DecodeError(f"Remote ID: unknown message ({kind})", data=data)
    return decoder(data)


def decode_message(data: bytes) -> Message:
    """Decode one Remote ID message (25 bytes) or a Message Pack; DecodeError if it does not decode."""
    if data and data[0] >> 4 == 0xF:
        return decode_message_pack(data, _decode_single)
    return _decode_single(data)


def flatten(message: Message) -> tuple[SingleMessage, ...]:
    """The single messages of a message or pack, in broadcast order."""
    if isinstance(message, MessagePack):
        return tuple(m for m in message.messages if isinstance(m, SingleMessage))
    return (message,)
