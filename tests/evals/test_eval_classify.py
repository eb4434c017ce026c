"""The classifier's training script and evaluation: reproducible, disjoint seeds, honest scores."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np
from typer.testing import CliRunner

from bastion.cli import app
from bastion.core.records import ThreatClass
from bastion.evals.classify import declared_at, evaluate
from bastion.evals.classify_data import Snapshot, draw_target
from bastion.evals.train import EVAL_STREAM, TRAIN_STREAM, module_text, train
from bastion.identify.model import NaiveBayes
from bastion.identify.model_counts import SHAPE

runner = CliRunner()


def _load(text: str) -> ModuleType:
    mod = ModuleType("counts_under_test")
    exec(compile(text, "counts_under_test", "exec"), mod.__dict__)
    return mod


def test_training_is_reproducible_from_its_seed_and_writes_a_loadable_model() -> None:
    a = module_text(train(3, seed=5))
    b = module_text(train(3, seed=5))
    c = module_text(train(3, seed=6))
    assert a == b
    assert a != c
    mod = _load(a)
    assert mod.counts().shape == SHAPE
    model = NaiveBayes.from_counts(mod.counts(), mod.TEMPERATURE)
    assert np.isfinite(model.log_lik).all()
    assert "--tracks-per-class 3 --seed 5" in a


def test_evaluation_objects_never_come_from_the_training_stream() -> None:
    def first_rocket(stream: int) -> object:
        root = np.random.SeedSequence([stream, 1])
        ss = root.spawn(5)[0].spawn(1)[0].spawn(2)[0]
        return draw_target(ThreatClass.ROCKET, "r", np.random.default_rng(ss))

    assert first_rocket(EVAL_STREAM) != first_rocket(TRAIN_STREAM)


def test_score_counts_the_first_track_that_lives_long_enough() -> None:
    def snap(obj: int, tid: int, t: float, age: float, declared: int) -> Snapshot:
        return Snapshot(obj=obj, label=0, track_id=tid, t_s=t, age_s=age, n_looks=int(age) + 1,
                        features=np.zeros(11), declared=declared)  # fmt: skip

    snaps = [
        snap(0, 1, 5.0, 3.0, 1),  # object 0, track 1: fixed_wing at 3 s
        snap(0, 1, 12.0, 10.0, 0),  # rocket at 10 s
        snap(0, 9, 12.0, 10.0, 2),  # a later-born second track: ignored
        snap(1, 2, 4.0, 2.0, 0),  # object 1 never reaches 3 s of track life: not scored
    ]
    assert declared_at(snaps, 3, 3.0).tolist() == [1, -1, -1]
    assert declared_at(snaps, 3, 10.0).tolist() == [0, -1, -1]


def test_shipped_model_scores_well_on_a_small_fresh_sample() -> None:
    report = evaluate(10, seed=11)
    assert report.tracks_10s >= 40
    assert report.accuracy_10s >= 0.9
    assert report.rocket_tracks_3s >= 7
    assert report.rocket_accuracy_3s >= 0.9
    assert sum(map(sum, report.confusion_10s)) == report.tracks_10s


def test_cli_prints_json_and_trains_to_a_file(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["eval", "classify", "--tracks-per-class", "2", "--seed", "3", "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {"accuracy_10s", "rocket_accuracy_3s", "confusion_10s"} <= out.keys()
    assert out["confusion_10s"]["columns_declared"][-1] == "unknown"
    table = runner.invoke(app, ["eval", "classify", "--tracks-per-class", "1", "--seed", "3"])
    assert table.exit_code == 0
    assert "Confusion" in table.output
    path = tmp_path / "counts.py"
    res = runner.invoke(
        app,
        ["eval", "train-classifier", "--tracks-per-class", "2", "--seed", "4", "--out", str(path)],
    )
    assert res.exit_code == 0, res.output
    assert _load(path.read_text()).counts().shape == SHAPE
    bad = runner.invoke(app, ["eval", "classify", "--tracks-per-class", "0"])
    assert bad.exit_code == 2
