"""The one exception tree of Bastion.

BastionError
├── ConfigError          a scenario or configuration is invalid (names the file and field)
├── DecodeError          bytes that do not decode (carries the offending bytes)
├── StoreError           the event store cannot be opened or written
└── AuthorisationError   an engagement step without a valid human authorisation
"""

from __future__ import annotations


class BastionError(Exception):
    """Root of every error Bastion raises on purpose."""


class ConfigError(BastionError):
    """A scenario or configuration file is invalid.

    `source` names the file, `path` the field's location in it (``targets[1].speed_mps``).
    """

    def __init__(self, message: str, *, source: str = "", path: str = "") -> None:
        self.source = source
        self.path = path
        self.detail = message
        where = ": ".join(p for p in (source, path) if p)
        super().__init__(f"{where}: {message}" if where else message)


class DecodeError(BastionError, ValueError):
    """Input bytes that do not decode; `data` holds the offending bytes."""

    def __init__(self, message: str, *, data: bytes = b"") -> None:
        self.data = data
        super().__init__(message)


class StoreError(BastionError):
    """The event store cannot be opened or written."""


class AuthorisationError(BastionError):
    """An engagement was attempted without a valid, recorded human authorisation."""
