"""ULIDs for the SAPIENT ids Bastion mints (task, alert and report ids), without global state.

ULID layout (ulid/spec): 128 bits = 48-bit UNIX time in milliseconds | 80 random bits, written as 26
characters of Crockford base32 (``0123456789ABCDEFGHJKMNPQRSTVWXYZ``), most significant first. The
time comes from the caller and the random bits from the caller's `numpy.random.Generator`, so a run
with the same seed mints the same ids. Written here because it is ten lines; the PyPI packages
read the wall clock and the global random source.
"""

from __future__ import annotations

import numpy as np

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def make_ulid(utc_s: float, rng: np.random.Generator) -> str:
    """A ULID for POSIX time `utc_s` (s) with 80 random bits drawn from `rng`."""
    ms = round(utc_s * 1000.0)
    if not 0 <= ms < 2**48:
        raise ValueError(f"ULID time {utc_s} s outside the 48-bit millisecond range")
    high, low = (int(v) for v in rng.integers(0, 2**40, size=2, dtype=np.int64))
    value = (ms << 80) | (high << 40) | low
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in range(25, -1, -1))
