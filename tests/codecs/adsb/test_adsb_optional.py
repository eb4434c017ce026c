"""pyModeS is an optional extra: Bastion imports without it, and says what to install when needed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.modules["pyModeS"] = None  # as if not installed: any import of it fails
    import bastion, bastion.codecs.adsb as adsb, bastion.codecs.remoteid
    from bastion.core.geo import Site
    line = "MSG,3,1,1,4CA2D6,1,,,,,,35000,,,53.1,-2.1,,,0,0,0,0"
    tracker = adsb.AircraftTracker(Site(name="s", lat_rad=0.92, lon_rad=-0.04))
    assert tracker.feed_sbs(line, 0.0) is not None  # SBS needs no pyModeS
    assert adsb.parse(b"")[0] == []
    try:
        adsb.decode(bytes.fromhex("8D406B902015A678D4D220AA4BDA"))
    except ModuleNotFoundError as err:
        print(err)
    else:
        raise SystemExit("decode worked without pyModeS")
    """
)


def test_core_imports_without_pymodes_and_decode_says_what_to_install() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "pip install 'bastion[adsb]'" in out.stdout
    assert "GPL-3.0" in out.stdout
