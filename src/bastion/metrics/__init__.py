"""Scoring metrics for track pictures against simulated truth (pure numpy/scipy)."""

from bastion.metrics.gospa import Gospa, gospa

__all__ = ["Gospa", "gospa"]
