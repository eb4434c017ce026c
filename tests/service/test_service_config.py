"""The serve configuration: the documented example is valid; mistakes name the file and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bastion.core.errors import ConfigError
from bastion.service import load_service_config

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "al-asad-drone-raid.yaml"


def test_the_example_in_the_integrators_guide_is_valid(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "integration.md").read_text()
    (example,) = re.findall(r"```yaml\n(# serve\.yaml.*?)```", doc, re.S)
    path = ROOT / "docs" / "serve-example.yaml"  # beside the guide: its relative paths hold
    try:
        path.write_text(example)
        cfg = load_service_config(path)
    finally:
        path.unlink(missing_ok=True)
    assert cfg.spec.asterix[0].radars[0].radar == "cuas-radar-1"
    assert cfg.spec.outputs.cot is not None and cfg.spec.outputs.cot.tcp == "takserver.example:8087"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "asterix:\n  - listen: 1.2.3.4:1\n    radars: [{radar: nope, sac: 1, sic: 1}]\n",
            "asterix[0].radars[0]: radar 'nope' is not in the scenario",
        ),
        (
            "asterix:\n  - listen: 127.0.0.1:1\n    radars: [{radar: cuas-radar-1, sac: 1, sic: 1},"
            " {radar: cuas-radar-1, sac: 1, sic: 1}]\n",
            "SAC/SIC 1/1 used twice",
        ),
        ("sapient: {listen: 'localhost'}\n", "expected host:port"),
        ("sapient: {listen: '127.0.0.1:5020', node_id: 'ABC'}\n", "UUID version 4"),
        ("stepp_period_s: 1\n", "stepp_period_s"),
    ],
)
def test_mistakes_are_refused_with_the_field(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "serve.yaml"
    path.write_text(f"scenario: {SCENARIO}\n{body}")
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        load_service_config(path)
    assert str(path) in str(err.value)
