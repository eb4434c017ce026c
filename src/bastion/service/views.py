"""What the HTTP API shows of a live core: per-feed counters, the current tracks, the engagement
requests waiting for a human decision (JSON-able dicts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bastion.service.core import SAPIENT_FEED, TAK_FEED, LiveCore


def feed_counters(
    core: LiveCore, kernel_drops: Mapping[str, int], adsb_connected: Mapping[str, bool]
) -> dict[str, Any]:
    """Counters per feed; `kernel_drops` per UDP receiver, `adsb_connected` per ADS-B client."""
    feeds: dict[str, Any] = {
        name: {
            "datagrams": f.datagrams,
            "plots": f.plots,
            "kernel_drops": kernel_drops.get(name, 0),
        }
        for name, f in core.asterix.items()
    }
    if core.sapient is not None:
        feeds[SAPIENT_FEED] = {
            "connections": core.sapient.connections,
            "messages": core.sapient.messages,
            "detections": core.sapient.detections,
            "errors": core.sapient.errors,
        }
    for name, a in core.adsb.items():
        feeds[name] = {
            "connected": adsb_connected.get(name, False),
            "reads": a.chunks,
            "reports": a.reports,
            "errors": a.gate.total,
        }
    for name, r in core.remote_id.items():
        feeds[name] = {"datagrams": r.datagrams, "reports": r.reports, "errors": r.gate.total}
    feeds[TAK_FEED] = {"events": core.tak.events, "errors": core.tak.errors}
    return feeds


def track_list(core: LiveCore) -> list[dict[str, Any]]:
    """The current tracks: id, time, position, velocity, class and affiliation."""
    out = []
    for tid, rep in sorted(core.tracks.items()):
        ident = core.identities.get(tid)
        out.append(
            {
                "track_id": tid,
                "t_s": rep.t_s,
                "position_m": list(rep.position_m),
                "velocity_mps": list(rep.velocity_mps),
                "class": str(ident.threat_class) if ident else "unknown",
                "affiliation": str(ident.affiliation) if ident else "unknown",
            }
        )
    return out


def pending_requests(core: LiveCore) -> list[dict[str, Any]]:
    """The engagement requests waiting for a decision, by request id."""
    return [
        {
            "request_id": r.request_id,
            "track_id": r.track_id,
            "effector": r.effector,
            "t_s": r.t_s,
            "expires_t_s": r.expires_t_s,
            "reason": r.reason,
        }
        for r in sorted(core.pending_requests.values(), key=lambda r: r.request_id)
    ]
