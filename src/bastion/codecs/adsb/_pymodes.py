"""The one place that imports pyModeS, the optional GPL-3.0 Mode S decoder (extra ``adsb``).

Bastion's core is Apache-2.0 and must import without pyModeS; only decoding Mode S frames needs it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Final

MISSING: Final = (
    "Mode S decoding needs pyModeS (GPL-3.0), which is an optional extra of Bastion: "
    "install it with `pip install 'bastion[adsb]'` (or `pip install 'pyModeS>=3.6,<4'`). "
    "SBS-1 lines and Beast framing work without it."
)


def pymodes() -> ModuleType:
    """The imported pyModeS package; ModuleNotFoundError saying what to install if it is missing."""
    try:
        import pyModeS
    except ImportError as exc:
        raise ModuleNotFoundError(MISSING, name="pyModeS") from exc
    return pyModeS


def pymodes_position() -> ModuleType:
    """pyModeS's CPR position module (same condition as `pymodes`)."""
    pymodes()
    import pyModeS.position

    return pyModeS.position
