"""TrackTable: capacity doubling, compaction, stable monotonically increasing ids."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.tracking.table import TrackTable


def _append(tb: TrackTable, k: int, t_s: float = 0.0) -> np.ndarray:
    x = np.zeros((k, 6))
    x[:, 0] = np.arange(k) + tb.next_id
    return tb.append(
        x=x,
        P=np.tile(np.eye(6), (k, 1, 1)),
        t_s=t_s,
        rcs_log=np.zeros(k),
        range_rate_mps=np.zeros(k),
    )


def test_growth_by_doubling_keeps_rows() -> None:
    tb = TrackTable(capacity=2)
    ids = np.concatenate([_append(tb, 3), _append(tb, 4), _append(tb, 1)])
    assert tb.n == 8
    assert tb.capacity == 8
    np.testing.assert_array_equal(ids, np.arange(1, 9))
    np.testing.assert_array_equal(tb.track_id, ids)
    np.testing.assert_array_equal(tb.x[:, 0], ids.astype(float))
    assert np.all(np.isnan(tb.confirmed_t_s))
    assert not tb.confirmed.any()
    np.testing.assert_array_equal(tb.hit_history, np.ones(8, dtype=np.uint64))


def test_keep_compacts_in_order_and_ids_are_never_reused() -> None:
    tb = TrackTable(capacity=4)
    _append(tb, 5)
    tb.keep(np.array([True, False, True, False, True]))
    np.testing.assert_array_equal(tb.track_id, [1, 3, 5])
    np.testing.assert_array_equal(tb.x[:, 0], [1.0, 3.0, 5.0])
    new = _append(tb, 2)
    np.testing.assert_array_equal(new, [6, 7])
    np.testing.assert_array_equal(tb.rows_of(np.array([7, 3, 99])), [1, 4])


def test_views_write_through() -> None:
    tb = TrackTable()
    _append(tb, 3)
    tb.x[1, 2] = 42.0
    tb.misses[2] = 3
    assert tb.x[1, 2] == 42.0
    assert tb.misses[2] == 3


def test_keep_rejects_wrong_mask() -> None:
    tb = TrackTable()
    _append(tb, 2)
    with pytest.raises(ValueError, match="keep mask"):
        tb.keep(np.ones(3, dtype=bool))


def test_history_is_bounded_in_rate_and_depth() -> None:
    tb = TrackTable(capacity=2, history_points=3)
    _append(tb, 2)
    for k in range(10):
        tb.t_s[:] = 0.5 * k
        tb.x[:, 0] = 0.5 * k
        tb.record_history(period_s=1.0)
    t, x = tb.history(int(tb.track_id[1]))
    np.testing.assert_array_equal(t, [2.0, 3.0, 4.0])
    np.testing.assert_array_equal(x[:, 0], [2.0, 3.0, 4.0])
    tb.keep(np.array([False, True]))
    _append(tb, 2)  # rows grow past capacity: history moves with its row
    assert tb.history(2)[0].tolist() == [2.0, 3.0, 4.0]
    assert tb.history(3)[0].size == 0 and tb.history(99)[0].size == 0
