"""The plan view: which impact ellipse it draws, and how it says which prediction that is."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

from bastion.core.params import ScenarioParams
from bastion.core.records import Event
from bastion.core.truth import TruthHistory
from bastion.report.plan_map import draw_map
from bastion.report.views import build_view

KM = 1e-3


def _ellipses(fig: Figure) -> list[Ellipse]:
    return [p for ax in fig.axes for p in ax.patches if type(p) is Ellipse]  # not Circle


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_the_impact_ellipse_drawn_is_the_half_flight_prediction_not_the_last(
    scenario: ScenarioParams, events: list[Event], truth: TruthHistory
) -> None:
    view = build_view(events)
    # Track 1 is first seen at 14 s and predicted to land at 50 s: half its flight is 32 s.
    chosen = view.half_flight[1]
    last = view.impacts[1][-1]
    assert chosen.t_s == 32.0
    assert last.ellipse_major_m < 0.8 * chosen.ellipse_major_m
    fig = draw_map(scenario, view, truth, "t")
    ellipses = _ellipses(fig)
    assert len(ellipses) == len(fig.axes) == 2  # overview and base detail
    for e in ellipses:
        assert e.width == pytest.approx(2 * chosen.ellipse_major_m * KM)
        assert e.height == pytest.approx(2 * chosen.ellipse_minor_m * KM)
        assert e.center == pytest.approx((chosen.impact_e_m * KM, chosen.impact_n_m * KM))
        assert e.angle == pytest.approx(90.0 - np.degrees(0.6))


def test_the_ellipse_says_when_it_was_predicted_and_the_last_point_stays_marked(
    scenario: ScenarioParams, events: list[Event], truth: TruthHistory
) -> None:
    view = build_view(events)
    chosen = view.half_flight[1]
    fig = draw_map(scenario, view, truth, "t")
    notes = [t for t in _texts(fig) if "half flight" in t]
    assert notes == [  # once, in the labelled (detail) panel
        "T1: 99% impact ellipse at half flight\n"
        "predicted at t = 32.0 s, 18.0 s before impact\n"
        f"semi-axes {chosen.ellipse_major_m:.0f} x {chosen.ellipse_minor_m:.0f} m"
    ]
    last = view.impacts[1][-1]
    at = np.array([[last.impact_e_m * KM, last.impact_n_m * KM]])
    marks = [
        line
        for ax in fig.axes
        for line in ax.lines
        if line.get_marker() == "X" and np.allclose(np.asarray(line.get_xydata()), at)
    ]
    assert len(marks) == 2
