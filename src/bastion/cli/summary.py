"""The terminal summary of a scenario run (rich tables)."""

from __future__ import annotations

import math

from rich.table import Table

from bastion.cli.app import console
from bastion.cli.ballistic_summary import print_ballistic
from bastion.runtime import RunResult, RunSummary


def _fmt_t(t: float) -> str:
    return "-" if not math.isfinite(t) else f"{t:.0f}"


def print_summary(result: RunResult, summary: RunSummary) -> None:
    """The terminal summary of a run: objects, alerts, engagements, leakers, GOSPA, paths."""
    by_class = Table(title="Identified as", title_justify="left")
    by_class.add_column("class")
    by_class.add_column("objects", justify="right")
    for cls, n in summary.classes.items():
        by_class.add_row(cls, str(n))
    console.print(by_class)

    obj = Table(title="Objects (times in s from the start)", title_justify="left")
    for col in ("object", "truth", "identified", "detected", "confirmed", "lead", "fate"):
        obj.add_column(col, justify="right" if col in ("detected", "confirmed", "lead") else "left")
    for ob in summary.objects:
        obj.add_row(
            ob.name,
            f"{'hostile ' if ob.hostile else ''}{ob.kind}",
            f"{ob.identified_class} / {ob.affiliation}",
            _fmt_t(ob.first_detection_t_s),
            _fmt_t(ob.confirmed_t_s)
            + (f" (+{ob.confirm_delay_s:.0f})" if ob.confirm_delay_s >= 0 else ""),
            _fmt_t(ob.lead_s),
            ob.fate,
        )
    console.print(obj)
    console.print("  lead: seconds from confirmed track to the planned impact", style="dim")

    alerts = Table(title="Alerts", title_justify="left")
    for col in ("zone", "object", "raised", "warning"):
        alerts.add_column(col, justify="right" if col in ("raised", "warning") else "left")
    for ob in summary.objects:
        for a in ob.alerts:
            alerts.add_row(a.zone, ob.name, f"{a.raised_t_s:.0f}", f"{a.warning_s:.0f} s")
    if alerts.row_count:
        console.print(alerts)
        console.print("  warning: seconds from the alert to the planned impact", style="dim")
    else:
        console.print("[bold]Alerts:[/] none")

    engs = Table(
        title="Engagements (models only; each needs a recorded human decision)",
        title_justify="left",
    )
    for col in ("req", "object", "effector", "requested", "decision", "outcome"):
        engs.add_column(col, justify="right" if col in ("req", "requested") else "left")
    for ob in summary.objects:
        for e in ob.engagements:
            who = f" by {e.operator} after {e.decided_after_s:.1f} s" if e.operator else ""
            engs.add_row(
                str(e.request_id),
                ob.name,
                e.effector,
                f"{e.requested_t_s:.0f}",
                e.decision + who,
                e.outcome,
            )
    console.print(engs if engs.row_count else "[bold]Engagements:[/] none")
    detailed = {b.name for b in summary.ballistic if b.impact is not None}
    for ob in summary.objects:
        if math.isfinite(ob.impact_error_m) and ob.name not in detailed:
            console.print(
                f"[bold]Impact prediction[/] for {ob.name} at half its flight time: "
                f"{ob.impact_error_m:.0f} m from the true impact point"
            )
    print_ballistic(summary)

    loc, miss, false = summary.gospa_parts_m
    console.print(f"[bold]Leakers:[/] {', '.join(summary.leakers) or 'none'}")
    console.print(f"[bold]Friendly objects engaged:[/] {summary.friendly_engagements}")
    console.print(
        f"[bold]GOSPA[/] (c = 100 m, p = 1, alpha = 2), mean over scans: {summary.mean_gospa_m:.1f} m "
        f"(localisation {loc:.1f}, missed {miss:.1f}, false {false:.1f})"
    )
    if (q := summary.siap) is not None:
        console.print(
            f"[bold]SIAP[/] (within {q.assoc_gate_m:.0f} m): completeness {q.completeness:.2f}, "
            f"ambiguity {q.ambiguity:.2f}, spuriousness {q.spuriousness:.2f}, accuracy "
            f"{q.position_accuracy_m:.1f} m, ID changes {q.track_number_changes}"
        )
    console.print(f"[bold]Report:[/] {result.report_path}")
    console.print(f"[bold]Database:[/] {result.db_path}")
    console.print(f"[bold]Event log:[/] {result.events_path}")
