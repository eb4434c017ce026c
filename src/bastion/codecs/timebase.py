"""Run clock <-> UTC at the protocol edge.

Inside Bastion time is float seconds on the run's clock (`t_s`); every protocol carries UTC in its own
form (ASTERIX: seconds since midnight, SAPIENT: protobuf `Timestamp`, CoT: ISO 8601). A `RunEpoch` is
the one number that links them: the UTC instant, in POSIX seconds, of `t_s = 0`. Codecs take it as an
argument, so they never read the wall clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RunEpoch:
    """The UTC instant (POSIX seconds, leap seconds ignored as POSIX does) of run time `t_s = 0`."""

    utc_at_zero_s: float

    def to_utc_s(self, t_s: float) -> float:
        """Run time (s) to POSIX UTC seconds."""
        return self.utc_at_zero_s + t_s

    def from_utc_s(self, utc_s: float) -> float:
        """POSIX UTC seconds to run time (s)."""
        return utc_s - self.utc_at_zero_s

    def time_of_day_s(self, t_s: float) -> float:
        """UTC seconds since midnight, in [0, 86400), of run time `t_s` (ASTERIX time of day)."""
        return math.fmod(self.to_utc_s(t_s), SECONDS_PER_DAY) % SECONDS_PER_DAY

    def from_time_of_day_s(self, tod_s: float, near_t_s: float) -> float:
        """Run time of a UTC time of day, taking the day that puts it nearest to `near_t_s` (s).

        ASTERIX carries only the time of day; `near_t_s` (for example the datagram's arrival on the
        run clock) picks the day, so a report stamped 23:59:59.9 that arrives at 00:00:00.1 lands
        0.2 s before its arrival, not a day later.
        """
        near_utc = self.to_utc_s(near_t_s)
        midnight = near_utc - (math.fmod(near_utc, SECONDS_PER_DAY) % SECONDS_PER_DAY)
        candidate = midnight + tod_s
        if candidate - near_utc > SECONDS_PER_DAY / 2:
            candidate -= SECONDS_PER_DAY
        elif near_utc - candidate > SECONDS_PER_DAY / 2:
            candidate += SECONDS_PER_DAY
        return self.from_utc_s(candidate)

    def iso8601(self, t_s: float) -> str:
        """Run time as an ISO 8601 UTC string with milliseconds, ``2024-01-02T03:04:05.678Z``."""
        ms = round(self.to_utc_s(t_s) * 1000.0)
        dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
        return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"
