"""The measurement history's ring buffer: rows come back oldest first across the wrap, old rows
leave without a copy, memory stays bounded, ended tracks' rows are dead."""

from __future__ import annotations

import numpy as np

from bastion.core.measurements import DetectionBatch
from bastion.threat.history import N_COLS, TID, MeasurementHistory, T


def _batch(t_s: float, k: int) -> DetectionBatch:
    return DetectionBatch(
        sensor_id="r",
        t_s=t_s,
        sensor_enu_m=np.zeros(3),
        range_m=1000.0 + np.arange(k) + t_s,
        az_rad=np.zeros(k),
        el_rad=np.full(k, 0.1),
        range_rate_mps=np.full(k, -100.0),
        rcs_m2=np.full(k, 0.01),
        sigma_range_m=3.0,
        sigma_az_rad=0.001,
        sigma_el_rad=0.001,
        sigma_range_rate_mps=0.5,
    )


def _run_one(
    h: MeasurementHistory, t_s: float, rng: np.random.Generator
) -> list[tuple[float, int]]:
    """One look at `t_s` of 3 detections to random tracks 0-4; the (t, track) fed."""
    ids = rng.choice(5, size=3, replace=False).astype(np.int64)
    h.append(_batch(t_s, 3), ids)
    return [(t_s, int(i)) for i in ids]


def _run(h: MeasurementHistory, first_s: int, steps: int, rng: np.random.Generator) -> None:
    for s in range(first_s, first_s + steps):
        _run_one(h, float(s), rng)


def test_rows_come_back_oldest_first_across_the_wrap_and_old_ones_leave() -> None:
    h = MeasurementHistory(window_s=8.0, buf=np.zeros((16, N_COLS)))
    rng = np.random.default_rng(1)
    fed: list[tuple[float, int]] = []
    wrapped = 0
    for step in range(60):
        fed += _run_one(h, float(step), rng)
        wrapped += h.start + h.n > h.buf.shape[0]
        oldest = step - 1.25 * 8.0  # nothing older survives an append at `step`
        many = h.of_many(np.arange(5, dtype=np.int64))
        for track in range(5):
            expect = [t for t, i in fed if i == track and t >= h.rows[0, T]]
            rows = h.of(track)
            assert rows[:, T].tolist() == expect  # every row held, oldest first
            assert not expect or expect[0] >= oldest
            np.testing.assert_array_equal(many.get(track, np.zeros((0, N_COLS))), rows)
    assert wrapped > 10  # the wrapped ring was exercised
    assert h.buf.shape[0] <= 64  # bounded: about 3 rows/s x 1.25 x 8 s


def test_steady_state_never_grows_or_copies_the_buffer() -> None:
    h = MeasurementHistory(window_s=8.0)
    rng = np.random.default_rng(2)
    _run(h, 0, 200, rng)
    buf = h.buf
    _run(h, 200, 500, rng)
    assert h.buf is buf  # same array: no growth, no re-allocation
    assert h.n <= 3 * (1.25 * 8.0 + 1)


def test_an_ended_tracks_rows_are_dead_at_once() -> None:
    h = MeasurementHistory(window_s=8.0, buf=np.zeros((16, N_COLS)))
    _run(h, 0, 40, np.random.default_rng(3))
    h.forget(np.array([2], dtype=np.int64))
    assert h.of(2).shape == (0, N_COLS)
    assert 2 not in h.of_many(np.arange(5, dtype=np.int64))
    assert np.count_nonzero(h.rows[:, TID] == -1) > 0
