"""Unit conversions. Inside Bastion everything is SI (m, s, rad, kg); other units live only at the edges."""

from __future__ import annotations

import math

FT_PER_M = 1.0 / 0.3048
KT_PER_MPS = 3600.0 / 1852.0
G0_MPS2 = 9.80665
"""Standard gravity, m/s^2."""


def deg2rad(deg: float) -> float:
    """Degrees to radians."""
    return math.radians(deg)


def rad2deg(rad: float) -> float:
    """Radians to degrees."""
    return math.degrees(rad)


def m2ft(m: float) -> float:
    """Metres to feet."""
    return m * FT_PER_M


def ft2m(ft: float) -> float:
    """Feet to metres."""
    return ft / FT_PER_M


def mps2kt(mps: float) -> float:
    """Metres per second to knots."""
    return mps * KT_PER_MPS


def kt2mps(kt: float) -> float:
    """Knots to metres per second."""
    return kt / KT_PER_MPS


def db2lin(db: float) -> float:
    """Decibels (power) to a linear ratio."""
    return float(10.0 ** (db / 10.0))


def lin2db(lin: float) -> float:
    """Linear power ratio to decibels."""
    return 10.0 * math.log10(lin)
