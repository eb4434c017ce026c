"""Slew-to-cue: SAPIENT Tasks that point registered cameras at the most urgent threats.

With `sapient.cue_period_s` set, every SAPIENT node registered on an open connection whose node types
include a camera or a lidar (`LOOKING_TYPES`) is tasked to `look_at` a track of the latest ranked
threat list (THREAT_RANKED events; entries whose track is still alive). With several cameras the
threats are shared out (`share_targets`): the K cameras cover the K most urgent threats, one each, a
camera keeps its threat while that threat stays among the K (no swapping when two threats change
places), and cameras left over when there are fewer threats than cameras all look at the most urgent
one. With `cue_unknowns`, cameras left over look first at radar tracks of unknown identity (no
identity event yet, or the latest says unknown), nearest the site first, one each, so that a person
can identify them. A task's location is refreshed at most every `cue_period_s` while the camera keeps
its track; a new track gets a new task id; when nothing is left to look at the task is stopped
(control STOP).

A node that also registers an effector type (`EFFECTOR_TYPES`: kinetic, jammer, directed energy,
cyber) is never tasked, whatever else it lists: Bastion does not point weapons (the hard line of
docs/engagement.md), only sensors, so that a person can see what the radar sees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bastion.codecs.sapient import encode_message, make_ulid, task_look_at, task_stop
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.records import Affiliation, Event, Identity, RankedThreat, TrackReport

LOOKING_TYPES = frozenset({"NODE_TYPE_CAMERA", "NODE_TYPE_LIDAR"})
EFFECTOR_TYPES = frozenset(
    {
        "NODE_TYPE_KINETIC",
        "NODE_TYPE_JAMMER",
        "NODE_TYPE_LDEW",
        "NODE_TYPE_RFDEW",
        "NODE_TYPE_CYBER",
    }
)


def cueable(node_types: Iterable[str]) -> bool:
    """A node Bastion may task to look: a camera or lidar, and no effector of any kind."""
    types = set(node_types)
    return bool(types & LOOKING_TYPES) and not types & EFFECTOR_TYPES


def share_targets(
    cameras: list[int],
    ranked: list[int],
    current: Mapping[int, int],
    unknown: Sequence[int] = (),
) -> dict[int, int | None]:
    """Which track (or None) each camera looks at: `cameras` in their order, `ranked` the live
    ranked track ids (most urgent first), `current` camera -> the track it looks at now, `unknown`
    tracks to identify with the cameras the threats leave (in order of preference)."""
    wanted = [*ranked, *unknown][: len(cameras)]
    out: dict[int, int | None] = {}
    taken: set[int] = set()
    for cam in cameras:  # keep a track that is still wanted and not already kept by another camera
        tid = current.get(cam)
        if tid is not None and tid in wanted and tid not in taken:
            out[cam] = tid
            taken.add(tid)
    free = iter([tid for tid in wanted if tid not in taken])
    spare = ranked[0] if ranked else (unknown[0] if unknown else None)
    for cam in cameras:
        if cam not in out:
            out[cam] = next(free, spare)
    return out


@dataclass(slots=True)
class _Cue:
    track_id: int
    task_id: str
    t_s: float


class CameraCue:
    """Which track each cueable connection is looking at, and the Tasks that change it."""

    def __init__(
        self,
        period_s: float,
        site: Site,
        epoch: RunEpoch,
        our_node_id: str,
        *,
        cue_unknowns: bool = False,
    ) -> None:
        self.period_s, self.cue_unknowns = period_s, cue_unknowns
        self._site, self._epoch, self._node_id = site, epoch, our_node_id
        self._ranked: list[int] = []  # the latest ranked list's track ids, most urgent first
        self._known: set[int] = set()  # tracks whose latest identity is not unknown
        self._cues: dict[int, _Cue] = {}  # connection -> what it was tasked to look at
        self.tasks_sent = 0

    def step(
        self,
        events: Iterable[Event],
        tracks: Mapping[int, TrackReport],
        nodes: Mapping[int, tuple[str, tuple[str, ...]]],
        t_s: float,
        rng: np.random.Generator,
    ) -> list[tuple[int, bytes]]:
        """Framed Tasks (connection, bytes) after a step with `events` at run time `t_s`.

        `tracks`: the live tracks' latest reports; `nodes`: connection -> (node id, node types)
        of the nodes registered on open connections; `rng` makes the task ids (ULIDs)."""
        ranked = [e.payload for e in events if isinstance(e.payload, RankedThreat)]
        if ranked:
            self._ranked = [r.track_id for r in sorted(ranked, key=lambda r: r.rank)]
        for e in events:
            if isinstance(e.payload, Identity):
                if e.payload.affiliation is Affiliation.UNKNOWN:
                    self._known.discard(e.payload.track_id)
                else:
                    self._known.add(e.payload.track_id)
        self._known &= tracks.keys()
        live = [tid for tid in self._ranked if tid in tracks]
        utc_s = self._epoch.to_utc_s(t_s)
        out: list[tuple[int, bytes]] = []
        for conn in [c for c in self._cues if c not in nodes]:  # the node hung up
            del self._cues[conn]
        cameras = [conn for conn, (_, types) in nodes.items() if cueable(types)]
        unknown = self._unknown(tracks, set(live)) if len(cameras) > len(live) else []
        current = {c: q.track_id for c, q in self._cues.items()}
        targets = share_targets(cameras, live, current, unknown)
        for conn in cameras:
            node_id = nodes[conn][0]
            cue, target = self._cues.get(conn), targets[conn]
            if target is None:
                if cue is not None:
                    msg = task_stop(
                        our_node_id=self._node_id,
                        destination_id=node_id,
                        task_id=cue.task_id,
                        utc_s=utc_s,
                        reason=f"Bastion track {cue.track_id}: nothing left to look at",
                    )
                    out.append((conn, encode_message(msg)))
                    del self._cues[conn]
                continue
            if cue is not None and cue.track_id == target and t_s - cue.t_s < self.period_s:
                continue
            if cue is None or cue.track_id != target:
                cue = _Cue(track_id=target, task_id=make_ulid(utc_s, rng), t_s=t_s)
                self._cues[conn] = cue
            cue.t_s = t_s
            msg = task_look_at(
                tracks[target],
                site=self._site,
                our_node_id=self._node_id,
                destination_id=node_id,
                task_id=cue.task_id,
                utc_s=utc_s,
                name=(
                    f"look at the threat ranked {live.index(target) + 1}"
                    if target in live
                    else "identify a track of unknown identity"
                ),
            )
            out.append((conn, encode_message(msg)))
        self.tasks_sent += len(out)
        return out

    def _unknown(self, tracks: Mapping[int, TrackReport], threats: set[int]) -> list[int]:
        """Radar tracks of unknown identity that are not threats, nearest the site first (none
        unless `cue_unknowns`)."""
        if not self.cue_unknowns:
            return []
        rows = [
            (math.hypot(rep.position_m[0], rep.position_m[1]), tid)
            for tid, rep in tracks.items()
            if tid not in self._known and tid not in threats and not rep.coop_source
        ]
        return [tid for _, tid in sorted(rows)]
