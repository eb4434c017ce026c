"""Tuning the zone-warning rule on TUNING seeds (never the evaluation's seed 1), written up as Markdown.

    python benchmarks/warn_tuning.py --shots 200 --seeds 101,102 \
        --markdown benchmarks/results/warn-tuning.md

Records every impact prediction of `--shots` rounds per seed once (`bastion.evals.warn_tune.trace`,
the evaluation's groups through the whole pipeline), then scores a grid of rules offline: the hit
probability's widening factor (`sigma_scale`), `ThreatParams.warn_probability` and `warn_hold_s`;
then the two-stage rule (`warn_probability` during the first `warn_late_fraction` of a round's
predicted flight, `warn_probability_late` after it). Prints the trade-off between
`warning_time_ratio_median` and `zone_precision` (recall too) and the setting the defaults were
taken from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from bastion.core.params import ThreatParams
from bastion.evals.warn_tune import (
    Score,
    consistency,
    first_prediction_ceiling,
    merge,
    probabilities,
    reliability,
    sweep,
    sweep_two_stage,
    trace,
)
from machine_info import cpu_model

SCALES = (0.7, 1.0, 1.3)
THRESHOLDS = (0.1, 0.15, 0.2, 0.225, 0.25, 0.275, 0.3, 0.4, 0.5, 0.7, 0.9)
HOLDS_S = (0.0, 0.1, 0.2, 0.5)
EARLY = (0.15, 0.2, 0.225, 0.25, 0.3)
LATE = (0.4, 0.6, 0.8)
FRACTIONS = (0.05, 0.1, 0.15)
TWO_STAGE_HOLDS_S = (0.0, 0.1, 0.2)
RATIO_TARGET = 0.9
RATIO_MARGIN = 0.005
"""The rule must clear the ratio target by this on every tuning seed: one seed's median moves by
about 0.005 from another's, and a setting chosen at the target itself (0.903 on a tuning seed)
gave 0.897 on the evaluation seed."""

Rule = tuple[float, float, float, float]
"""(warn_probability, warn_hold_s, warn_probability_late, warn_late_fraction) at sigma scale 1;
the one-stage rule is late = warn_probability, fraction 0."""


def best(pooled: dict[Rule, Score], per_seed: list[dict[Rule, Score]]) -> Rule | None:
    """The rule the defaults are taken from: the highest pooled precision among the rules with full
    recall and a median ratio of at least the target plus `RATIO_MARGIN`, pooled and on every
    tuning seed; ties go to the lower late threshold (fewer zones left unwarned late), then to
    the higher ratio."""
    floor = RATIO_TARGET + RATIO_MARGIN
    ok = [
        (sc.precision, -rule[2], sc.ratio_median, rule)
        for rule, sc in pooled.items()
        if sc.recall >= 1.0
        and sc.ratio_median >= floor
        and all(one[rule].recall >= 1.0 and one[rule].ratio_median >= floor for one in per_seed)
    ]
    return max(ok)[3] if ok else None


def rules(
    one_stage: list[tuple[float, float, float, Score]],
    two_stage: list[tuple[float, float, float, float, Score]],
) -> dict[Rule, Score]:
    """Both families keyed by `Rule` (the one-stage rows at sigma scale 1 only)."""
    out = {(th, h, th, 0.0): sc for s, th, h, sc in one_stage if s == 1.0}
    out.update({(th, h, late, f): sc for th, h, late, f, sc in two_stage})
    return out


def machine() -> str:
    """CPU model and cores of this machine."""
    cpu = cpu_model()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def row(head: tuple[float, ...], sc: Score, default: bool) -> str:
    """One Markdown table row: the rule's settings, then its figures."""
    mark = " **(default)**" if default else ""
    cells = " | ".join(f"{v:g}" for v in head)
    return (
        f"| {cells}{mark} | {sc.ratio_median:.3f} | {sc.ratio_p10:.3f} | "
        f"{sc.recall:.3f} | {sc.precision:.3f} | {sc.zones_warned} |"
    )


def main() -> None:
    """Trace, sweep, print or write the results."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shots", type=int, default=200, help="rounds per tuning seed")
    ap.add_argument("--seeds", default="101,102", help="tuning seeds, comma separated (not 1)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--report-evaluation-seed",
        action="store_true",
        help="allow seed 1 to report the trade-off on the evaluation seed (never to choose defaults)",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if 1 in seeds and not args.report_evaluation_seed:
        ap.error("seed 1 is the evaluation's seed; tune on other seeds")
    load = os.getloadavg()
    t0 = time.perf_counter()
    traces = [trace(args.shots, s, workers=args.workers) for s in seeds]
    tr = merge(traces)
    t_trace = time.perf_counter() - t0
    lethal = ThreatParams().lethal_radius_m
    results = sweep(tr, lethal, SCALES, THRESHOLDS, HOLDS_S)
    two = sweep_two_stage(tr, lethal, EARLY, TWO_STAGE_HOLDS_S, LATE, FRACTIONS)
    pooled = rules(results, two)
    per_seed = [
        rules(
            sweep(t, lethal, (1.0,), THRESHOLDS, HOLDS_S),
            sweep_two_stage(t, lethal, EARLY, TWO_STAGE_HOLDS_S, LATE, FRACTIONS),
        )
        for t in traces
    ]
    calib = reliability(tr, probabilities(tr, lethal))
    honest = consistency(tr)
    ceiling, late_share = first_prediction_ceiling(tr)
    d = ThreatParams()
    pick: Rule = (d.warn_probability, d.warn_hold_s, d.warn_probability_late, d.warn_late_fraction)
    chosen = best(pooled, per_seed)
    if args.json:
        print(
            json.dumps(
                {
                    "seeds": seeds,
                    "shots_per_seed": args.shots,
                    "rows": [
                        {"sigma_scale": s, "warn_probability": th, "warn_hold_s": h}
                        | {k: getattr(sc, k) for k in Score.__slots__}
                        for s, th, h, sc in results
                    ],
                    "two_stage_rows": [
                        {
                            "warn_probability": th,
                            "warn_hold_s": h,
                            "warn_probability_late": late,
                            "warn_late_fraction": f,
                        }
                        | {k: getattr(sc, k) for k in Score.__slots__}
                        for th, h, late, f, sc in two
                    ],
                }
            )
        )
    if args.markdown is None:
        return
    flag = " --report-evaluation-seed" if args.report_evaluation_seed else ""
    cmd = (
        f"python benchmarks/warn_tuning.py --shots {args.shots} --seeds {args.seeds}{flag} "
        f"--markdown {args.markdown}"
    )
    title = (
        "# The zone-warning trade-off on the evaluation seed (reported, not tuned on)"
        if 1 in seeds
        else "# Tuning the zone-warning rule (tuning seeds, not the evaluation's)"
    )
    lines = [
        title,
        "",
        f"- machine: {machine()}",
        f"- command: `{cmd}`",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- load average before the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"tracing took {t_trace:.0f} s",
        f"- seeds {seeds}, {args.shots} rounds each: {tr.impact_t_s.size} rounds, "
        f"{int(tr.at_risk.sum())} (round, zone) pairs at risk, {tr.t_s.size} recorded predictions",
        f"- lethal radius {lethal:g} m; defaults: `warn_probability` {d.warn_probability:g}, "
        f"`warn_hold_s` {d.warn_hold_s:g}, `warn_probability_late` {d.warn_probability_late:g}, "
        f"`warn_late_fraction` {d.warn_late_fraction:g}, sigma scale 1",
        "",
        "Targets: `warning_time_ratio_median` >= 0.9, `zone_recall` 1.0, `zone_precision` >= 0.8.",
        "",
        f"Ceiling: warning every zone at risk at its round's first accepted prediction would give a "
        f"median ratio of {ceiling:.3f}; {late_share:.1%} of the zones at risk had no prediction "
        "within the first tenth of their round's flight (late track or fit), so cannot reach 0.9.",
        "",
        (
            "The rule for the defaults, applied to this seed for information only (the defaults "
            "come from the tuning seeds), over both tables below at sigma scale 1: "
            if 1 in seeds
            else "Rule for the defaults (applied to the tuning seeds only), over both tables below "
            "at sigma scale 1: "
        )
        + "the highest pooled precision with recall 1 and a median ratio of at least "
        f"{RATIO_TARGET + RATIO_MARGIN:g} ({RATIO_TARGET:g} plus a margin of {RATIO_MARGIN:g} for "
        "the spread between seeds), pooled and on each seed; ties to the lower late threshold. "
        + ("Here it would give " if 1 in seeds else "On these seeds it gives ")
        + (
            f"`warn_probability` {chosen[0]:g}, `warn_hold_s` {chosen[1]:g}, "
            f"`warn_probability_late` {chosen[2]:g}, `warn_late_fraction` {chosen[3]:g}"
            + "".join(
                f"; seed {seed}: ratio {one[chosen].ratio_median:.3f}, "
                f"precision {one[chosen].precision:.3f}"
                for seed, one in zip(seeds, per_seed, strict=True)
            )
            + "."
            if chosen
            else "no setting."
        ),
        "",
        "## One threshold throughout the flight",
        "",
        "| sigma scale | warn_probability | warn_hold_s | ratio median | ratio p10 | recall | "
        "precision | zones warned |",
        "|---|---|---|---|---|---|---|---|",
        *[row((s, th, h), sc, (th, h, th, 0.0) == pick and s == 1.0) for s, th, h, sc in results],
        "",
        "## Two stages: `warn_probability` early in the flight, `warn_probability_late` after",
        "",
        "`warn_late_fraction`: the share of the round's predicted flight, from its track's first",
        "detection to the predicted impact, after which the late threshold applies (sigma scale 1).",
        "",
        "| warn_probability | warn_hold_s | warn_probability_late | warn_late_fraction | "
        "ratio median | ratio p10 | recall | precision | zones warned |",
        "|---|---|---|---|---|---|---|---|---|",
        *[row((th, h, late, f), sc, (th, h, late, f) == pick) for th, h, late, f, sc in two],
        "",
        "## Calibration of the hit probability (sigma scale 1)",
        "",
        "Every (prediction, zone) pair before impact, binned by its hit probability: how often the",
        "zone was really at risk. Successive predictions of a round are correlated, so the counts",
        "overstate the evidence. Observed above predicted: see the consistency check below.",
        "",
        "| hit probability | pairs | mean predicted | observed at risk |",
        "|---|---|---|---|",
        *[f"| [{lo:g}, {hi:g}) | {n} | {mp:.3f} | {ob:.3f} |" for lo, hi, n, mp, ob in calib],
        "",
        "## Consistency of the impact covariance",
        "",
        "The squared Mahalanobis distance of the true impact from each prediction, by the time since",
        "the round's first detection: 2 on average (median 1.39) for an honest 2-D covariance, more",
        "when it is over-confident, less when cautious. This does not depend on where rounds are",
        "aimed; the table above does (half of them are aimed inside a zone, so a zone given a modest",
        "probability is hit more often than that without the covariance being too wide).",
        "",
        "| time since first detection | predictions | mean | median | median 1-sigma spread |",
        "|---|---|---|---|---|",
        *[
            f"| [{lo:g}, {hi:g}) s | {n} | {mean:.2f} | {med:.2f} | {sp:.0f} m |"
            for lo, hi, n, mean, med, sp in honest
        ],
        "",
    ]
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text("\n".join(lines))
    print(args.markdown.read_text())


if __name__ == "__main__":
    main()
