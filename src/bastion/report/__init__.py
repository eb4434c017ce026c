"""The after-action report: plan-view map, timeline and tables from a run's events (matplotlib Agg).

Imports only `bastion.core` and matplotlib: it reads events handed to it, never a store or a file.
"""

from __future__ import annotations

from bastion.report.render import render_report

__all__ = ["render_report"]
