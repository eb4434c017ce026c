"""Sensor alignment in the pipeline: estimate each radar's bias and clock offset, correct its looks.

`Alignment` wraps `registration.SensorBiasEstimator` for the per-look pipeline: it keeps the
cooperative reports of the last `window_s` seconds (the aircraft the estimator pairs detections
with), updates the look's sensor estimate with the raw look, and hands the tracker the corrected look
once that sensor's estimate has converged (before that, the raw look: a half-learnt offset that moves
by tenths of a second would do more harm than good). It says what it knows as a `SensorRegistration`
record when a sensor first converges and every `report_period_s` after, so that the record of a run
shows which corrections the tracks were built with.

Correcting a look moves its time back by the estimated offset, so looks of different radars can then
arrive out of order: the tracker's `oosm_lag_s` must cover the largest offset expected.
"""

from __future__ import annotations

from collections.abc import Sequence

from bastion.core.measurements import CooperativeReport, DetectionBatch
from bastion.core.records import SensorRegistration
from bastion.tracking.registration import RegistrationParams, SensorBias, SensorBiasEstimator


class Alignment:
    """Per-sensor alignment for the pipeline; see the module docstring."""

    __slots__ = ("_estimator", "_last_report", "_recent", "report_period_s", "window_s")

    def __init__(
        self,
        params: RegistrationParams | None = None,
        *,
        window_s: float = 3.0,
        report_period_s: float = 60.0,
    ) -> None:
        self._estimator = SensorBiasEstimator(params)
        self._recent: list[CooperativeReport] = []
        self._last_report: dict[str, float] = {}
        self.window_s = window_s
        self.report_period_s = report_period_s

    def estimate(self, sensor_id: str) -> SensorBias:
        """The current estimate for `sensor_id`."""
        return self._estimator.estimate(sensor_id)

    def cooperative(self, reports: Sequence[CooperativeReport], t_s: float) -> None:
        """Remember newly arrived cooperative reports; forget those older than the window."""
        horizon = t_s - self.window_s
        self._recent = [r for r in (*self._recent, *reports) if r.t_s >= horizon]

    def look(self, batch: DetectionBatch) -> tuple[DetectionBatch, SensorRegistration | None]:
        """Update with one raw look; return the look the tracker should see and, when due, the
        record of the sensor's alignment."""
        step = self._estimator.update(batch, self._recent)
        est = step.estimate
        if not est.converged:
            return batch, None
        sid = batch.sensor_id
        last = self._last_report.get(sid)
        record = None
        if last is None or batch.t_s - last >= self.report_period_s:
            self._last_report[sid] = batch.t_s
            record = SensorRegistration(
                sensor_id=sid,
                t_s=float(batch.t_s),
                az_bias_rad=est.az_bias_rad,
                sigma_az_bias_rad=est.sigma_az_rad,
                time_offset_s=est.time_offset_s,
                sigma_time_offset_s=est.sigma_time_s,
                n_pairs=est.n_pairs,
                n_aircraft=step.n_aircraft,
            )
        return self._estimator.correct(batch), record
