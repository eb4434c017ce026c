"""`bastion run --emit-cot FILE --emit-asterix FILE`: the picture of a simulated run as files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bastion.cli import app
from bastion.codecs.asterix import Cat062Track, decode_datagram
from bastion.codecs.cot import parse_xml_stream
from bastion.store import read_event_log

from .live_helpers import REHEARSAL


def test_run_writes_cot_documents_and_cat062_blocks(tmp_path: Path) -> None:
    cot, ast = tmp_path / "run.cot.xml", tmp_path / "run.cat062"
    args = ["run", str(REHEARSAL), "--out", str(tmp_path / "run")]
    result = CliRunner().invoke(app, [*args, "--emit-cot", str(cot), "--emit-asterix", str(ast)])
    assert result.exit_code == 0, result.output
    events = read_event_log(tmp_path / "run" / "events.jsonl")
    reports = [e for e in events if e.kind.value in ("track_confirmed", "track_updated")]
    alerts = [e for e in events if e.kind.value in ("alert_raised", "alert_cleared")]
    data = cot.read_bytes()
    assert data.count(b"<?xml ") == len(reports) + len(alerts) > 0
    documents, rest = parse_xml_stream(data)
    assert rest == b""
    assert [d.uid for d in documents if ".track." in d.uid] == [
        f"bastion.rehearsal-base.track.{e.subject_id}" for e in reports
    ]
    tracks = decode_datagram(ast.read_bytes())
    assert len(tracks) == len(reports) + sum(e.kind.value == "track_lost" for e in events)
    assert all(isinstance(t, Cat062Track) and t.simulated for t in tracks)
    assert [t.track_number for t in tracks if isinstance(t, Cat062Track) and not t.last] == [
        e.subject_id for e in reports
    ]
