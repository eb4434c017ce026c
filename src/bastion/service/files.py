"""A run's picture written to files: CoT events as concatenated XML documents, CAT062 system tracks
as concatenated ASTERIX data blocks (`bastion run --emit-cot FILE --emit-asterix FILE`).

Both files hold exactly what the live service would have sent for the same events: the CoT file is
what a TAK server's XML input takes (each document starts with its XML declaration; split them with
`bastion.codecs.cot.parse_xml_stream`); the ASTERIX file is the CAT062 datagrams back to back, as
a recorder would store them (split with `bastion.codecs.asterix.split_datablocks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bastion.codecs.cot import encode_xml
from bastion.codecs.timebase import RunEpoch
from bastion.core.errors import StoreError
from bastion.core.params import ScenarioParams
from bastion.core.records import Event
from bastion.service.publish import Publisher, cat062_datagrams


@dataclass(frozen=True, slots=True, kw_only=True)
class EmittedFiles:
    """How much was written."""

    cot_events: int
    cat062_tracks: int


def write_emitted(
    events: Sequence[Event],
    params: ScenarioParams,
    epoch: RunEpoch,
    *,
    cot_path: Path | None = None,
    asterix_path: Path | None = None,
    sac: int = 0,
    sic: int = 1,
) -> EmittedFiles:
    """Publish `events` (a simulated run's: the CAT062 SIM bit is set) to the files given."""
    pubs = Publisher(params, epoch, sac=sac, sic=sic, simulated=True).publish(events)
    try:
        if cot_path is not None:
            cot_path.write_bytes(b"".join(encode_xml(e) for e in pubs.cot))
        if asterix_path is not None:
            asterix_path.write_bytes(b"".join(cat062_datagrams(pubs.cat062)))
    except OSError as exc:
        raise StoreError(f"cannot write {exc.filename}: {exc.strerror or exc}") from None
    return EmittedFiles(cot_events=len(pubs.cot), cat062_tracks=len(pubs.cat062))
