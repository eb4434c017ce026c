"""Geometric paths and speed profiles for waypoint targets (pure, vectorised, site ENU metres).

A `Path` is a chain of straight segments joined, where asked, by circular fillet arcs: the corner at
an interior waypoint is replaced by the arc of radius `r` tangent to both legs, so a vehicle flying
the path at speed `v` never pulls more than `v**2 / r` of lateral acceleration. Where two adjacent
corners would overlap, the fillet is shrunk (a tighter turn than asked, the documented compromise).
The path is evaluated by arc length `s_m` (metres from the first waypoint along the path).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_MIN_TURN_RAD = 1e-9
_MIN_LENGTH_M = 1e-9


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Path:
    """S segments; segment i starts at `start_m[i]` (ENU m) and arc length `s0_m[i]`.

    A line runs along the unit vector `d[i]`; an arc (radius `radius_m[i]` > 0) starts tangent to
    `d[i]` and curves toward the unit normal `n[i]` (pointing at the arc's centre).
    """

    start_m: FloatArray
    d: FloatArray
    n: FloatArray
    radius_m: FloatArray
    s0_m: FloatArray
    length_m: float

    def _local(self, s_m: FloatArray) -> tuple[NDArray[np.intp], FloatArray]:
        s = np.clip(np.asarray(s_m, dtype=np.float64), 0.0, self.length_m)
        seg = np.clip(np.searchsorted(self.s0_m, s, side="right") - 1, 0, self.s0_m.size - 1)
        return seg, s - self.s0_m[seg]

    def point(self, s_m: FloatArray) -> FloatArray:
        """Positions (N, 3) in site ENU metres at arc lengths `s_m` (N,), clipped to the path."""
        seg, s_loc = self._local(s_m)
        r = self.radius_m[seg]
        is_arc = r > 0.0
        phi = np.where(is_arc, s_loc / np.where(is_arc, r, 1.0), 0.0)
        along = np.where(is_arc, r * np.sin(phi), s_loc)
        across = np.where(is_arc, r * (1.0 - np.cos(phi)), 0.0)
        out: FloatArray = (
            self.start_m[seg] + along[:, None] * self.d[seg] + across[:, None] * self.n[seg]
        )
        return out

    def tangent(self, s_m: FloatArray) -> FloatArray:
        """Unit tangents (N, 3) in ENU at arc lengths `s_m` (N,)."""
        seg, s_loc = self._local(s_m)
        r = self.radius_m[seg]
        is_arc = r > 0.0
        phi = np.where(is_arc, s_loc / np.where(is_arc, r, 1.0), 0.0)
        out: FloatArray = np.cos(phi)[:, None] * self.d[seg] + np.sin(phi)[:, None] * self.n[seg]
        return out


def dedupe(points_m: FloatArray) -> FloatArray:
    """Drop consecutive duplicate points (M, 3) so that every leg has a direction."""
    p = np.asarray(points_m, dtype=np.float64)
    keep = np.ones(p.shape[0], dtype=bool)
    keep[1:] = np.linalg.norm(np.diff(p, axis=0), axis=1) > _MIN_LENGTH_M
    return p[keep]


def build_path(points_m: FloatArray, max_radius_m: float) -> Path:
    """A path through `points_m` (M >= 2, distinct consecutive, ENU m) with fillets of radius
    `max_radius_m` (m) at interior corners; 0 gives sharp corners.

    Each fillet takes at most half of either adjacent leg; a fillet that would need more is shrunk.
    """
    p = np.asarray(points_m, dtype=np.float64)
    legs = np.diff(p, axis=0)
    leg_len = np.linalg.norm(legs, axis=1)
    d = legs / leg_len[:, None]
    m = p.shape[0]
    tan_len = np.zeros(m)  # tangent length taken from each leg at corner i (0 at both ends)
    radius = np.zeros(m)
    normal = np.zeros((m, 3))
    turn = np.zeros(m)
    for i in range(1, m - 1):
        cos_t = float(np.clip(d[i - 1] @ d[i], -1.0, 1.0))
        theta = float(np.arccos(cos_t))
        if max_radius_m <= 0.0 or theta < _MIN_TURN_RAD or np.pi - theta < 1e-6:
            continue
        half_tan = float(np.tan(theta / 2.0))
        length = min(max_radius_m * half_tan, 0.5 * min(leg_len[i - 1], leg_len[i]))
        nvec = d[i] - cos_t * d[i - 1]
        tan_len[i], radius[i], turn[i] = length, length / half_tan, theta
        normal[i] = nvec / np.linalg.norm(nvec)

    starts: list[FloatArray] = []
    dirs: list[FloatArray] = []
    norms: list[FloatArray] = []
    radii: list[float] = []
    lengths: list[float] = []
    for i in range(m - 1):
        line_len = float(leg_len[i] - tan_len[i] - tan_len[i + 1])
        if line_len > _MIN_LENGTH_M or (i == m - 2 and not lengths):
            starts.append(p[i] + tan_len[i] * d[i])
            dirs.append(d[i])
            norms.append(np.zeros(3))
            radii.append(0.0)
            lengths.append(max(line_len, 0.0))
        if i + 1 < m - 1 and radius[i + 1] > 0.0:
            starts.append(p[i + 1] - tan_len[i + 1] * d[i])
            dirs.append(d[i])
            norms.append(normal[i + 1])
            radii.append(float(radius[i + 1]))
            lengths.append(float(radius[i + 1] * turn[i + 1]))
    seg_len = np.asarray(lengths)
    s0 = np.concatenate([[0.0], np.cumsum(seg_len)[:-1]])
    return Path(
        start_m=np.asarray(starts),
        d=np.asarray(dirs),
        n=np.asarray(norms),
        radius_m=np.asarray(radii),
        s0_m=s0,
        length_m=float(seg_len.sum()),
    )


def trapezoid_duration_s(length_m: float, speed_mps: float, accel_mps2: float) -> float:
    """Time (s) to cover `length_m` from rest to rest, accelerating at most `accel_mps2`."""
    if length_m <= speed_mps**2 / accel_mps2:
        return float(2.0 * np.sqrt(length_m / accel_mps2))
    return float(length_m / speed_mps + speed_mps / accel_mps2)


def trapezoid_profile(
    tau_s: FloatArray, length_m: float, speed_mps: float, accel_mps2: float
) -> tuple[FloatArray, FloatArray]:
    """Distance (m) and speed (m/s) at times `tau_s` (s, clipped) into a rest-to-rest move.

    Accelerates at `accel_mps2` to `speed_mps` (or less if the move is short), cruises, decelerates.
    """
    v_peak = min(speed_mps, float(np.sqrt(accel_mps2 * length_m)))
    total = trapezoid_duration_s(length_m, speed_mps, accel_mps2)
    t_acc = v_peak / accel_mps2
    tau = np.clip(np.asarray(tau_s, dtype=np.float64), 0.0, total)
    d_acc = 0.5 * accel_mps2 * t_acc**2
    t_dec = tau - (total - t_acc)
    s = np.where(
        tau < t_acc,
        0.5 * accel_mps2 * tau**2,
        np.where(
            t_dec <= 0.0,
            d_acc + v_peak * (tau - t_acc),
            length_m - 0.5 * accel_mps2 * np.maximum(t_acc - t_dec, 0.0) ** 2,
        ),
    )
    v = np.where(
        tau < t_acc,
        accel_mps2 * tau,
        np.where(t_dec <= 0.0, v_peak, accel_mps2 * np.maximum(t_acc - t_dec, 0.0)),
    )
    return np.minimum(s, length_m), v
