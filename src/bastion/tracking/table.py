"""The track table: every track's state and counters as rows of numpy arrays.

No per-track Python object exists: each column is one array of `capacity` rows, of which the first `n`
are live. Capacity doubles when rows are appended past it; deleting rows compacts the live rows to the
front, keeping their relative (birth) order. Column accessors return views of the live rows, so
`table.x[rows] = ...` writes through.

Columns (N = `n` live rows):

| column           | shape, dtype       | meaning                                                     |
|------------------|--------------------|-------------------------------------------------------------|
| `track_id`       | (N,) int64         | stable id from a monotonically increasing counter           |
| `x`              | (N, 6) float64     | state [e, n, u, ve, vn, vu], site ENU, m and m/s            |
| `P`              | (N, 6, 6) float64  | state covariance, m^2, m^2/s, m^2/s^2                       |
| `t_s`            | (N,) float64       | run-clock time of `x` and `P`, s                            |
| `confirmed`      | (N,) bool          | passed M-of-N confirmation                                  |
| `hit_history`    | (N,) uint64        | bit k set if the track was updated k scans ago (bit 0: now) |
| `n_scans`        | (N,) int64         | scans since birth, the birth scan included                  |
| `misses`         | (N,) int64         | consecutive scans without an update                         |
| `n_updates`      | (N,) int64         | detections associated, the initiating one included          |
| `born_t_s`       | (N,) float64       | time of the initiating detection, s                         |
| `confirmed_t_s`  | (N,) float64       | time of confirmation, s; NaN while tentative                |
| `rcs_log_mean`   | (N,) float64       | running mean of log10(RCS / 1 m^2) of associated detections |
| `range_rate_mps` | (N,) float64       | radial velocity of the last associated detection, m/s       |
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
UIntArray = NDArray[np.uint64]

_COLUMNS: tuple[tuple[str, tuple[int, ...], type[np.generic]], ...] = (
    ("track_id", (), np.int64),
    ("x", (6,), np.float64),
    ("P", (6, 6), np.float64),
    ("t_s", (), np.float64),
    ("confirmed", (), np.bool_),
    ("hit_history", (), np.uint64),
    ("n_scans", (), np.int64),
    ("misses", (), np.int64),
    ("n_updates", (), np.int64),
    ("born_t_s", (), np.float64),
    ("confirmed_t_s", (), np.float64),
    ("rcs_log_mean", (), np.float64),
    ("range_rate_mps", (), np.float64),
)


class TrackTable:
    """Tracks as rows of column arrays, grown by capacity doubling; see the module docstring."""

    __slots__ = ("_cols", "_n", "_next_id")

    def __init__(self, capacity: int = 64, first_id: int = 1) -> None:
        cap = max(int(capacity), 1)
        self._cols: dict[str, NDArray[Any]] = {
            name: np.zeros((cap, *shape), dtype=dtype) for name, shape, dtype in _COLUMNS
        }
        self._n = 0
        self._next_id = int(first_id)

    # ---- size -------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of live tracks (rows)."""
        return self._n

    def __len__(self) -> int:
        return self._n

    @property
    def capacity(self) -> int:
        """Rows allocated; doubles when exceeded."""
        return int(self._cols["t_s"].shape[0])

    @property
    def next_id(self) -> int:
        """The id the next appended track will get."""
        return self._next_id

    # ---- columns (views of the live rows) ---------------------------------------------------
    @property
    def track_id(self) -> IntArray:
        """Stable track ids (N,)."""
        return self._cols["track_id"][: self._n]

    @property
    def x(self) -> FloatArray:
        """States (N, 6): [e, n, u] site ENU m, [ve, vn, vu] m/s."""
        return self._cols["x"][: self._n]

    @property
    def P(self) -> FloatArray:
        """State covariances (N, 6, 6) in m^2, m^2/s, m^2/s^2."""
        return self._cols["P"][: self._n]

    @property
    def t_s(self) -> FloatArray:
        """Run-clock time of each row's state (N,), s."""
        return self._cols["t_s"][: self._n]

    @property
    def confirmed(self) -> BoolArray:
        """Confirmed flags (N,)."""
        return self._cols["confirmed"][: self._n]

    @property
    def hit_history(self) -> UIntArray:
        """Hit bitmask (N,): bit k set when the track was updated k scans ago."""
        return self._cols["hit_history"][: self._n]

    @property
    def n_scans(self) -> IntArray:
        """Scans since birth, birth included (N,)."""
        return self._cols["n_scans"][: self._n]

    @property
    def misses(self) -> IntArray:
        """Consecutive scans without an update (N,)."""
        return self._cols["misses"][: self._n]

    @property
    def n_updates(self) -> IntArray:
        """Associated detections, the initiating one included (N,)."""
        return self._cols["n_updates"][: self._n]

    @property
    def born_t_s(self) -> FloatArray:
        """Time of each track's initiating detection (N,), s."""
        return self._cols["born_t_s"][: self._n]

    @property
    def confirmed_t_s(self) -> FloatArray:
        """Time of confirmation (N,), s; NaN while tentative."""
        return self._cols["confirmed_t_s"][: self._n]

    @property
    def rcs_log_mean(self) -> FloatArray:
        """Running mean of log10(RCS / 1 m^2) over associated detections (N,)."""
        return self._cols["rcs_log_mean"][: self._n]

    @property
    def range_rate_mps(self) -> FloatArray:
        """Radial velocity of the last associated detection (N,), m/s, positive receding."""
        return self._cols["range_rate_mps"][: self._n]

    # ---- mutation -----------------------------------------------------------------------------
    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        cap = self.capacity
        if need <= cap:
            return
        while cap < need:
            cap *= 2
        for name, col in self._cols.items():
            grown = np.zeros((cap, *col.shape[1:]), dtype=col.dtype)
            grown[: self._n] = col[: self._n]
            self._cols[name] = grown

    def append(
        self,
        *,
        x: FloatArray,
        P: FloatArray,
        t_s: float,
        rcs_log: FloatArray,
        range_rate_mps: FloatArray,
    ) -> IntArray:
        """Append K tentative tracks born at `t_s` from one detection each; returns their new ids.

        `x` (K, 6) and `P` (K, 6, 6) are the initial states; `rcs_log` (K,) is log10 of each initiating
        detection's RCS (m^2) and `range_rate_mps` (K,) its radial velocity (m/s).
        """
        k = int(x.shape[0])
        ids = np.arange(self._next_id, self._next_id + k, dtype=np.int64)
        if k == 0:
            return ids
        self._reserve(k)
        s = slice(self._n, self._n + k)
        c = self._cols
        c["track_id"][s] = ids
        c["x"][s] = x
        c["P"][s] = P
        c["t_s"][s] = t_s
        c["confirmed"][s] = False
        c["hit_history"][s] = 1
        c["n_scans"][s] = 1
        c["misses"][s] = 0
        c["n_updates"][s] = 1
        c["born_t_s"][s] = t_s
        c["confirmed_t_s"][s] = np.nan
        c["rcs_log_mean"][s] = rcs_log
        c["range_rate_mps"][s] = range_rate_mps
        self._n += k
        self._next_id += k
        return ids

    def keep(self, mask: BoolArray) -> None:
        """Keep only the live rows where `mask` (N,) is True, compacting them in order."""
        if mask.shape != (self._n,):
            raise ValueError(f"keep mask has shape {mask.shape}, expected ({self._n},)")
        k = int(np.count_nonzero(mask))
        if k == self._n:
            return
        for col in self._cols.values():
            col[:k] = col[: self._n][mask]
        self._n = k

    def rows_of(self, track_ids: IntArray) -> IntArray:
        """Row indices of the given ids that are live (ids not in the table are skipped)."""
        ids = np.asarray(track_ids, dtype=np.int64).ravel()
        return np.flatnonzero(np.isin(self.track_id, ids)).astype(np.int64)
