"""Every benchmark script imports: `make bench` must not fail on a name a refactor moved."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(p.stem for p in BENCHMARKS.glob("*.py"))


def test_there_are_benchmarks() -> None:
    assert {"ingest", "tracker_vs_stonesoup", "capacity", "eval_warn"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_imports(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    module = importlib.import_module(name)
    assert module.__file__ is not None and Path(module.__file__).parent == BENCHMARKS
    if hasattr(module, "main"):
        assert callable(module.main)
    sys.modules.pop(name, None)
