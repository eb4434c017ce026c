"""The track table: every track's state and counters as rows of numpy arrays.

No per-track Python object exists. The columns live in row-major blocks of `capacity` rows, of which
the first `n` are live: the states x, the covariances P, the float scalar columns side by side in one
(capacity, 8) float64 block, the integer columns in one (capacity, 5) int64 block, the confirmed flags
and, for an IMM tracker (`n_models` > 0), each model's 9-element state, covariance and probability.
Capacity doubles when rows are appended past it; deleting rows compacts the live rows to the front
with one gather per block, keeping their relative (birth) order. Column accessors return views of the
live rows (some strided), so `table.x[rows] = ...` writes through. `copy` and `restore` snapshot and
roll back the whole table (out-of-sequence reprocessing).

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
| `score`          | (N,) float64       | track score, log-likelihood ratio (score-based management)  |
| `score_peak`     | (N,) float64       | highest score the track has reached                         |
| `model_x`        | (N, r, 9) float64  | IMM: each model's state [e, n, u, ve, vn, vu, ae, an, au]   |
| `model_P`        | (N, r, 9, 9)       | IMM: each model's covariance                                |
| `model_prob`     | (N, r) float64     | IMM: model probabilities (rows sum to 1)                    |
| history          | (N, k, 7) float64  | the last k [t_s, x] at a bounded rate (`record_history`)    |

For an IMM table `x` and `P` hold the moment-matched combination's position and velocity, which is
what every later stage reads.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
UIntArray = NDArray[np.uint64]

# Float scalar block layout.
_T_S, _BORN_T_S, _CONFIRMED_T_S, _RCS_LOG_MEAN, _RANGE_RATE, _SCORE, _SCORE_PEAK, _HIST_T = range(8)
_NF = 8
IMM_DIM = 9  # IMM model state: position, velocity, acceleration
# Integer block layout (hit_history is stored as int64 bits and viewed as uint64).
_TRACK_ID, _N_SCANS, _MISSES, _N_UPDATES, _HIT_HISTORY = 0, 1, 2, 3, 4
_NI = 5
_VEL_DIAG = np.array([21, 28, 35])  # flat indices of P[3, 3], P[4, 4], P[5, 5]


_BLOCKS = ("_x", "_P", "_f", "_i", "_b", "_mx", "_mP", "_mu", "_h", "_hn")
"""The table's column blocks, each (capacity, ...): what growing, copying and restoring move."""


class TrackTable:
    """Tracks as rows of column arrays, grown by capacity doubling; see the module docstring."""

    __slots__ = ("_P", "_b", "_f", "_h", "_hn", "_i", "_mP", "_mu", "_mx", "_n", "_next_id", "_x")

    def __init__(
        self, capacity: int = 64, first_id: int = 1, *, n_models: int = 0, history_points: int = 0
    ) -> None:
        cap = max(int(capacity), 1)
        r = int(n_models)
        self._x: FloatArray = np.zeros((cap, 6), dtype=np.float64)
        self._P: FloatArray = np.zeros((cap, 6, 6), dtype=np.float64)
        self._f: FloatArray = np.zeros((cap, _NF), dtype=np.float64)
        self._i: IntArray = np.zeros((cap, _NI), dtype=np.int64)
        self._b: BoolArray = np.zeros(cap, dtype=np.bool_)
        self._mx: FloatArray = np.zeros((cap, r, IMM_DIM), dtype=np.float64)
        self._mP: FloatArray = np.zeros((cap, r, IMM_DIM, IMM_DIM), dtype=np.float64)
        self._mu: FloatArray = np.zeros((cap, r), dtype=np.float64)
        self._h: FloatArray = np.zeros((cap, int(history_points), 7), dtype=np.float64)
        self._hn: IntArray = np.zeros(cap, dtype=np.int64)
        self._n = 0
        self._next_id = int(first_id)

    def _blocks(self) -> tuple[NDArray[np.generic], ...]:
        return tuple(getattr(self, name) for name in _BLOCKS)

    def _set_blocks(self, blocks: tuple[NDArray[np.generic], ...]) -> None:
        for name, block in zip(_BLOCKS, blocks, strict=True):
            setattr(self, name, block)

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
        return int(self._b.shape[0])

    @property
    def n_models(self) -> int:
        """IMM models per track (0: a single-model table)."""
        return int(self._mu.shape[1])

    @property
    def next_id(self) -> int:
        """The id the next appended track will get."""
        return self._next_id

    # ---- columns (views of the live rows) ---------------------------------------------------
    @property
    def track_id(self) -> IntArray:
        """Stable track ids (N,)."""
        return self._i[: self._n, _TRACK_ID]

    @property
    def x(self) -> FloatArray:
        """States (N, 6): [e, n, u] site ENU m, [ve, vn, vu] m/s."""
        return self._x[: self._n]

    @property
    def P(self) -> FloatArray:
        """State covariances (N, 6, 6) in m^2, m^2/s, m^2/s^2."""
        return self._P[: self._n]

    @property
    def t_s(self) -> FloatArray:
        """Run-clock time of each row's state (N,), s."""
        return self._f[: self._n, _T_S]

    @property
    def confirmed(self) -> BoolArray:
        """Confirmed flags (N,)."""
        return self._b[: self._n]

    @property
    def hit_history(self) -> UIntArray:
        """Hit bitmask (N,): bit k set when the track was updated k scans ago."""
        return self._i[: self._n, _HIT_HISTORY].view(np.uint64)

    @property
    def n_scans(self) -> IntArray:
        """Scans since birth, birth included (N,)."""
        return self._i[: self._n, _N_SCANS]

    @property
    def misses(self) -> IntArray:
        """Consecutive scans without an update (N,)."""
        return self._i[: self._n, _MISSES]

    @property
    def n_updates(self) -> IntArray:
        """Associated detections, the initiating one included (N,)."""
        return self._i[: self._n, _N_UPDATES]

    @property
    def born_t_s(self) -> FloatArray:
        """Time of each track's initiating detection (N,), s."""
        return self._f[: self._n, _BORN_T_S]

    @property
    def confirmed_t_s(self) -> FloatArray:
        """Time of confirmation (N,), s; NaN while tentative."""
        return self._f[: self._n, _CONFIRMED_T_S]

    @property
    def rcs_log_mean(self) -> FloatArray:
        """Running mean of log10(RCS / 1 m^2) over associated detections (N,)."""
        return self._f[: self._n, _RCS_LOG_MEAN]

    @property
    def range_rate_mps(self) -> FloatArray:
        """Radial velocity of the last associated detection (N,), m/s, positive receding."""
        return self._f[: self._n, _RANGE_RATE]

    @property
    def score(self) -> FloatArray:
        """Track score, the log-likelihood ratio of target against false alarm (N,)."""
        return self._f[: self._n, _SCORE]

    @property
    def score_peak(self) -> FloatArray:
        """Highest score each track has reached (N,)."""
        return self._f[: self._n, _SCORE_PEAK]

    @property
    def model_x(self) -> FloatArray:
        """IMM model states (N, r, 9): position m, velocity m/s, acceleration m/s^2, site ENU."""
        return self._mx[: self._n]

    @property
    def model_P(self) -> FloatArray:
        """IMM model covariances (N, r, 9, 9)."""
        return self._mP[: self._n]

    @property
    def model_prob(self) -> FloatArray:
        """IMM model probabilities (N, r)."""
        return self._mu[: self._n]

    @property
    def history_points(self) -> int:
        """States kept per track in its history ring (0: no history)."""
        return int(self._h.shape[1])

    def record_history(self, period_s: float) -> None:
        """Add each live row's current [t_s, x] to its history if its last entry is at least
        `period_s` older (or it has none): a bounded-rate record, `history_points` deep."""
        k = self.history_points
        n = self._n
        if k == 0 or n == 0:
            return
        f = self._f[:n]
        t = f[:, _T_S]
        due = np.flatnonzero(t - f[:, _HIST_T] >= period_s)
        if due.size == 0:
            return
        f[due, _HIST_T] = t[due]
        count = self._hn[:n]
        slot = count[due] % k
        self._h[due, slot, 0] = self.t_s[due]
        self._h[due, slot, 1:] = self.x[due]
        self._hn[due] += 1

    def history(self, track_id: int) -> tuple[FloatArray, FloatArray]:
        """The recorded history of one live track, oldest first: times (k,) s and states (k, 6)
        [e, n, u, ve, vn, vu] site ENU; empty if the id is not live or nothing was recorded."""
        rows = self.rows_of(np.array([track_id]))
        k = self.history_points
        if rows.size == 0 or k == 0:
            return np.zeros(0), np.zeros((0, 6))
        r = int(rows[0])
        c = int(self._hn[r])
        order = (np.arange(max(c - k, 0), c)) % k
        h = self._h[r, order]
        return h[:, 0].copy(), h[:, 1:].copy()

    # ---- mutation -----------------------------------------------------------------------------
    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        cap = self.capacity
        if need <= cap:
            return
        while cap < need:
            cap *= 2
        n = self._n
        grown = []
        for a in self._blocks():
            g = np.zeros((cap, *a.shape[1:]), dtype=a.dtype)
            g[:n] = a[:n]
            grown.append(g)
        self._set_blocks(tuple(grown))

    def copy(self) -> TrackTable:
        """An independent snapshot of the live rows (capacity = n, same next id)."""
        out = TrackTable.__new__(TrackTable)
        out._set_blocks(tuple(a[: max(self._n, 1)].copy() for a in self._blocks()))
        out._n = self._n
        out._next_id = self._next_id
        return out

    def restore(self, snapshot: TrackTable) -> None:
        """Roll the rows back to `snapshot` (from `copy`). The id counter is kept: ids handed out
        since the snapshot are never reused for other tracks."""
        self._set_blocks(tuple(a.copy() for a in snapshot._blocks()))
        self._n = snapshot._n
        self._next_id = max(self._next_id, snapshot._next_id)

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
        self._x[s] = x
        self._P[s] = P
        self._init_rows(s, ids, t_s, rcs_log, range_rate_mps)
        return ids

    def append_detections(
        self,
        *,
        z_m: FloatArray,
        R_m2: FloatArray,
        speed_var_m2ps2: float,
        t_s: float,
        rcs_log: FloatArray,
        range_rate_mps: FloatArray,
        ids: IntArray | None = None,
    ) -> IntArray:
        """Append K tentative tracks started from K position detections; returns their new ids.

        Each starts at its detection `z_m` (K, 3) with covariance `R_m2` (K, 3, 3), velocity zero with
        variance `speed_var_m2ps2` per axis ((m/s)^2), born at `t_s`; `rcs_log` and `range_rate_mps`
        (K,) as in `append`. Same result as `append`, written straight into the table. `ids` (K,),
        when given, are used instead of fresh ones (a replay re-creating tracks it had created
        before; the caller guarantees they are not live).
        """
        k = int(z_m.shape[0])
        if ids is None:
            ids = np.arange(self._next_id, self._next_id + k, dtype=np.int64)
        if k == 0:
            return ids
        self._reserve(k)
        s = slice(self._n, self._n + k)
        x = self._x[s]
        x[:, :3] = z_m
        x[:, 3:] = 0.0
        P = self._P[s]
        P[...] = 0.0
        P[:, :3, :3] = R_m2
        P.reshape(k, 36)[:, _VEL_DIAG] = speed_var_m2ps2
        self._init_rows(s, ids, t_s, rcs_log, range_rate_mps)
        return ids

    def _init_rows(
        self, s: slice, ids: IntArray, t_s: float, rcs_log: FloatArray, range_rate_mps: FloatArray
    ) -> None:
        f = self._f[s]
        f[:, _T_S] = t_s
        f[:, _BORN_T_S] = t_s
        f[:, _CONFIRMED_T_S] = np.nan
        f[:, _RCS_LOG_MEAN] = rcs_log
        f[:, _RANGE_RATE] = range_rate_mps
        i = self._i[s]
        i[:, _TRACK_ID] = ids
        i[:, _N_SCANS] = 1
        i[:, _MISSES] = 0
        i[:, _N_UPDATES] = 1
        i[:, _HIT_HISTORY] = 1
        f[:, _SCORE] = 0.0
        f[:, _SCORE_PEAK] = 0.0
        f[:, _HIST_T] = -np.inf
        self._hn[s] = 0
        self._b[s] = False
        self._n += ids.shape[0]
        self._next_id = max(self._next_id, int(ids.max()) + 1)

    def keep(self, mask: BoolArray) -> None:
        """Keep only the live rows where `mask` (N,) is True, compacting them in order."""
        if mask.shape != (self._n,):
            raise ValueError(f"keep mask has shape {mask.shape}, expected ({self._n},)")
        k = int(np.count_nonzero(mask))
        if k == self._n:
            return
        n = self._n
        # Rows before the first deleted one stay where they are; only the tail moves (new, short-
        # lived tentative tracks sit at the end, so the tail is usually short).
        first = int(np.argmin(mask))
        tail = mask[first:]
        for a in self._blocks():
            a[first:k] = a[first:n].compress(tail, axis=0)
        self._n = k

    def rows_of(self, track_ids: IntArray) -> IntArray:
        """Row indices of the given ids that are live (ids not in the table are skipped)."""
        ids = np.asarray(track_ids, dtype=np.int64).ravel()
        return np.flatnonzero(np.isin(self.track_id, ids)).astype(np.int64)
