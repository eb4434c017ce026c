"""The store's contract: what is saved about a run besides its events."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RunInfo"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    """Who made a run and from what: enough to reproduce it bit for bit.

    `scenario_sha256` is the hex SHA-256 of the scenario file's bytes; `seed` the run's root seed
    (any size: it is stored as decimal text); `started_utc` an ISO 8601 UTC timestamp supplied by
    the caller, because the store never reads the clock.
    """

    scenario_name: str
    scenario_sha256: str
    seed: int
    bastion_version: str
    started_utc: str
