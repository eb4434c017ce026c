"""The command line as a user meets it: help on every command, exit code 2 with one clear message."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bastion.cli import app

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


def test_report_on_a_directory_that_is_not_a_run(tmp_path: Path) -> None:
    res = runner.invoke(app, ["report", str(tmp_path)])
    assert res.exit_code == 2 and "not a Bastion run directory" in res.output
