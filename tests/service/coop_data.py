"""ADS-B and Remote ID inputs for the service tests, from the real vectors in tests/data/."""

from __future__ import annotations

import json
from pathlib import Path

from bastion.codecs.adsb.beast import BeastFrame, encode

DATA = Path(__file__).resolve().parents[1] / "data"


def stream_frames() -> list[bytes]:
    """The 60 real Mode S frames of ICAO 406B90 (tests/data/adsb/messages.txt, group 'stream')."""
    out = []
    for line in (DATA / "adsb" / "messages.txt").read_text().splitlines():
        cols = line.split("\t")
        if cols[0] == "stream":
            out.append(bytes.fromhex(cols[2]))
    return out


def beast_bytes(frames: list[bytes]) -> list[bytes]:
    """Each frame as one Beast binary frame (Mode S long), timestamps counting up."""
    return [
        encode(BeastFrame(kind="mode_s_long", timestamp_ticks=1000 * i, signal=200, data=f))
        for i, f in enumerate(frames)
    ]


SBS_LINES = [
    b"MSG,1,1,1,406B90,1,2016/03/14,23:00:00.000,2016/03/14,23:00:00.000,EZY85MH,,,,,,,,0,0,0,0",
    b"MSG,3,1,1,406B90,1,2016/03/14,23:00:01.000,2016/03/14,23:00:01.000,,37000,,,52.2572,3.9194,,,0,0,0,0",
    b"MSG,4,1,1,406B90,1,2016/03/14,23:00:01.500,2016/03/14,23:00:01.500,,,493,285,,,0,,0,0,0,0",
    b"MSG,3,1,1,406B90,1,2016/03/14,23:00:02.000,2016/03/14,23:00:02.000,,37000,,,52.2577,3.9160,,,0,0,0,0",
]
"""SBS-1 (BaseStation) lines for that aircraft: identification, two positions, a velocity."""


def remote_id_packs() -> list[bytes]:
    """The real Message Packs of tests/data/remoteid/decoded.jsonl (all three captures), in order."""
    rows = (DATA / "remoteid" / "decoded.jsonl").read_text().splitlines()
    return [bytes.fromhex(json.loads(r)["payload_hex"]) for r in rows]
