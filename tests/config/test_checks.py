"""The loader's advisories: a valid scenario whose tracker cannot start a track on its fastest
target loads with a `ScenarioWarning` naming the field, the target's speed and a value to set; the
first gate's speed limit is what the tracker really holds; the shipped scenarios raise none."""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from bastion.config import ScenarioSpec, ScenarioWarning, load_scenario, parse_scenario
from bastion.config.checks import first_gate_speed_mps
from bastion.core.measurements import DetectionBatch
from bastion.core.params import TrackerParams
from bastion.tracking.tracker import Tracker

ROOT = Path(__file__).resolve().parents[2]
ROCKET = ROOT / "scenarios" / "compound-rocket.yaml"


def _rocket(speed_mps: float, sigma_mps: float | None = None) -> str:
    """compound-rocket.yaml with the rocket's speed, and `init_speed_sigma_mps` written if given."""
    data: dict[str, Any] = yaml.safe_load(ROCKET.read_text(encoding="utf-8"))
    data["targets"][0]["speed_mps"] = speed_mps
    if sigma_mps is not None:
        data["tracker"]["init_speed_sigma_mps"] = sigma_mps
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_load_without_an_advisory(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_scenario(path)


def test_a_target_faster_than_the_first_gate_warns_and_loads(tmp_path: Path) -> None:
    # lcmr-1: 0.25 s scan, 5 m range sigma; default gate 16: holds sqrt(16 (100^2 + 2 (5/0.25)^2)).
    text = _rocket(600.0, sigma_mps=100.0)
    path = tmp_path / "fast.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.warns(ScenarioWarning) as caught:
        loaded = load_scenario(path)
    assert loaded.params.tracker.init_speed_sigma_mps == 100.0  # loaded as written
    (w,) = caught.list
    line = 1 + text.splitlines().index("  init_speed_sigma_mps: 100.0")
    assert (w.filename, w.lineno) == (str(path), line)  # the display shows the field's YAML line
    message = str(w.message)
    assert message.startswith("tracker.init_speed_sigma_mps: 'rocket-107-1' flies at 600 m/s")
    assert "first gate holds (416 m/s at radar 'lcmr-1', 0.25 s scan)" in message
    assert "expected at least 148 m/s, got 100; about 350 holds it with margin" in message


@pytest.mark.parametrize(
    ("speed_mps", "sigma_mps", "warns"),
    [(415.0, None, False), (417.0, None, True), (600.0, 350.0, False), (600.0, 147.0, True)],
    ids=["just held", "just not held", "the suggested value", "below the least value"],
)
def test_the_advisory_follows_the_first_gate(
    speed_mps: float, sigma_mps: float | None, warns: bool
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parse_scenario(_rocket(speed_mps, sigma_mps), source="r.yaml")
    assert [issubclass(w.category, ScenarioWarning) for w in caught] == ([True] if warns else [])


def test_a_target_above_the_plausible_speed_warns() -> None:
    text = _rocket(1200.0, sigma_mps=700.0)  # the first gate holds it; the speed cap does not
    with pytest.warns(ScenarioWarning) as caught:
        parse_scenario(text, source="r.yaml")
    (w,) = caught.list
    assert str(w.message).startswith(
        "tracker.max_speed_mps: 'rocket-107-1' flies at 1200 m/s, above the fastest plausible "
        "track (1000 m/s): a track started on it never takes its second plot; expected at least 1200"
    )
    data = yaml.safe_load(text)
    data["tracker"]["max_speed_mps"] = 1300.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_scenario(yaml.safe_dump(data), source="r.yaml")


def _look(t_s: float, range_m: float, spec: ScenarioSpec) -> DetectionBatch:
    radar = spec.radars[0]
    return DetectionBatch(
        sensor_id=radar.id,
        t_s=t_s,
        sensor_enu_m=np.asarray(radar.position_m),
        range_m=np.array([range_m]),
        az_rad=np.array([0.7]),
        el_rad=np.array([0.05]),
        range_rate_mps=np.zeros(1),
        rcs_m2=np.full(1, 0.02),
        sigma_range_m=radar.sigma_range_m,
        sigma_az_rad=math.radians(radar.sigma_az_deg),
        sigma_el_rad=math.radians(radar.sigma_el_deg),
        sigma_range_rate_mps=radar.sigma_range_rate_mps,
    )


@pytest.mark.parametrize("filt", ["cv", "imm"])
def test_first_gate_speed_is_what_the_tracker_holds(filt: str) -> None:
    """Two noise-free plots one scan apart, closing on the radar: a new track takes the second
    just below the computed speed, and the second starts another track just above it."""
    spec = ScenarioSpec.model_validate(yaml.safe_load(ROCKET.read_text(encoding="utf-8")))
    spec = spec.model_copy(update={"tracker": spec.tracker.model_copy(update={"filter": filt})})
    held_mps = first_gate_speed_mps(spec.tracker, spec.radars[0])
    scan_s = spec.radars[0].scan_period_s
    for factor, taken in ((0.99, True), (1.01, False)):
        tracker = Tracker(TrackerParams(**spec.tracker.model_dump()))
        first = tracker.step(_look(0.0, 5000.0, spec))
        second = tracker.step(_look(scan_s, 5000.0 - factor * held_mps * scan_s, spec))
        assert bool(second.det_track_id[0] == first.det_track_id[0]) is taken, factor
