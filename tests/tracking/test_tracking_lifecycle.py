"""M-of-N confirmation and deletion rules on hand-written hit sequences."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.core.params import TrackerParams
from bastion.tracking import lifecycle
from bastion.tracking.table import TrackTable


def _run(hits: list[bool], params: TrackerParams) -> list[str]:
    """Feed one track the hit sequence after its birth; report its state after every scan."""
    tb = TrackTable()
    tb.append(
        x=np.zeros((1, 6)),
        P=np.eye(6)[None],
        t_s=0.0,
        rcs_log=np.zeros(1),
        range_rate_mps=np.zeros(1),
    )
    out = []
    for h in hits:
        if tb.n == 0:
            out.append("gone")
            continue
        lifecycle.record_scan(tb, np.array([h]))
        new_conf, dead = lifecycle.judge(tb, params)
        tb.confirmed[new_conf] = True
        state = "confirmed" if tb.confirmed[0] else "tentative"
        if dead[0]:
            state = "deleted"
        tb.keep(~dead)
        out.append(state)
    return out


P34 = TrackerParams(confirm_m=3, confirm_n=4, delete_misses=4)


@pytest.mark.parametrize(
    ("hits", "expected"),
    [
        ([True, True], ["tentative", "confirmed"]),
        ([False, True, True], ["tentative", "tentative", "confirmed"]),
        ([True, False, True], ["tentative", "tentative", "confirmed"]),
        ([False, False], ["tentative", "deleted"]),
        ([True, False, False], ["tentative", "tentative", "deleted"]),
        ([False, True, False], ["tentative", "tentative", "deleted"]),
    ],
)
def test_three_of_four(hits: list[bool], expected: list[str]) -> None:
    assert _run(hits, P34) == expected


def test_confirmed_track_deleted_after_consecutive_misses_only() -> None:
    seq = [True, True, False, False, False, True, False, False, False, False]
    states = _run(seq, P34)
    assert states[:9] == ["tentative", "confirmed"] + ["confirmed"] * 7
    assert states[9] == "deleted"


def test_window_hits_counts_last_n_bits() -> None:
    hh = np.array([0b1011, 0b11110000, 0], dtype=np.uint64)
    np.testing.assert_array_equal(lifecycle.window_hits(hh, 4), [3, 0, 0])
    np.testing.assert_array_equal(lifecycle.window_hits(hh, 8), [3, 4, 0])
