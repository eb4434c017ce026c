"""The package's public surface and purity."""

from __future__ import annotations

import ast
from pathlib import Path

import bastion.sim

ALLOWED_ROOTS = {"__future__", "collections", "dataclasses", "math", "typing", "numpy", "scipy"}


def test_all_is_honest() -> None:
    assert sorted(bastion.sim.__all__) == ["Radar", "TruthWorld", "adsb_reports", "pd_swerling1"]
    for name in bastion.sim.__all__:
        assert getattr(bastion.sim, name) is not None


def test_imports_only_numpy_scipy_and_core() -> None:
    root = Path(bastion.sim.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                ok = name.split(".")[0] in ALLOWED_ROOTS or name.startswith(
                    ("bastion.core", "bastion.sim")
                )
                assert ok, f"{path.name} imports {name}"
