"""Scoring metrics for track pictures against simulated truth (pure numpy/scipy)."""

from bastion.metrics.gospa import Gospa, gospa
from bastion.metrics.gospa_series import GospaSeries, gospa_series
from bastion.metrics.reports import gospa_from_reports, siap_from_reports
from bastion.metrics.siap import Siap, score_siap, siap
from bastion.metrics.track_truth import (
    NO_LABEL,
    StateRows,
    TrackTruthAssociation,
    associate_tracks_to_truth,
)

__all__ = [
    "NO_LABEL",
    "Gospa",
    "GospaSeries",
    "Siap",
    "StateRows",
    "TrackTruthAssociation",
    "associate_tracks_to_truth",
    "gospa",
    "gospa_from_reports",
    "gospa_series",
    "score_siap",
    "siap",
    "siap_from_reports",
]
