"""SBS-1 lines, Beast framing and the CRC-24: what each accepts, converts and refuses."""

from __future__ import annotations

import math

import pytest

from bastion.codecs.adsb import BeastFrame, address, crc24, parse, parse_line
from bastion.codecs.adsb.beast import encode
from bastion.codecs.adsb.crc import residual
from bastion.core.errors import DecodeError

MSG3 = "MSG,3,1,1,4CA2D6,1,2016/03/15,10:00:00.000,2016/03/15,10:00:00.500,,35000,,,53.1,-2.1,,,0,0,0,0"
MSG4 = "MSG,4,1,1,4CA2D6,1,2016/03/15,10:00:00.000,2016/03/15,10:00:00.000,,,450,90,,,-640,,,,,"
IDENT = "8D406B902015A678D4D220AA4BDA"


def test_sbs_airborne_position_in_si() -> None:
    m = parse_line(MSG3 + "\r\n")
    assert (m.transmission_type, m.icao) == (3, "4CA2D6")
    assert m.altitude_m == pytest.approx(35000 * 0.3048)
    assert m.lat_rad == pytest.approx(math.radians(53.1))
    assert m.lon_rad == pytest.approx(math.radians(-2.1))
    assert m.generated_unix_s == pytest.approx(1458036000.0)
    assert m.logged_unix_s == pytest.approx(1458036000.5)
    assert (m.alert, m.emergency, m.spi, m.on_ground) == (False, False, False, False)
    assert m.ground_speed_mps is None


def test_sbs_velocity_in_si() -> None:
    m = parse_line(MSG4)
    assert m.ground_speed_mps == pytest.approx(450 * 1852 / 3600)
    assert m.track_rad == pytest.approx(math.pi / 2)
    assert m.vertical_rate_mps == pytest.approx(-640 * 0.3048 / 60)
    assert m.on_ground is None


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (MSG3.rsplit(",", 1)[0], "missing fields"),
        (MSG3 + ",0", "extra fields"),
        (MSG3.replace("MSG,3", "MSG,9"), "transmission type"),
        (MSG3.replace("MSG", "AIR"), "record type"),
        (MSG3.replace("4CA2D6", "4CA2D"), "hex ident"),
        (MSG3.replace("53.1", "95.0"), "latitude"),
        (MSG3.replace("35000", "35k"), "altitude"),
        (MSG3.replace("10:00:00.000", "25:00"), "generated"),
        (MSG3[:-1] + "2", "on-ground"),
    ],
)
def test_sbs_bad_line_names_the_line_and_the_fault(line: str, why: str) -> None:
    with pytest.raises(DecodeError) as err:
        parse_line(line)
    assert line in str(err.value)
    assert why in str(err.value)
    assert err.value.data == line.encode()


def test_crc24_of_an_intact_extended_squitter_is_zero_residual() -> None:
    frame = bytes.fromhex(IDENT)
    assert residual(frame) == 0
    assert crc24(frame[:-3]) == int.from_bytes(frame[-3:], "big")
    assert address(frame) == "406B90"


def test_crc_rejects_every_single_bit_error_after_the_df_field() -> None:
    """(A flip inside the 5-bit DF field can turn DF 17 into an address/parity format, whose parity
    cannot be checked from the frame: no receiver can catch that one.)"""
    frame = bytes.fromhex(IDENT)
    for bit in range(5, 8 * len(frame)):
        bad = bytearray(frame)
        bad[bit // 8] ^= 0x80 >> (bit % 8)
        with pytest.raises(DecodeError):
            address(bytes(bad))


def test_address_of_a_surveillance_reply_comes_from_the_parity() -> None:
    assert address(bytes.fromhex("20001718029FCD")) == "4891A6"


@pytest.mark.parametrize("hex_frame", ["8D406B90", IDENT + "00", "38" + "00" * 13, ""])
def test_address_refuses_bad_length_and_format(hex_frame: str) -> None:
    with pytest.raises(DecodeError):
        address(bytes.fromhex(hex_frame))


def _frame(data: bytes, ticks: int = 0x1A2B3C1A1A00, signal: int = 0x1A) -> BeastFrame:
    kind = {2: "mode_ac", 7: "mode_s_short", 14: "mode_s_long"}[len(data)]
    return BeastFrame(kind=kind, timestamp_ticks=ticks, signal=signal, data=data)


def test_beast_round_trip_with_escapes() -> None:
    frames = [_frame(bytes.fromhex(IDENT)), _frame(b"\x1a\x1a"), _frame(bytes.fromhex("1A" * 7))]
    wire = b"".join(encode(f) for f in frames)
    items, rest = parse(wire)
    assert items == frames
    assert rest == b""
    assert frames[0].timestamp_s == pytest.approx(0x1A2B3C1A1A00 / 12e6)
    assert frames[0].rssi_dbfs == pytest.approx(20 * math.log10(26 / 255))


def test_beast_frame_cut_mid_stream_stays_in_the_remainder() -> None:
    wire = encode(_frame(bytes.fromhex(IDENT))) * 2
    for cut in range(len(wire) + 1):
        first, rest = parse(wire[:cut])
        second, tail = parse(rest + wire[cut:])
        assert first + second == [_frame(bytes.fromhex(IDENT))] * 2
        assert tail == b""


def test_beast_garbage_and_cut_frames_become_errors_in_order() -> None:
    good = encode(_frame(bytes.fromhex(IDENT)))
    cut = good[:10]
    items, rest = parse(b"junk" + good + cut + good + b"\x1a\x39xx" + good)
    kinds = [type(i).__name__ for i in items]
    assert kinds == [
        "DecodeError",
        "BeastFrame",
        "DecodeError",
        "BeastFrame",
        "DecodeError",
        "BeastFrame",
    ]
    errors = [i for i in items if isinstance(i, DecodeError)]
    assert [e.data for e in errors] == [b"junk", cut, b"\x1a\x39xx"]
    assert rest == b""
