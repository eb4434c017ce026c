"""Group CAT048 plots into one `DetectionBatch` per radar scan, delimited by CAT034 messages.

Stateful, kept apart from the pure decoders, and given time as an argument (the datagram's
arrival on the run clock picks the day for ASTERIX's time of day). Per radar (SAC/SIC):

- plots accumulate until the radar's CAT034 north marker closes the scan (and, with
  `split_on_sectors`, each sector crossing closes a sector: smaller batches, less time spread, less
  waiting; the batch then declares the azimuth sector it swept, from the previous crossing (or north)
  to this one, so that the tracker charges a miss only to the tracks in that sector);
- a radar that sends no CAT034 is cut every `max_span_s` of plot time, and any open scan is cut at
  `max_plots` plots, so memory stays bounded whatever arrives;
- a plot without a time of day (no I048/140) takes its datagram's arrival time;
- a batch is stamped with the mean time of its plots (a rotating radar sees each azimuth at a
  different moment; the mean minimises the largest time error within the batch).

Plots from a SAC/SIC that is not configured are rejected with a reason (never silently dropped);
CAT034 messages other than north marker and sector crossing do not delimit scans and are ignored.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bastion.codecs.asterix.cat034 import Cat034Message, ServiceKind
from bastion.codecs.asterix.cat048 import Cat048Plot
from bastion.codecs.asterix.cat048_arrays import Cat048Arrays
from bastion.codecs.asterix.radar import RadarConfig, arrays_to_batch
from bastion.codecs.timebase import SECONDS_PER_DAY, RunEpoch
from bastion.core.measurements import DetectionBatch
from bastion.core.records import FloatArray


@dataclass(slots=True)
class ScanOutput:
    """What one `push` produced: closed batches, and one reason per rejected item."""

    batches: list[DetectionBatch] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    parts: list[Cat048Arrays] = field(default_factory=list)
    plots: list[Cat048Plot] = field(default_factory=list)
    """Plots pushed one by one since the last part (made a part before the next one, or at close)."""
    times_s: list[float] = field(default_factory=list)

    def add(self, part: Cat048Arrays) -> None:
        self.settle()
        self.parts.append(part)

    def settle(self) -> None:
        if self.plots:
            self.parts.append(Cat048Arrays.from_plots(self.plots))
            self.plots = []


def _times_of_day(epoch: RunEpoch, tod_s: FloatArray, near_t_s: float) -> FloatArray:
    """`RunEpoch.from_time_of_day_s` for many times of day (the same arithmetic, element-wise)."""
    near_utc = epoch.to_utc_s(near_t_s)
    midnight = near_utc - (math.fmod(near_utc, SECONDS_PER_DAY) % SECONDS_PER_DAY)
    cand = midnight + tod_s
    half = SECONDS_PER_DAY / 2
    cand = np.where(
        cand - near_utc > half,
        cand - SECONDS_PER_DAY,
        np.where(near_utc - cand > half, cand + SECONDS_PER_DAY, cand),
    )
    return np.asarray(cand - epoch.utc_at_zero_s, dtype=np.float64)


class ScanAssembler:
    """Turns a stream of decoded ASTERIX items into per-scan `DetectionBatch`es."""

    def __init__(
        self,
        radars: Sequence[RadarConfig],
        epoch: RunEpoch,
        *,
        split_on_sectors: bool = False,
        max_span_s: float = 10.0,
        max_plots: int = 100_000,
    ) -> None:
        """`radars` are keyed by their SAC/SIC (which must be unique); `max_span_s` > 0."""
        self._radars = {(r.sac, r.sic): r for r in radars}
        if len(self._radars) != len(radars):
            raise ValueError("radars must have distinct SAC/SIC pairs")
        if max_span_s <= 0.0 or max_plots < 1:
            raise ValueError("max_span_s must be > 0 and max_plots >= 1")
        self._epoch = epoch
        self._split_on_sectors = split_on_sectors
        self._max_span_s = max_span_s
        self._max_plots = max_plots
        self._open: dict[tuple[int, int], _Open] = {}
        self._sector_start: dict[tuple[int, int], float] = {}

    def _close(
        self, key: tuple[int, int], out: ScanOutput, sector: tuple[float, float] | None = None
    ) -> None:
        scan = self._open.pop(key, None)
        if scan is None or not scan.times_s:
            return
        scan.settle()
        t_s = sum(scan.times_s) / len(scan.times_s)
        batch = arrays_to_batch(Cat048Arrays.concat(scan.parts), self._radars[key], t_s)
        if sector is not None:
            batch = dataclasses.replace(
                batch, sector_start_az_rad=sector[0], sector_extent_rad=sector[1]
            )
        out.batches.append(batch)

    def _swept(self, key: tuple[int, int], end_az_rad: float) -> tuple[float, float] | None:
        """The sector swept since the radar's last sector crossing or north marker, ending at
        `end_az_rad` (start azimuth, extent clockwise; None if either end is unknown), and note
        the new start."""
        start = self._sector_start.get(key, math.nan)
        self._sector_start[key] = end_az_rad % (2.0 * math.pi)
        if not (math.isfinite(start) and math.isfinite(end_az_rad)):
            return None
        extent = (end_az_rad - start) % (2.0 * math.pi)
        return (start, extent) if extent > 0.0 else None

    def push(
        self,
        items: Iterable[Cat048Arrays | Cat048Plot | Cat034Message | object],
        arrival_t_s: float,
    ) -> ScanOutput:
        """Feed the items of one datagram that arrived at run time `arrival_t_s` (s): plots one by
        one (`Cat048Plot`) or a data block's at once (`Cat048Arrays`), and CAT034 messages."""
        out = ScanOutput()
        for item in items:
            if isinstance(item, Cat048Arrays):
                self._arrays(item, arrival_t_s, out)
            elif isinstance(item, Cat048Plot):
                self._plot(item, arrival_t_s, out)
            elif isinstance(item, Cat034Message):
                key = (item.sac, item.sic)
                if key not in self._radars:
                    out.rejected.append(f"CAT034 from unconfigured radar SAC/SIC {key[0]}/{key[1]}")
                elif item.kind == ServiceKind.NORTH_MARKER:
                    sector = self._swept(key, 2.0 * math.pi) if self._split_on_sectors else None
                    self._close(key, out, sector)
                elif self._split_on_sectors and item.kind == ServiceKind.SECTOR_CROSSING:
                    self._close(key, out, self._swept(key, item.sector_az_rad))
        return out

    def _arrays(self, plots: Cat048Arrays, arrival_t_s: float, out: ScanOutput) -> None:
        """Plots of one data block at once; one by one (`_plot`) where they would cut a scan or
        come from several radars, so the batches are the same either way."""
        n = len(plots)
        if n == 0:
            return
        key = (int(plots.sac[0]), int(plots.sic[0]))
        if not (bool(np.all(plots.sac == key[0])) and bool(np.all(plots.sic == key[1]))):
            for p in plots.plots():
                self._plot(p, arrival_t_s, out)
            return
        if key not in self._radars:
            why = f"CAT048 plot from unconfigured radar SAC/SIC {key[0]}/{key[1]}"
            out.rejected.extend([why] * n)
            return
        tod = plots.tod_s
        t = np.where(np.isfinite(tod), _times_of_day(self._epoch, tod, arrival_t_s), arrival_t_s)
        scan = self._open.get(key)
        first = scan.times_s[0] if scan is not None else float(t[0])
        count = len(scan.times_s) if scan is not None else 0
        if bool(np.any(np.abs(t - first) > self._max_span_s)) or count + n > self._max_plots:
            for p in plots.plots():
                self._plot(p, arrival_t_s, out)
            return
        if scan is None:
            scan = self._open[key] = _Open()
        scan.add(plots)
        scan.times_s.extend(t.tolist())

    def _plot(self, plot: Cat048Plot, arrival_t_s: float, out: ScanOutput) -> None:
        key = (plot.sac, plot.sic)
        if key not in self._radars:
            out.rejected.append(f"CAT048 plot from unconfigured radar SAC/SIC {key[0]}/{key[1]}")
            return
        t_s = (
            self._epoch.from_time_of_day_s(plot.tod_s, arrival_t_s)
            if math.isfinite(plot.tod_s)
            else arrival_t_s
        )
        scan = self._open.get(key)
        if scan is not None and (
            abs(t_s - scan.times_s[0]) > self._max_span_s or len(scan.times_s) >= self._max_plots
        ):
            self._close(key, out)
            scan = None
        if scan is None:
            scan = self._open[key] = _Open()
        scan.plots.append(plot)
        scan.times_s.append(t_s)

    def flush(self) -> list[DetectionBatch]:
        """Close every open scan (at shutdown or end of a replay)."""
        out = ScanOutput()
        for key in list(self._open):
            self._close(key, out)
        return out.batches
