"""What a track is called where people read it (the report, a TAK map): one rule for every output.

A track that carries a cooperative identity goes by it: a cooperative-only track (ADS-B or Remote ID
with no radar track, id at or above `records.COOPERATIVE_TRACK_ID_BASE`) by what its `TrackReport`
says, a radar track bound to ADS-B or Remote ID reports by what its latest `Identity` says. The name
is the callsign, else "ICAO <address>" or "RID <serial>". Any other track goes by "T<id>".
"""

from __future__ import annotations

from bastion.core.records import Identity, TrackReport

_SOURCE_PREFIX = {"adsb": "ICAO", "remote_id": "RID"}


def named_by(report: TrackReport, identity: Identity | None) -> TrackReport | Identity | None:
    """The record that names a track's cooperative identity: the report of a cooperative-only
    track, else the latest identity of a radar track bound to one; None for a track with none."""
    if report.coop_ident:
        return report
    if identity is not None and identity.coop_ident:
        return identity
    return None


def coop_name(named: TrackReport | Identity) -> str:
    """The cooperative identity a track report or identity names: its callsign, else
    "ICAO <address>" (ADS-B) or "RID <serial>" (Remote ID); "" when it names none."""
    if named.callsign.strip():
        return named.callsign.strip()
    if not named.coop_ident:
        return ""
    return f"{_SOURCE_PREFIX.get(named.coop_source, named.coop_source)} {named.coop_ident}"


def track_callsign(report: TrackReport, identity: Identity | None = None) -> str:
    """The name a track is published under: `coop_name` of the record that names it
    (`named_by`), else "T<id>"."""
    named = named_by(report, identity)
    return (coop_name(named) if named is not None else "") or f"T{report.track_id}"
