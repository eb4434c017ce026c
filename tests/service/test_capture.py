"""The capture log: what is written is read back, a log cut short is reported, a stranger refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.core.errors import DecodeError, StoreError
from bastion.service import CaptureHeader, CaptureReader, CaptureWriter, Input, InputKind

HEADER = CaptureHeader(
    bastion_version="0.1.0",
    epoch_utc_s=1_750_000_000.25,
    config_source="serve.yaml",
    config_text="scenario: s.yaml\n",
    scenario_text="name: s\n",
)
INPUTS = [
    Input(t_s=0.5, kind=InputKind.DATAGRAM, feed="asterix0", payload=b"\x30\x00\x03"),
    Input(t_s=0.6, kind=InputKind.OPENED, feed="sapient", conn=7, payload=b"127.0.0.1:5"),
    Input(t_s=0.7, kind=InputKind.STREAM, feed="sapient", conn=7, payload=bytes(range(256))),
    Input(t_s=0.75, kind=InputKind.STEP),
    Input(t_s=1.0, kind=InputKind.STOP),
]


def _write(path: Path) -> None:
    w = CaptureWriter(path, HEADER)
    for item in INPUTS:
        w.write(item)
    w.close()


def test_inputs_and_header_read_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "capture.bcap"
    _write(path)
    reader = CaptureReader.open(path)
    assert reader.header == HEADER
    assert list(reader.inputs()) == INPUTS
    assert reader.truncated is False


def test_a_log_cut_inside_a_record_gives_the_complete_records(tmp_path: Path) -> None:
    path = tmp_path / "capture.bcap"
    _write(path)
    path.write_bytes(path.read_bytes()[:-3])
    reader = CaptureReader.open(path)
    assert list(reader.inputs()) == INPUTS[:-1]
    assert reader.truncated is True


def test_a_file_that_is_not_a_capture_log_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.bcap"
    path.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(DecodeError, match="not a Bastion capture log"):
        CaptureReader.open(path)


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "capture.bcap"
    path.write_bytes(b"keep")
    with pytest.raises(StoreError, match="cannot create capture log"):
        CaptureWriter(path, HEADER)
    assert path.read_bytes() == b"keep"
