"""The measurement history's blocks: rows come back oldest first across block boundaries, the
storage grows with the rows held without losing any, old rows leave without a copy and their
emptied blocks are reused, memory stays bounded, ended tracks' rows are dead."""

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
    h: MeasurementHistory, t_s: float, rng: np.random.Generator, k: int = 3, tracks: int = 5
) -> list[tuple[float, int]]:
    """One look at `t_s` of `k` detections to random tracks below `tracks`; the (t, track) fed."""
    ids = rng.choice(tracks, size=k, replace=False).astype(np.int64)
    h.append(_batch(t_s, k), ids)
    return [(t_s, int(i)) for i in ids]


def _run(h: MeasurementHistory, first_s: int, steps: int, rng: np.random.Generator) -> None:
    for s in range(first_s, first_s + steps):
        _run_one(h, float(s), rng)


def _allocated(h: MeasurementHistory) -> set[int]:
    """Identities of every block the history holds, in use or spare."""
    return {id(b) for b in (*h.blocks, *h.spare)}


def test_rows_come_back_oldest_first_across_blocks_and_old_ones_leave() -> None:
    h = MeasurementHistory(window_s=8.0, block_rows=4)
    rng = np.random.default_rng(1)
    fed: list[tuple[float, int]] = []
    spanning = 0
    for step in range(60):
        fed += _run_one(h, float(step), rng)
        spanning += h.start > 0 and len(h.blocks) > 1
        oldest = step - 1.25 * 8.0  # nothing older survives an append at `step`
        many = h.of_many(np.arange(5, dtype=np.int64))
        for track in range(5):
            expect = [t for t, i in fed if i == track and t >= h.rows[0, T]]
            rows = h.of(track)
            assert rows[:, T].tolist() == expect  # every row held, oldest first
            assert not expect or expect[0] >= oldest
            np.testing.assert_array_equal(many.get(track, np.zeros((0, N_COLS))), rows)
    assert spanning > 10  # rows held from the middle of one block into later ones
    assert (len(h.blocks) + len(h.spare)) * h.block_rows <= 64  # about 3 rows/s x 1.25 x 8 s


def test_growth_keeps_every_row_and_reuses_the_blocks_old_rows_left() -> None:
    """Against a list of rows with the same expiry rule, while the load rises (blocks added), falls
    (blocks emptied) and rises again (spare blocks reused before any new one)."""
    window_s = 8.0
    h = MeasurementHistory(window_s=window_s, block_rows=8)
    rng = np.random.default_rng(4)
    held: list[tuple[float, int]] = []
    loads = [1] * 10 + [2, 4, 6, 9, 12] * 6 + [1] * 30 + [12] * 12
    grew = reused = 0
    seen: set[int] = set()
    for step, k in enumerate(loads):
        t_s = float(step)
        before = len(h.blocks) + len(h.spare)
        spare = {id(b) for b in h.spare}
        held += _run_one(h, t_s, rng, k=k, tracks=12)
        if held[0][0] < t_s - 1.25 * window_s:
            held = [r for r in held if r[0] >= t_s - window_s]
        grew += len(h.blocks) + len(h.spare) > before
        reused += bool(spare) and not spare <= {id(b) for b in h.spare}
        # no new block while a spare one waits
        assert not (_allocated(h) - seen) or not (spare & {id(b) for b in h.spare})
        seen |= _allocated(h)
        assert h.n == len(held)
        assert [(t, int(i)) for t, i in h.rows[:, [T, TID]].tolist()] == held
        many = h.of_many(np.arange(12, dtype=np.int64))
        for track in range(12):
            expect = [t for t, i in held if i == track]
            assert many.get(track, np.zeros((0, N_COLS)))[:, T].tolist() == expect
    assert grew > 5  # blocks were added while rows were held
    assert reused > 5  # and emptied blocks took new rows again
    assert len(seen) * h.block_rows <= 2 * 12 * 1.25 * window_s  # memory follows the peak load


def test_a_new_history_holds_no_storage() -> None:
    h = MeasurementHistory()
    assert not h.blocks and not h.spare
    assert h.rows.shape == (0, N_COLS)
    assert h.of_many(np.arange(3, dtype=np.int64)) == {}
    h.append(_batch(0.0, 2), np.array([-1, -1], dtype=np.int64))  # no detection updated a track
    assert not h.blocks and h.n == 0


def test_steady_state_never_allocates_a_block() -> None:
    h = MeasurementHistory(window_s=8.0, block_rows=16)
    rng = np.random.default_rng(2)
    _run(h, 0, 200, rng)
    blocks = _allocated(h)
    _run(h, 200, 500, rng)
    assert _allocated(h) == blocks  # the same arrays: emptied blocks reused, no new one
    assert h.n <= 3 * (1.25 * 8.0 + 1)


def test_an_ended_tracks_rows_are_dead_at_once() -> None:
    h = MeasurementHistory(window_s=8.0, block_rows=4)
    _run(h, 0, 40, np.random.default_rng(3))
    h.forget(np.array([2], dtype=np.int64))
    assert h.of(2).shape == (0, N_COLS)
    assert 2 not in h.of_many(np.arange(5, dtype=np.int64))
    assert np.count_nonzero(h.rows[:, TID] == -1) > 0
