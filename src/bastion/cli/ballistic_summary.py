"""The run summary's rocket and mortar lines: impact and origin estimates against the truth."""

from __future__ import annotations

import math

from bastion.cli.app import console
from bastion.runtime import RunSummary


def print_ballistic(summary: RunSummary) -> None:
    """One line each for the impact and the origin estimate of every round (site ENU metres)."""
    for b in summary.ballistic:
        if b.impact is not None:
            p = b.impact
            conf = f"{p.confidence:.0%}" if math.isfinite(p.confidence) else "?"
            console.print(
                f"[bold]Impact[/] of {b.name} predicted at {p.t_s:.1f} s (half its flight): "
                f"({p.impact_e_m:.0f}, {p.impact_n_m:.0f}) m at {p.t_impact_s:.1f} s, {conf} ellipse "
                f"semi-axes {p.ellipse_major_m:.0f} x {p.ellipse_minor_m:.0f} m; truth "
                f"({b.impact_true_m[0]:.0f}, {b.impact_true_m[1]:.0f}) m: "
                f"[bold]{b.impact_error_m:.0f} m[/] off",
                highlight=False,
            )
        if b.origin is not None:
            o = b.origin
            console.print(
                f"[bold]Origin[/] of {b.name}: ({o.origin_e_m:.0f}, {o.origin_n_m:.0f}) m, "
                f"launched at {o.t_launch_s:.1f} s, {o.confidence:.0%} ellipse semi-axes "
                f"{o.ellipse_major_m:.0f} x {o.ellipse_minor_m:.0f} m; truth "
                f"({b.origin_true_m[0]:.0f}, {b.origin_true_m[1]:.0f}) m at "
                f"{b.launch_true_t_s:.1f} s: [bold]{b.origin_error_m:.0f} m[/] off",
                highlight=False,
            )
