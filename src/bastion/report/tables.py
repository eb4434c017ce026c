"""HTML tables of the report: scenario summary, threats by class, alerts, engagements, event counts.

Every cell is text escaped with `html.escape`; times are run-clock seconds with one decimal.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from bastion.core.params import ScenarioParams
from bastion.core.records import Affiliation, Decision, EventKind, ThreatClass
from bastion.core.truth import TruthHistory
from bastion.report.views import EngagementChain, RunView

__all__ = [
    "alerts_table",
    "counts_table",
    "engagements_table",
    "summary_table",
    "threats_table",
]

_DASH = "\u2014"
_HOSTILE_LIKE = frozenset({Affiliation.HOSTILE, Affiliation.SUSPECT})


def _t(t_s: float | None) -> str:
    return _DASH if t_s is None else f"{t_s:.1f}"


def _ids(view: RunView, ids: Iterable[int], limit: int = 30) -> str:
    ordered = sorted(ids)
    text = ", ".join(view.label(i) for i in ordered[:limit])
    return text + (f" (+{len(ordered) - limit})" if len(ordered) > limit else "")


def _table(
    css_class: str, headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str
) -> str:
    """An HTML table with escaped cells; `empty` is shown when there are no rows."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" class="empty">{html.escape(empty)}</td></tr>'
    else:
        body = "\n".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
    return (
        f'<table class="{html.escape(css_class)}">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def summary_table(scenario: ScenarioParams, view: RunView, truth: TruthHistory | None) -> str:
    """Key facts of the scenario and run."""
    rows = [
        ["scenario", scenario.name],
        ["site", scenario.site.name],
        ["duration (s)", _t(scenario.duration_s)],
        ["radars", ", ".join(r.sensor_id for r in scenario.radars) or _DASH],
        ["effectors", ", ".join(e.name for e in scenario.effectors) or _DASH],
        ["zones", ", ".join(z.name for z in scenario.zones) or _DASH],
        ["truth objects", _DASH if truth is None else str(len(truth.names))],
        ["tracks", str(len(view.tracks))],
        ["events", str(sum(view.counts.values()))],
    ]
    return _table("summary", ["item", "value"], rows, "no scenario")


def threats_table(view: RunView) -> str:
    """Tracks per class, by each track's last identity."""
    by_class: dict[ThreatClass, list[int]] = {}
    for tid, ident in view.identities.items():
        by_class.setdefault(ident.threat_class, []).append(tid)
    rows = []
    for cls in ThreatClass:
        ids = by_class.get(cls)
        if not ids:
            continue
        hostile = [t for t in ids if view.identities[t].affiliation in _HOSTILE_LIKE]
        rows.append([cls.value, str(len(ids)), str(len(hostile)), _ids(view, ids)])
    headers = ["class", "tracks", "hostile or suspect", "track ids"]
    return _table("threats", headers, rows, "no identities")


def alerts_table(view: RunView) -> str:
    """Every alert with its all-clear and the impact or arrival time it told the zone to expect (as
    predicted when raised; for a drone still closing at the horizon, the horizon: see the reason)."""
    rows = [
        [
            str(s.alert.alert_id),
            s.alert.zone,
            view.label(s.alert.track_id),
            _t(s.alert.t_s),
            _t(s.cleared.t_s if s.cleared is not None else None),
            _t(s.alert.t_expected_s),
            s.alert.reason,
        ]
        for s in view.alerts
    ]
    headers = ["alert", "zone", "track", "raised (s)", "cleared (s)", "expected (s)", "reason"]
    return _table("alerts", headers, rows, "no alerts")


def _decision_cells(c: EngagementChain) -> list[str]:
    if c.decision is None:
        return [_DASH, _DASH, _DASH]
    d = c.decision
    return [d.decision.value, f"{d.operator} ({d.role})", _t(d.t_s)]


def _outcome(c: EngagementChain) -> str:
    if c.assessment is not None:
        return c.assessment.outcome.value
    if c.expired is not None:
        return f"withdrawn at {_t(c.expired.t_s)} s: {c.expired.text}"
    if c.engagement is not None:
        return "in flight"
    if c.decision is not None and c.decision.decision is Decision.DENIED:
        return "not fired"
    return "pending"


def engagements_table(view: RunView) -> str:
    """Every engagement request, its human decision (who, role, when), firing and outcome."""
    rows = [
        [
            str(c.request.request_id),
            view.label(c.request.track_id),
            c.request.effector,
            _t(c.request.t_s),
            *_decision_cells(c),
            _t(c.engagement.t_s if c.engagement is not None else None),
            _outcome(c),
        ]
        for c in view.engagements
    ]
    headers = [
        "request",
        "track",
        "effector",
        "requested (s)",
        "decision",
        "by",
        "decided (s)",
        "fired (s)",
        "outcome",
    ]
    return _table("engagements", headers, rows, "no engagement requests")


def counts_table(view: RunView) -> str:
    """How many events of each kind the run produced (every kind listed), and the total."""
    rows = [[k.value, str(view.counts.get(k, 0))] for k in EventKind]
    rows.append(["total", str(sum(view.counts.values()))])
    return _table("counts", ["event kind", "count"], rows, "no events")
