"""Bad input on every Remote ID decoder: only DecodeError ever escapes; the receiver keeps counting."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from remoteid_reference import CAPTURES, DATA

from bastion.codecs.pcap import Packet, read_capture
from bastion.codecs.remoteid import (
    DECODERS,
    AuthPage,
    RemoteIdReceiver,
    assemble_auth,
    decode_message,
    from_ble_pdu,
    from_packet,
    from_wifi,
)
from bastion.core.errors import DecodeError
from bastion.core.geo import Site

SITE = Site(name="s", lat_rad=0.79, lon_rad=-2.14)
PACKETS = [p for name in CAPTURES for p in read_capture((DATA / name).read_bytes())[:40]]
VALID_MESSAGES = [
    bytes.fromhex(h)
    for h in (
        "02223132333435363738393031323334353637383930000000",
        "122624160a42bf241b6ed1b4b69808ac0870086b53150e0200",
        "22100128003fab013132333435363738393031323334353637",
        "320044726f6e65735255533a205265616c2045737461746500",
        "4204a6bf241bd2d1b4b62300073109230824f907003fab0100",
        "52003938373635343332313030313233343536373839000000",
    )
]


def _only_decode_errors(fn: Callable[[bytes], object], data: bytes) -> None:
    try:
        fn(data)
    except DecodeError as err:
        assert isinstance(err.data, bytes)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_on_every_decoder(data: bytes) -> None:
    for decoder in (*DECODERS.values(), decode_message, from_wifi, from_ble_pdu, read_capture):
        _only_decode_errors(decoder, data)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID_MESSAGES), st.integers(0, 24), st.binary(min_size=1, max_size=30))
def test_truncated_and_oversized_messages_raise_decode_error(
    msg: bytes, cut: int, extra: bytes
) -> None:
    for bad in (msg[:cut], msg + extra):
        try:
            decode_message(bad)
        except DecodeError as err:
            assert err.data == bad
        else:
            raise AssertionError(f"{bad.hex()} decoded")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VALID_MESSAGES), min_size=1, max_size=9), st.binary(max_size=3))
def test_message_packs_of_valid_messages(messages: list[bytes], noise: bytes) -> None:
    pack = bytes([0xF2, 25, len(messages)]) + b"".join(messages) + noise
    _only_decode_errors(decode_message, pack)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PACKETS), st.integers(0, 300), st.integers(0, 255), st.integers(0, 299))
def test_mutated_and_truncated_captured_packets(
    packet: Packet, cut: int, byte: int, at: int
) -> None:
    data = bytearray(packet.data)
    if data:
        data[at % len(data)] = byte
    for body in (bytes(data), packet.data[:cut]):
        mutated = Packet(index=0, t_s=0.0, linktype=packet.linktype, data=body, orig_len=len(body))
        try:
            from_packet(mutated)
        except DecodeError as err:
            assert isinstance(err.data, bytes)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CAPTURES), st.integers(0, 90_000), st.integers(0, 255))
def test_truncated_and_corrupted_capture_files(name: str, cut: int, byte: int) -> None:
    data = bytearray((DATA / name).read_bytes())
    _only_decode_errors(read_capture, bytes(data[:cut]))
    data[cut % len(data)] = byte
    _only_decode_errors(read_capture, bytes(data))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=25, max_size=25).map(lambda b: b"\x22" + b[1:]), max_size=5))
def test_assemble_auth_only_raises_decode_error(raw: list[bytes]) -> None:
    pages = [decode_message(r) for r in raw]
    assert all(isinstance(p, AuthPage) for p in pages)
    _only_decode_errors(lambda _: assemble_auth(pages), b"")  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PACKETS), st.binary(max_size=80)), max_size=12))
def test_receiver_keeps_going_and_counts(items: list[tuple[Packet, bytes]]) -> None:
    receiver = RemoteIdReceiver(SITE)
    for i, (packet, junk) in enumerate(items):
        receiver.feed_packet(packet, float(i))
        bad = Packet(index=0, t_s=0.0, linktype=packet.linktype, data=junk, orig_len=len(junk))
        receiver.feed_packet(bad, float(i))
    assert receiver.counts["packets"] == 2 * len(items)
    assert receiver.counts["decode_errors"] >= len(receiver.rejected)
