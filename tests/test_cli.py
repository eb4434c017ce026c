"""The command line as a user meets it: help on every command, exit code 2 with one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bastion.cli import app
from bastion.config import ScenarioWarning

ROOT = Path(__file__).resolve().parents[1]
ROCKET = ROOT / "scenarios" / "compound-rocket.yaml"
runner = CliRunner()


def test_help_on_every_command() -> None:
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "run" in top.output and "report" in top.output
    for cmd in ("run", "report"):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0 and len(res.output) > 200, cmd


def test_run_then_report_and_no_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "run"
    first = runner.invoke(app, ["run", str(ROCKET), "--seed", "2", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert "GOSPA" in first.output and "Report" in first.output
    assert "SIAP (within 250 m): completeness" in first.output
    again = runner.invoke(app, ["run", str(ROCKET), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert "Traceback" not in again.output
    forced = runner.invoke(app, ["run", str(ROCKET), "--seed", "2", "--out", str(out), "--force"])
    assert forced.exit_code == 0
    rep = runner.invoke(app, ["report", str(out)])
    assert rep.exit_code == 0 and "report.html" in rep.output


def test_bad_scenario_exits_2_naming_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(ROCKET.read_text().replace("scan_period_s", "scan_perid_s", 1))
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "r")])
    assert res.exit_code == 2
    assert "bad.yaml" in res.output and "scan_perid_s" in res.output
    assert "Traceback" not in res.output


def test_strict_refuses_a_scenario_with_an_advisory(tmp_path: Path) -> None:
    data = yaml.safe_load(ROCKET.read_text())
    data["targets"][0]["speed_mps"] = 600.0  # outruns the first gate (see docs/scenarios.md)
    fast = tmp_path / "fast.yaml"
    fast.write_text(yaml.safe_dump(data, sort_keys=False))
    strict = runner.invoke(app, ["run", str(fast), "--out", str(tmp_path / "a"), "--strict"])
    assert strict.exit_code == 2 and "Traceback" not in strict.output
    assert "tracker.init_speed_sigma_mps" in strict.output and "--strict" in strict.output
    assert not (tmp_path / "a").exists()
    with pytest.warns(ScenarioWarning, match="init_speed_sigma_mps"):  # warned, and run
        lenient = runner.invoke(app, ["run", str(fast), "--out", str(tmp_path / "b")])
    assert lenient.exit_code == 0, lenient.output
    calm = runner.invoke(app, ["run", str(ROCKET), "--out", str(tmp_path / "c"), "--strict"])
    assert calm.exit_code == 0, calm.output


def test_report_on_a_directory_that_is_not_a_run(tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", str(tmp_path)])
    assert res.exit_code == 2 and "not a Bastion run directory" in res.output


# (original text, replacement, the field path the message must name, a word it must contain)
MISTAKES = [
    (
        "    scan_period_s: 0.25",
        "    scan_perid_s: 0.25",
        "radars[0].scan_perid_s",
        "unknown field",
    ),
    ("    speed_mps: 350.0", "    speed_mps: 350 kt", "targets[0].speed_mps", "m/s"),
    ("    mass_kg: 18.8\n", "", "targets[0].mass_kg", "missing"),
    ("  - kind: gun ", "  - kind: laser ", "effectors[0].kind", "laser"),
    ("  - kind: radar", "  - kind: lidar", "radars[0].kind", "lidar"),
    (
        "[[-60.0, -40.0], [60.0, -40.0], [60.0, 40.0], [-60.0, 40.0]]",
        "[[-60.0, -40.0], [60.0, 40.0], [60.0, -40.0], [-60.0, 40.0]]",
        "zones[0].polygon_m",
        "polygon",
    ),
    (
        "launch_m: [4800.0, -3600.0, 0.0]",
        "launch_m: [4800.0, -3600.0, -20.0]",
        "targets[0].launch_m",
        "ground",
    ),
    (
        "    drag_coefficient: 0.35",
        "    drag_coefficient: fast",
        "targets[0].drag_coefficient",
        "number",
    ),
    ("lat_deg: 33.2986", "lat_deg: 133.2986", "site.lat_deg", "90"),
]


@pytest.mark.parametrize(("old", "new", "path", "word"), MISTAKES, ids=[m[2] for m in MISTAKES])
def test_each_scenario_mistake_exits_2_with_one_clear_message(
    tmp_path: Path, old: str, new: str, path: str, word: str
) -> None:
    text = ROCKET.read_text()
    assert old in text, old
    bad = tmp_path / "mistake.yaml"
    bad.write_text(text.replace(old, new, 1))
    res = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "run")])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "mistake.yaml" in res.output and path in res.output, res.output
    assert word.lower() in res.output.lower(), res.output
    assert not (tmp_path / "run").exists()
