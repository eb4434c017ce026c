"""Seeded track-versus-truth runs for the metric tests, and their Stone Soup copies.

`scripted_run(seed)`: six truths on irregular time steps (0.5, 1 or 2 s apart), one born late and one
that dies early, one never tracked (missed); tracks that follow a truth throughout, a second track on
the same truth (ambiguity, wrong identity label), a track replaced by another mid-life (track number
change), two tracks that swap truths, a spurious track far from everything, and a track whose error
hovers around the association threshold (associations that start, miss and end). `swarm_run(seed)`:
four truths a few tens of metres apart and eight tracks hopping between them, to stress the
closest-truth and switching rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from bastion.metrics import NO_LABEL, StateRows

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
Run = tuple[StateRows, StateRows]


def _truth_paths(
    rng: np.random.Generator, times: np.ndarray, n: int, spread_m: float, spacing_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """(T, n, 3) positions and velocities of n CV truths."""
    p0 = rng.uniform(-spread_m, spread_m, (n, 3)) + np.arange(n)[:, None] * spacing_m
    p0[:, 2] = rng.uniform(500.0, 3_000.0, n)
    v = rng.uniform(-150.0, 150.0, (n, 3))
    v[:, 2] = rng.uniform(-5.0, 5.0, n)
    pos = p0[None, :, :] + times[:, None, None] * v[None, :, :]
    return pos, np.broadcast_to(v, pos.shape).copy()


def _rows(cols: list[tuple[np.ndarray, ...]]) -> StateRows:
    t, i, p, v, lab = (np.concatenate([c[k] for c in cols]) for k in range(5))
    return StateRows(
        t_s=t.astype(np.float64),
        object_id=i.astype(np.int64),
        position_m=p,
        velocity_mps=v,
        label=lab.astype(np.int64),
    )


def scripted_run(seed: int) -> Run:
    rng = np.random.default_rng(seed)
    n_t = 40
    times = np.cumsum(rng.choice([0.5, 1.0, 2.0], n_t)) - 0.5
    pos, vel = _truth_paths(rng, times, 6, 2_000.0, 8_000.0)
    life = {j: (0, n_t) for j in range(6)}
    life[3] = (int(rng.integers(5, 12)), n_t)
    life[5] = (0, int(rng.integers(28, 36)))
    truth_cols = []
    for j, (a, b) in life.items():
        k = np.arange(a, b)
        truth_cols.append((times[k], np.full(k.size, j), pos[k, j], vel[k, j], np.full(k.size, j)))
    swap = int(rng.integers(18, 26))
    hand = int(rng.integers(15, 25))
    amb = (int(rng.integers(3, 8)), int(rng.integers(20, 30)))
    # (track id, [(truth, first step, end step)], position sigma m, label or None)
    script: list[tuple[int, list[tuple[int, int, int]], float, int | None]] = [
        (10, [(0, 0, n_t)], 5.0, 0),
        (11, [(0, amb[0], amb[1])], 8.0, 77),
        (12, [(1, 0, hand)], 5.0, 1),
        (13, [(1, hand + 1, n_t)], 5.0, None),
        (14, [(2, 0, swap), (3, swap, n_t)], 5.0, 2),
        (15, [(3, life[3][0] + 2, swap), (2, swap, n_t)], 5.0, 3),
        (17, [(5, 0, life[5][1])], 22.0, 5),
    ]
    track_cols = []
    for tid, segs, sigma, label in script:
        for j, a, b in segs:
            k = np.arange(max(a, life[j][0]), min(b, life[j][1]))
            p = pos[k, j] + rng.normal(0.0, sigma, (k.size, 3))
            v = vel[k, j] + rng.normal(0.0, 2.0, (k.size, 3))
            lab = np.full(k.size, NO_LABEL if label is None else label)
            track_cols.append((times[k], np.full(k.size, tid), p, v, lab))
    k = np.arange(4, 30)
    walk = np.array([60_000.0, 60_000.0, 1_000.0]) + np.cumsum(rng.normal(0, 50, (k.size, 3)), 0)
    track_cols.append(
        (times[k], np.full(k.size, 16), walk, np.zeros((k.size, 3)), np.full(k.size, -1))
    )
    return _rows(track_cols), _rows(truth_cols)


def swarm_run(seed: int) -> Run:
    rng = np.random.default_rng(1_000 + seed)
    n_t = 30
    times = np.arange(n_t, dtype=np.float64)
    pos, vel = _truth_paths(rng, times, 4, 30.0, 0.0)
    vel[:] = vel[:1]
    pos = pos[:1] + times[:, None, None] * vel
    truth_cols = [(times, np.full(n_t, j), pos[:, j], vel[:, j], np.full(n_t, j)) for j in range(4)]
    track_cols = []
    for tid in range(8):
        a = int(rng.integers(0, 10))
        k = np.arange(a, n_t)
        which = rng.integers(0, 4, k.size)
        stay = rng.random(k.size) < 0.8
        for i in range(1, k.size):
            if stay[i]:
                which[i] = which[i - 1]
        p = pos[k, which] + rng.normal(0.0, 8.0, (k.size, 3))
        v = vel[k, which] + rng.normal(0.0, 1.0, (k.size, 3))
        lab = np.where(rng.random(k.size) < 0.2, NO_LABEL, which)
        track_cols.append((times[k], np.full(k.size, 100 + tid), p, v, lab))
    return _rows(track_cols), _rows(truth_cols)


def to_stonesoup(tracks: StateRows, truths: StateRows) -> tuple[dict[int, Any], dict[int, Any]]:
    """Stone Soup Track and GroundTruthPath objects by id, state vectors (x, vx, y, vy, z, vz);
    identity labels in metadata under "id" (absent for NO_LABEL)."""
    from stonesoup.types.array import StateVector
    from stonesoup.types.groundtruth import GroundTruthPath, GroundTruthState
    from stonesoup.types.state import State
    from stonesoup.types.track import Track

    def sv(p: np.ndarray, v: np.ndarray) -> Any:
        return StateVector([p[0], v[0], p[1], v[1], p[2], v[2]])

    def ts(t: float) -> dt.datetime:
        return EPOCH + dt.timedelta(seconds=float(t))

    assert tracks.velocity_mps is not None and truths.velocity_mps is not None
    assert tracks.label is not None and truths.label is not None
    ss_truths: dict[int, Any] = {}
    for j in np.unique(truths.object_id):
        r = np.flatnonzero(truths.object_id == j)
        r = r[np.argsort(truths.t_s[r])]
        ss_truths[int(j)] = GroundTruthPath(
            [
                GroundTruthState(
                    sv(truths.position_m[i], truths.velocity_mps[i]),
                    timestamp=ts(truths.t_s[i]),
                    metadata={"id": int(truths.label[i])},
                )
                for i in r
            ]
        )
    ss_tracks: dict[int, Any] = {}
    for tid in np.unique(tracks.object_id):
        r = np.flatnonzero(tracks.object_id == tid)
        r = r[np.argsort(tracks.t_s[r])]
        track = Track(
            [
                State(sv(tracks.position_m[i], tracks.velocity_mps[i]), timestamp=ts(tracks.t_s[i]))
                for i in r
            ]
        )
        track.metadatas = [
            {} if tracks.label[i] == NO_LABEL else {"id": int(tracks.label[i])} for i in r
        ]
        ss_tracks[int(tid)] = track
    return ss_tracks, ss_truths


@pytest.fixture(name="make_run")
def fixture_make_run() -> Callable[[str, int], Run]:
    """`make_run(kind, seed)` with kind "scripted" or "swarm"."""

    def make(kind: str, seed: int) -> Run:
        return scripted_run(seed) if kind == "scripted" else swarm_run(seed)

    return make


@pytest.fixture(name="stonesoup_objects")
def fixture_stonesoup_objects() -> Callable[
    [StateRows, StateRows], tuple[dict[int, Any], dict[int, Any]]
]:
    """`to_stonesoup` as a fixture."""
    return to_stonesoup
