"""Scenario models of the pipeline stages' settings: engagement, the operator model, tracker, threat."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from bastion.config.spec_types import NonNegative, Number, Positive, Probability, Spec, Text, Whole


class EngageSpec(Spec):
    """Engagement planning settings."""

    solver: Literal["greedy", "optimal"] = Field(default="optimal", description="WTA solver.")
    max_shooters: Annotated[Whole, Field(ge=1, le=4)] = Field(
        default=1, description="Effectors per track per look."
    )
    decision_allowance_s: NonNegative = Field(default=5.0, description="Human decision time, s.")
    jam_look_s: Positive = Field(default=15.0, description="Time to see a jammed drone turn, s.")
    asset_buffer_m: NonNegative = Field(default=100.0, description="Intercept before this, m.")
    path_step_s: Annotated[Positive, Field(le=2.0)] = Field(
        default=0.25, description="Path and intercept sampling step, seconds."
    )


class OperatorSpec(Spec):
    """The simulated human with engagement authority."""

    name: Text = Field(default="operator-model", description="Operator name.")
    role: Text = Field(default="engagement_authority", description="Operator role.")
    delay_median_s: Positive = Field(default=4.0, description="Median decision time, seconds.")
    delay_sigma: NonNegative = Field(default=0.3, description="Log-normal sigma of the delay.")
    approve_probability: Probability = Field(default=1.0, description="P(approve a request).")


class _ImmModelSpec(Spec):
    """What every IMM model entry may give: its sojourn time and its weight at a track's start.
    Every field left out keeps the kind's default (`tracking.filters.kind_defaults`, the values in
    docs/scenarios.md)."""

    sojourn_s: Positive | None = Field(default=None, description="Mean time in this model, s.")
    weight: Positive | None = Field(default=None, description="Share of a new track's probability.")


class ImmCvSpec(_ImmModelSpec):
    kind: Literal["cv"] = Field(description="Constant velocity.")
    accel_mps2: Positive | None = Field(default=None, description="White acceleration, m/s^2.")
    accel_floor_sigma_mps2: Positive | None = Field(default=None, description="Floor, m/s^2.")


class ImmSingerSpec(_ImmModelSpec):
    kind: Literal["singer"] = Field(description="Singer acceleration.")
    accel_sigma_mps2: Positive | None = Field(default=None, description="RMS acceleration, m/s^2.")
    tau_s: Positive | None = Field(default=None, description="Manoeuvre time constant, s.")
    jerk_psd_m2ps5: NonNegative | None = Field(default=None, description="White jerk, m^2/s^5.")


class ImmCtSpec(_ImmModelSpec):
    kind: Literal["ct"] = Field(description="3-D coordinated turn.")
    jerk_psd_m2ps5: Positive | None = Field(default=None, description="White jerk, m^2/s^5.")
    min_speed_mps: Positive | None = Field(default=None, description="No turn below this, m/s.")
    max_turn_rate_radps: Positive | None = Field(default=None, description="Rate clip, rad/s.")


class ImmBallisticSpec(_ImmModelSpec):
    kind: Literal["ballistic"] = Field(description="Gravity and drag.")
    drag_factor_m2pkg: NonNegative | None = Field(default=None, description="Cd*A/(2*m), m^2/kg.")
    accel_mps2: Positive | None = Field(default=None, description="Unmodelled forces, m/s^2.")
    accel_floor_sigma_mps2: Positive | None = Field(default=None, description="Floor, m/s^2.")
    max_step_s: Positive | None = Field(default=None, description="Longest substep, s.")


class ImmHoverSpec(_ImmModelSpec):
    kind: Literal["hover"] = Field(description="Station keeping.")
    speed_sigma_mps: Positive | None = Field(default=None, description="RMS drift speed, m/s.")
    tau_s: Positive | None = Field(default=None, description="Drift time constant, s.")
    accel_floor_sigma_mps2: Positive | None = Field(default=None, description="Floor, m/s^2.")


class ImmLevelTurnSpec(_ImmModelSpec):
    kind: Literal["level_turn"] = Field(description="Left and right level turns at a stated level.")
    accel_mps2: Positive = Field(description="Lateral acceleration of the turns, m/s^2.")
    accel_noise_mps2: Positive | None = Field(default=None, description="White accel., m/s^2.")
    accel_floor_sigma_mps2: Positive | None = Field(default=None, description="Floor, m/s^2.")
    min_speed_mps: Positive | None = Field(default=None, description="No turn below this, m/s.")
    max_turn_rate_radps: Positive | None = Field(default=None, description="Rate clip, rad/s.")


ImmModelSpec = Annotated[
    ImmCvSpec | ImmSingerSpec | ImmCtSpec | ImmBallisticSpec | ImmHoverSpec | ImmLevelTurnSpec,
    Field(discriminator="kind"),
]
IMM_MODEL_SPECS = (
    ImmCvSpec,
    ImmSingerSpec,
    ImmCtSpec,
    ImmBallisticSpec,
    ImmHoverSpec,
    ImmLevelTurnSpec,
)


class TrackerSpec(Spec):
    """Tracker v1 settings."""

    process_accel_mps2: Positive = Field(default=5.0, description="Process noise, m/s^2.")
    gate_chi2: Positive = Field(default=16.0, description="Chi-square gate (dimensionless).")
    confirm_m: Annotated[Whole, Field(ge=1)] = Field(default=3, description="M of M-of-N.")
    confirm_n: Annotated[Whole, Field(ge=1)] = Field(default=4, description="N of M-of-N.")
    delete_misses: Annotated[Whole, Field(ge=1)] = Field(default=4, description="Misses to drop.")
    init_speed_sigma_mps: Positive = Field(default=100.0, description="New-track speed sigma, m/s.")
    max_speed_mps: Positive = Field(default=1000.0, description="Fastest plausible track, m/s.")
    oosm_lag_s: NonNegative = Field(
        default=0.0, description="Latest a batch may arrive and still be fused (reprocessed), s."
    )
    filter: Literal["cv", "imm"] = Field(
        default="cv", description="State filter: constant velocity or the four-model IMM."
    )
    imm_models: list[ImmModelSpec] | None = Field(
        default=None, min_length=1, description="The IMM's models; null: the default four."
    )
    radar_update: Literal["converted", "ekf", "ukf"] = Field(
        default="converted", description="Radar update: converted position, EKF or UKF."
    )
    use_range_rate: bool = Field(
        default=False, description="Update with radial velocity (EKF/UKF radar update only)."
    )
    association: Literal["gnn", "jpda"] = Field(
        default="gnn", description="Association: global nearest neighbour or JPDA."
    )
    management: Literal["m_of_n", "score"] = Field(
        default="m_of_n", description="Confirmation and deletion: M-of-N or track score."
    )
    pd: Annotated[Number, Field(gt=0.0, lt=1.0)] = Field(
        default=0.9, description="Detection probability per look (JPDA, score)."
    )
    false_alarm_density_per_m3: Positive = Field(
        default=1e-10, description="Clutter density, false detections per m^3 per look."
    )
    new_target_density_per_m3: Positive = Field(
        default=1e-11, description="New-target detections per m^3 per look."
    )
    score_false_track_prob: Annotated[Number, Field(gt=0.0, lt=0.5)] = Field(
        default=1e-5, description="Score: probability of confirming a false track."
    )
    score_true_track_loss_prob: Annotated[Number, Field(gt=0.0, lt=0.5)] = Field(
        default=1e-3, description="Score: probability of deleting a true tentative track."
    )
    score_delete_drop: Positive = Field(
        default=6.0, description="Score: drop below the peak that deletes a confirmed track."
    )
    history_points: Annotated[Whole, Field(ge=0, le=10_000)] = Field(
        default=20, description="States kept per track for its recent path."
    )
    history_period_s: Positive = Field(
        default=1.0, description="Least time between two history states of a track, s."
    )
    align_sensors: bool = Field(
        default=False, description="Estimate and correct each radar's bias and time offset."
    )

    @model_validator(mode="after")
    def _imm_models_need_the_imm(self) -> TrackerSpec:
        if self.imm_models is not None and self.filter != "imm":
            raise PydanticCustomError(
                "bastion", "imm_models is set but filter is not 'imm': set filter: imm"
            )
        return self


class ThreatSpec(Spec):
    """Threat evaluation and warning settings."""

    horizon_s: Positive = Field(default=120.0, description="Path prediction horizon, seconds.")
    step_s: Positive = Field(default=1.0, description="Path prediction step, seconds.")
    warn_distance_m: NonNegative = Field(default=300.0, description="Warn within this, metres.")
    alert_margin_s: NonNegative = Field(default=10.0, description="Alert margin, seconds.")
    rocket_drag_factor_m2pkg: NonNegative = Field(
        default=1.0e-4, description="Prior mean of a rocket's drag factor Cd*A/(2*mass), m^2/kg."
    )
    adsb_gate_m: Positive = Field(default=300.0, description="ADS-B correlation gate, metres.")
    request_expiry_s: Positive = Field(default=30.0, description="Request lifetime, seconds.")
    impact_confidence: Annotated[Number, Field(gt=0.0, lt=1.0)] = Field(
        default=0.99, description="Probability held by the impact ellipse tested against zones."
    )
    lethal_radius_m: NonNegative = Field(
        default=50.0, description="A round within this of a zone hits it, metres."
    )
    warn_probability_first: Annotated[Number, Field(gt=0.0, le=1.0)] = Field(
        default=1.0, description="Hit probability that warns a zone at a round's first detection."
    )
    warn_probability: Annotated[Number, Field(gt=0.0, le=1.0)] = Field(
        default=0.1, description="Hit probability that warns a zone at warn_late_fraction."
    )
    warn_late_fraction: Annotated[Number, Field(ge=0.0, le=1.0)] = Field(
        default=0.1, description="Share of a round's flight after which the late threshold holds."
    )
    warn_probability_late: Annotated[Number, Field(gt=0.0, le=1.0)] = Field(
        default=0.8, description="Hit probability that warns a zone late in a round's flight."
    )
    warn_hold_s: NonNegative = Field(
        default=0.1, description="Hit probability held this long before warning, seconds."
    )
    release_probability: Annotated[Number, Field(ge=0.0, lt=1.0)] = Field(
        default=0.05, description="Hit probability below which a rocket alert may be released."
    )
    ballistic_min_speed_mps: Positive = Field(
        default=80.0, description="Non-friendly tracks this fast are tried as ballistic, m/s."
    )
    rank_top_n: Annotated[Whole, Field(ge=1)] = Field(
        default=10, description="Entries of the ranked threat list."
    )
