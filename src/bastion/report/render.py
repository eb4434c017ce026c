"""The after-action report: ``report.html`` with the map and timeline embedded, plus the PNGs.

The page is self-contained (inline CSS, images as base64 PNG data URIs) and deterministic: the
same scenario, events and truth give the same bytes.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

from bastion.core.params import ScenarioParams
from bastion.core.records import Event
from bastion.core.truth import TruthHistory
from bastion.report.plan_map import draw_map
from bastion.report.style import png_bytes
from bastion.report.tables import (
    alerts_table,
    counts_table,
    engagements_table,
    summary_table,
    threats_table,
)
from bastion.report.timeline import draw_timeline
from bastion.report.views import build_view

__all__ = ["render_report"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.note { color: #666; font-size: 0.9em; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tbody tr:nth-child(even) { background: #fafafa; }
td.empty { color: #888; font-style: italic; }
""".strip()


def _img(name: str, png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img id="{name}" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def render_report(
    out_dir: Path,
    scenario: ScenarioParams,
    events: Sequence[Event],
    truth: TruthHistory | None,
    title: str,
) -> Path:
    """Write ``report.html``, ``map.png`` and ``timeline.png`` into `out_dir`; return the HTML path.

    `out_dir` is created if missing. `truth` is drawn when given (simulated runs); live runs pass
    None. Raises `OSError` if the files cannot be written.
    """
    view = build_view(events)
    map_png = png_bytes(draw_map(scenario, view, truth, title))
    timeline_png = png_bytes(draw_timeline(scenario, view, title))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "map.png").write_bytes(map_png)
    (out_dir / "timeline.png").write_bytes(timeline_png)
    t = html.escape(title)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{t}</title>
<style>
{_CSS}
</style>
</head>
<body>
<h1>{t}</h1>
<p class="note">Bastion after-action report. Simulated engagements only; times are run-clock
seconds; positions are site ENU kilometres about the site origin.</p>
<h2>Summary</h2>
{summary_table(scenario, view, truth)}
<h2>Plan view</h2>
{_img("map", map_png, f"{title}: plan view")}
<h2>Timeline</h2>
{_img("timeline", timeline_png, f"{title}: timeline")}
<h2>Threats by class</h2>
{threats_table(view)}
<h2>Alerts</h2>
{alerts_table(view)}
<h2>Engagements</h2>
{engagements_table(view)}
<h2>Events by kind</h2>
{counts_table(view)}
</body>
</html>
"""
    path = out_dir / "report.html"
    path.write_text(page, encoding="utf-8", newline="\n")
    return path
