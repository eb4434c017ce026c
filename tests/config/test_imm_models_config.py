"""The tracker's IMM model set from the scenario (`tracker.imm_models`): what the loader accepts and
refuses, and the IMM the tracker then runs."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from bastion.config.loader import parse_scenario
from bastion.core.errors import ConfigError
from bastion.core.measurements import DetectionBatch
from bastion.core.params import TrackerParams
from bastion.tracking.filters import HOVER, SOJOURN_S, imm_params
from bastion.tracking.imm import ImmParams
from bastion.tracking.motion import ConstantVelocity, Hover
from bastion.tracking.motion_ballistic import Ballistic
from bastion.tracking.motion_level_turn import LevelTurn
from bastion.tracking.tracker import Tracker

RAID = Path(__file__).resolve().parents[2] / "scenarios" / "al-asad-drone-raid.yaml"


def _tracker(**tracker: Any) -> TrackerParams:
    data = yaml.safe_load(RAID.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["tracker"] = {**data.get("tracker", {}), **tracker}
    return parse_scenario(yaml.safe_dump(data)).params.tracker


def test_without_imm_models_the_tracker_runs_the_default_set_at_the_site_height() -> None:
    params = _tracker()
    assert params.filter == "imm" and params.imm_models == () and params.site_alt_m == 190.0
    imm = imm_params(params)
    default = ImmParams()
    assert imm.sojourn_s == SOJOURN_S and imm.initial_mu == default.initial_mu
    assert [m.name for m in imm.models] == [m.name for m in default.models]
    ballistic = imm.models[3]
    assert isinstance(ballistic, Ballistic) and ballistic.site_alt_m == 190.0


def test_the_four_default_kinds_written_out_are_the_default_set() -> None:
    written = _tracker(imm_models=[{"kind": k} for k in ("cv", "singer", "ct", "ballistic")])
    assert imm_params(written) == imm_params(_tracker())


def test_an_entry_changes_only_what_it_gives() -> None:
    """A partial entry keeps the kind's other defaults: its model's, its sojourn and its weight."""
    imm = imm_params(_tracker(imm_models=[{"kind": "singer", "tau_s": 1.0}, {"kind": "hover"}]))
    singer, hover = imm.models
    assert singer == replace(ImmParams().models[1], tau_s=1.0) and hover == HOVER
    assert imm.sojourn_s == (SOJOURN_S[1], 10.0)
    np.testing.assert_allclose(imm.initial_mu, np.array([0.3, 0.15]) / 0.45)


def test_a_tuned_set_with_hover_and_a_turn_pair() -> None:
    params = _tracker(
        imm_models=[
            {"kind": "cv", "accel_mps2": 0.3, "sojourn_s": 40.0, "weight": 0.5},
            {"kind": "hover", "speed_sigma_mps": 0.4, "tau_s": 1.5, "weight": 0.3},
            {"kind": "level_turn", "accel_mps2": 19.6, "sojourn_s": 4.0, "weight": 0.2},
        ]
    )
    imm = imm_params(params)
    cv, hover, left, right = imm.models
    assert cv == ConstantVelocity(accel_mps2=0.3)
    assert hover == Hover(speed_sigma_mps=0.4, tau_s=1.5)
    assert isinstance(left, LevelTurn) and isinstance(right, LevelTurn)
    assert (left.left, right.left, left.accel_mps2) == (True, False, 19.6)
    assert imm.sojourn_s == (40.0, 10.0, 4.0, 4.0)
    np.testing.assert_allclose(imm.initial_mu, (0.5, 0.3, 0.1, 0.1))
    # The tracker runs it: a track from two looks carries one probability per model.
    tracker = Tracker(params)
    for k in range(3):
        batch = DetectionBatch(
            sensor_id="r1",
            t_s=float(k),
            sensor_enu_m=np.zeros(3),
            range_m=np.array([2000.0 + 20.0 * k]),
            az_rad=np.array([0.5]),
            el_rad=np.array([0.05]),
            range_rate_mps=np.array([20.0]),
            rcs_m2=np.array([0.1]),
            sigma_range_m=5.0,
            sigma_az_rad=0.005,
            sigma_el_rad=0.005,
            sigma_range_rate_mps=1.0,
        )
        tracker.step(batch)
    probs = tracker.table.model_prob[: tracker.table.n]
    assert probs.shape == (1, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("tracker", "message"),
    [
        (
            {"imm_models": [{"kind": "cv"}, {"kind": "bogus"}]},
            "tracker.imm_models[1].kind: unknown IMM model kind 'bogus'; expected one of: cv, "
            "singer, ct, ballistic, hover, level_turn",
        ),
        ({"imm_models": [{"kind": "level_turn"}]}, "imm_models[0].accel_mps2: required field"),
        (
            {"imm_models": [{"kind": "cv", "sojourn_s": -1}]},
            "imm_models[0].sojourn_s: expected a number in s greater than 0, got -1",
        ),
        (
            {"filter": "cv", "imm_models": [{"kind": "cv"}]},
            "imm_models is set but filter is not 'imm': set filter: imm",
        ),
        ({"imm_models": []}, "tracker.imm_models: expected at least 1 entry, got 0"),
        (
            {"imm_models": [{"kind": "singer", "tau": 3}]},
            "imm_models[0].tau: unknown field; did you mean 'tau_s'?",
        ),
    ],
)
def test_bad_imm_models_are_refused_with_the_place_and_the_reason(
    tracker: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match="line") as err:
        _tracker(**tracker)
    assert message in str(err.value)


def test_the_example_in_the_scenario_docs_loads() -> None:
    """docs/scenarios.md's `tracker.imm_models` example is a valid tracker block: seven models."""
    doc = (RAID.parents[1] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = doc.split("### `tracker.imm_models`", 1)[1].split("```yaml\n", 1)[1].split("```")[0]
    imm = imm_params(_tracker(**yaml.safe_load(example)["tracker"]))
    assert [m.name for m in imm.models] == [
        "cv", "singer", "ct", "ballistic", "hover", "turn_left", "turn_right"
    ]  # fmt: skip
    assert imm.sojourn_s == (60.0, 10.0, 10.0, 10.0, 10.0, 5.0, 5.0)
