"""What a track is called where people read it (the report, a TAK map): one rule for every output.

A cooperative-only track (ADS-B or Remote ID with no radar track, id at or above
`records.COOPERATIVE_TRACK_ID_BASE`) goes by what it reports: its callsign, else "ICAO <address>" or
"RID <serial>". The tracker's own tracks go by "T<id>".
"""

from __future__ import annotations

from bastion.core.records import TrackReport

_SOURCE_PREFIX = {"adsb": "ICAO", "remote_id": "RID"}


def coop_name(report: TrackReport) -> str:
    """A cooperative-only track's name: its callsign, else "ICAO <address>" (ADS-B) or
    "RID <serial>" (Remote ID); "" for the tracker's own tracks."""
    if report.callsign.strip():
        return report.callsign.strip()
    if not report.coop_ident:
        return ""
    return f"{_SOURCE_PREFIX.get(report.coop_source, report.coop_source)} {report.coop_ident}"


def track_callsign(report: TrackReport) -> str:
    """The name a track is published under: `coop_name`, else "T<id>"."""
    return coop_name(report) or f"T{report.track_id}"
