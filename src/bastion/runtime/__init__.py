"""Runners: the scenario runner (simulated world in the loop) and its scoring and summary."""

from bastion.runtime.runner import RunResult, run_scenario
from bastion.runtime.summary import RunSummary, summarise

__all__ = ["RunResult", "RunSummary", "run_scenario", "summarise"]
