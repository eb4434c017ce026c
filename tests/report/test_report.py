"""The HTML report: files written, self-contained, escaped, tables and images present."""

from __future__ import annotations

import ast
import base64
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

import bastion.report
from bastion.core.params import ScenarioParams
from bastion.core.records import Event, EventKind, TrackReport
from bastion.core.truth import TruthHistory
from bastion.report import render_report
from bastion.report.timeline import MAX_TRACK_ROWS
from bastion.report.views import build_view

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _embedded_pngs(page: str) -> list[bytes]:
    return [
        base64.b64decode(m) for m in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    ]


def test_report_files_are_written_and_images_decode(
    tmp_path: Path, scenario: ScenarioParams, events: list[Event], truth: TruthHistory
) -> None:
    out = tmp_path / "nested" / "report"
    path = render_report(out, scenario, events, truth, "Synthetic raid")
    assert path == out / "report.html"
    for name in ("map.png", "timeline.png"):
        assert (out / name).read_bytes().startswith(PNG_MAGIC)
    page = path.read_text(encoding="utf-8")
    images = _embedded_pngs(page)
    assert len(images) == 2
    assert all(img.startswith(PNG_MAGIC) for img in images)
    assert images[0] == (out / "map.png").read_bytes()
    assert images[1] == (out / "timeline.png").read_bytes()


def test_report_is_self_contained(
    tmp_path: Path, scenario: ScenarioParams, events: list[Event], truth: TruthHistory
) -> None:
    page = render_report(tmp_path, scenario, events, truth, "t").read_text(encoding="utf-8")
    srcs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert srcs
    assert all(s.startswith("data:") for s in srcs)
    assert "<script" not in page


def test_report_contains_zones_tables_and_escapes_text(
    tmp_path: Path, scenario: ScenarioParams, events: list[Event], truth: TruthHistory
) -> None:
    page = render_report(tmp_path, scenario, events, truth, "Raid <b>one</b>").read_text("utf-8")
    assert "<title>Raid &lt;b&gt;one&lt;/b&gt;</title>" in page
    assert "<b>one</b>" not in page
    assert "HQ" in page
    assert "Airfield &lt;east&gt; &amp; &quot;ramp&quot;" in page
    assert "Airfield <east>" not in page
    for css_class in ("summary", "threats", "alerts", "engagements", "counts"):
        assert f'<table class="{css_class}">' in page
    assert "Lt &lt;Smith&gt; (engagement_authority)" in page
    # Each alert's expected impact or arrival time, as the alert told the zone (50 s and 90 s).
    assert "<th>expected (s)</th>" in page
    assert "<td>50.0</td>" in page and "<td>90.0</td>" in page
    assert "withdrawn at 81.0 s: request 4: track 2 lost" in page
    n_updates = sum(e.kind is EventKind.TRACK_UPDATED for e in events)
    assert f"<tr><td>track_updated</td><td>{n_updates}</td></tr>" in page
    assert f"<tr><td>total</td><td>{len(events)}</td></tr>" in page


def test_threats_by_class_use_the_last_identity(
    tmp_path: Path, scenario: ScenarioParams, events: list[Event], truth: TruthHistory
) -> None:
    page = render_report(tmp_path, scenario, events, truth, "t").read_text("utf-8")
    # Track 2 went suspect -> hostile; it counts once, as fixed_wing, hostile or suspect.
    assert "<tr><td>fixed_wing</td><td>1</td><td>1</td><td>T2</td></tr>" in page
    assert "<tr><td>bird</td><td>1</td><td>0</td><td>T4</td></tr>" in page


def test_same_input_gives_identical_report(
    tmp_path: Path, scenario: ScenarioParams, events: list[Event], truth: TruthHistory
) -> None:
    a = render_report(tmp_path / "a", scenario, events, truth, "t").read_bytes()
    b = render_report(tmp_path / "b", scenario, events, truth, "t").read_bytes()
    assert a == b


def test_report_renders_without_truth_events_or_zones(
    tmp_path: Path, scenario: ScenarioParams
) -> None:
    bare = replace(scenario, zones=(), effectors=(), radars=())
    path = render_report(tmp_path, bare, [], None, "empty run")
    page = path.read_text("utf-8")
    assert "no alerts" in page
    assert "no engagement requests" in page
    assert all(img.startswith(PNG_MAGIC) for img in _embedded_pngs(page))


def test_report_with_empty_truth_and_many_tracks(tmp_path: Path, scenario: ScenarioParams) -> None:
    t = np.arange(3.0)
    empty_truth = TruthHistory(
        t_s=t,
        position_m=np.zeros((3, 0, 3)),
        velocity_mps=np.zeros((3, 0, 3)),
        names=(),
        kinds=(),
        hostile=(),
    )
    n_tracks = MAX_TRACK_ROWS + 5
    events = [
        Event(
            seq=i,
            t_s=1.0,
            kind=EventKind.TRACK_CONFIRMED,
            subject_id=i,
            payload=TrackReport(
                track_id=i,
                t_s=1.0,
                position_m=(100.0 * i, -50.0 * i, 500.0),
                velocity_mps=(0.0, 0.0, 0.0),
                position_sigma_m=20.0,
                n_updates=3,
            ),
        )
        for i in range(n_tracks)
    ]
    path = render_report(tmp_path, scenario, events, empty_truth, "crowded")
    assert (tmp_path / "timeline.png").read_bytes().startswith(PNG_MAGIC)
    assert f"<tr><td>tracks</td><td>{n_tracks}</td></tr>" in path.read_text("utf-8")


def test_view_links_engagement_chains(events: list[Event]) -> None:
    view = build_view(events)
    chains = {c.request.request_id: c for c in view.engagements}
    assert chains[1].assessment is not None
    assert chains[1].assessment.outcome.value == "destroyed"
    assert chains[2].decision is not None
    assert chains[2].engagement is None
    assert chains[4].expired is not None
    assert [s.cleared is not None for s in view.alerts] == [True, False]
    assert view.tracks[1].position_at(42.0) is not None


def test_report_imports_only_core_matplotlib_numpy_and_stdlib() -> None:
    package = Path(bastion.report.__file__ or "").parent
    allowed = ("bastion.core", "bastion.report", "matplotlib", "numpy")
    for source in sorted(package.glob("*.py")):
        tree = ast.parse(source.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                ok = name.startswith(allowed) or name.split(".")[0] in sys.stdlib_module_names
                assert ok, f"{source.name} imports {name}"
                assert not name.startswith("matplotlib.pyplot"), f"{source.name} uses pyplot"


def test_public_names_are_exported() -> None:
    assert bastion.report.__all__ == ["render_report"]
    assert bastion.report.render_report is render_report
