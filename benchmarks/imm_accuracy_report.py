"""Markdown results file of `imm_accuracy.py`: machine, load, command, acceptance, sweep, segments."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import sys
from pathlib import Path

from bastion.tracking.imm import ImmParams
from machine_info import cpu_model


def machine() -> str:
    cpu = cpu_model()
    return f"{platform.node()}, {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def write_markdown(path: Path, res: dict[str, object], load: tuple[float, float, float]) -> None:
    m = res["manoeuvring"]
    c = res["straight"]
    t = res["turn"]
    assert isinstance(t, dict)
    assert isinstance(m, dict) and isinstance(c, dict)
    own = m["own_models_rmse_m"]
    other = m["other_model_sets"]
    assert isinstance(own, dict) and isinstance(other, dict)
    cmd = "python " + shlex.join(["benchmarks/imm_accuracy.py", *sys.argv[1:]])

    names = ["hover", "accelerate", "dash", "3 g turn 180", "straight", "3 g turn 270",
             "straight", "decelerate", "hover", "accelerate + climb", "straight"]  # fmt: skip

    def holds(ok: bool) -> str:
        return "yes" if ok else "no"

    lines = [
        "# IMM accuracy benchmark",
        "",
        f"- date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"- machine: {machine()}",
        f"- load average (1, 5, 15 min) at start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} "
        "(shared machine; accuracy figures do not depend on load, the timing does)",
        f"- command: `{cmd}`",
        "- scenario and method: see the docstring of benchmarks/imm_accuracy.py",
        "",
        "## Acceptance",
        "",
        "| what | measured | target | holds |",
        "|---|---:|---:|---|",
        f"| manoeuvring drones: IMM RMSE / best single-model RMSE | {m['ratio']:.3f} | <= 0.7 | "
        f"{holds(m['ratio'] <= 0.7)} |",
        f"| straight target: CV RMSE / PCRLB | {c['crlb_ratio']:.3f} | <= 1.3 | "
        f"{holds(c['crlb_ratio'] <= 1.3)} |",
        f"| straight target: IMM RMSE / PCRLB | {c['imm_crlb_ratio']:.3f} | <= 1.3 | "
        f"{holds(c['imm_crlb_ratio'] <= 1.3)} |",
        "",
        f"Manoeuvring: IMM {m['imm_rmse_m']:.2f} m, best single model {m['best_single_rmse_m']:.2f} m "
        f"({m['best_single_model']}), {m['scans']} scans per run; a clairvoyant filter told the true "
        f"segment (see `clairvoyant`) {m['clairvoyant_rmse_m']:.2f} m, ratio "
        f"{m['clairvoyant_rmse_m'] / m['best_single_rmse_m']:.3f}. Straight: CV {c['cv_rmse_m']:.2f} m, "
        f"IMM {c['imm_straight_rmse_m']:.2f} m, PCRLB {c['pcrlb_rmse_m']:.2f} m.",
        "",
        "The IMM's own models, each run alone with its shipped parameters (information; the "
        "acceptance compares with the best of the whole sweep): "
        + ", ".join(f"{k} {v:.2f} m" for k, v in own.items())
        + f"; IMM over the best of them {m['imm_rmse_m'] / min(own.values()):.3f}.",
        "",
        "A second IMM (information; `imm_peer`): filterpy's `IMMEstimator` with constant velocity and "
        "constant acceleration on the same state and measurements, its settings the best of a grid "
        f"on this very data ({m['filterpy_imm_setting']}): {m['filterpy_imm_rmse_m']:.2f} m, "
        f"{m['filterpy_imm_rmse_m'] / m['best_single_rmse_m']:.3f} of the best single model.",
        "",
        "The tracker runs the same models with the sojourn times chosen on the shipped scenarios "
        f"({', '.join(f'{v:g}' for v in m['tracker_imm_sojourn_s'])} s; `filters.imm_params`): "
        f"{m['tracker_imm_rmse_m']:.2f} m here, "
        f"{m['tracker_imm_rmse_m'] / m['best_single_rmse_m']:.3f} of the best single model.",
        "",
        f"Sustained 3 g turn (information): IMM {t['imm_turn_rmse_m']:.2f} m, best single model "
        f"{t['best_single_turn_rmse_m']:.2f} m ({t['best_turn_model']}).",
    ]

    if m["ratio"] > 0.7:
        lines += [
            "",
            "The 0.7 target does not hold. With 10 m range noise at 2 Hz a 3 g turn or a 6 m/s^2 speed",
            "change is resolved only after 2-3 scans, and the turns last 6-10 scans, so no model set can",
            "filter much during the manoeuvres (see the per-segment table: the IMM is near the raw",
            "measurement error there); the IMM gains on the hover and straight legs, and those are short",
            "in this profile (each is followed by ~10 s of re-convergence). The gain grows with the share",
            "of quiet flight, then levels off (variants below: the best single model gains from long",
            "quiet legs too), and not with a finer range measurement: the angle noise",
            "(2 mrad, 3-6 m across at 1.5-3 km) remains. The single-model sweep's best sits inside its grid.",
            "Even the clairvoyant filter, which switches between a quiet and a manoeuvre model at the",
            "true segment boundaries, does not reach 0.7 here, nor does a model set told every",
            "manoeuvre's level (next section), nor a second IMM implementation (filterpy's, above).",
        ]
    lines += [
        "",
        "## Other model sets (information; not the default)",
        "",
        "The default IMM with models added (`imm_model_sets`): a station-keeping model",
        "`Hover(speed_sigma_mps=0.5, tau_s=2.0)` (velocity reverting to zero), a left and right level turn",
        "at 3 g (`LevelTurn`, the level of the profile's turns, so the model knows the turn rate from the",
        "scan it is chosen instead of estimating it), both; and a yardstick that is told the profile's",
        "manoeuvre levels: constant velocity, Singer, the 3 g turn pair, `Hover`, and +-6 m/s^2",
        "along-track speed changes.",
        "",
        "| case | default IMM | " + " | ".join(other) + " |",
        "|---|---:|" + "---:|" * len(other),
        f"| manoeuvring: RMSE m | {m['imm_rmse_m']:.2f} | "
        + " | ".join(f"{v['rmse_m']:.2f}" for v in other.values())
        + " |",
        f"| manoeuvring: over the best single model | {m['ratio']:.3f} | "
        + " | ".join(f"{v['rmse_m'] / m['best_single_rmse_m']:.3f}" for v in other.values())
        + " |",
        *(
            f"| manoeuvring, segment {seg} ({names[seg - 1]}): RMSE m | "
            f"{m['imm_segment_rmse_m'][seg]:.2f} | "
            + " | ".join(f"{v['segment_rmse_m'][seg]:.2f}" for v in other.values())
            + " |"
            for seg in m["imm_segment_rmse_m"]
        ),
        f"| straight target: RMSE / PCRLB | {c['imm_crlb_ratio']:.3f} | "
        + " | ".join(f"{c['other_model_sets_crlb_ratio'][k]:.3f}" for k in other)
        + " |",
        f"| sustained 3 g turn: RMSE m | {t['imm_turn_rmse_m']:.2f} | "
        + " | ".join(f"{t['other_model_sets'][k]['rmse_m']:.2f}" for k in other)
        + " |",
        f"| sustained 3 g turn: mean speed estimate m/s (true {t['turn_true_speed_mps']:.0f}) | "
        f"{t['imm_turn_speed_mps']:.1f} | "
        + " | ".join(f"{t['other_model_sets'][k]['speed_mps']:.1f}" for k in other)
        + " |",
        "",
        "`Hover` averages a hovering drone's position over many scans instead of extrapolating a noisy",
        "velocity (and forgets a stopping drone's velocity sooner); the turn pair follows a 3 g turn",
        "from the scan after it begins. Neither is in the default, for the same reason: a model sharper",
        "than the real motion takes a share of the probability when a noisier, slower radar sees a",
        "gentler manoeuvre, and pulls the combined velocity off. On the shipped layered scenario",
        "(1 Hz, 0.5 degree radar) a jammed quadcopter turns home at 18 m/s and 0.5 rad/s (0.9 g). With",
        '`Hover` it was assessed as slowing to 5 m/s ("landing") instead of turning away (seed 1). With',
        "the 3 g pair the turn away was confirmed in 3 of seeds 1-6 (the default: 6 of 6); in the other",
        "three the track was lost, read as slowing, or no turn was confirmed. Either model fails that",
        "scenario's end-to-end test.",
        "",
        "The yardstick shows the ceiling of the model set on this profile: even told every manoeuvre's",
        "level it stays well above 0.7, because each manoeuvre still has to be recognised from noisy",
        "scans (2-3 scans of error at each onset and end), and the profile is mostly onsets and ends.",
    ]
    variants = res["variants"]
    assert isinstance(variants, dict)
    if variants:
        lines += [
            "",
            "## The same manoeuvring case at other scan rates, segment lengths and range noise (own seeds)",
            "",
            "`steady xN` multiplies the hover and straight segments' durations by N (the turns, the",
            "accelerations and decelerations are unchanged), so the share of time spent manoeuvring",
            "falls; `sigma_range` replaces the radar's 10 m range noise (angles stay at 2 mrad); each row",
            "has its own single-model sweep.",
            "",
            "| variant | IMM RMSE m | best single RMSE m | best single model | ratio | clairvoyant m |",
            "|---|---:|---:|---|---:|---:|",
        ]
        for name, v in variants.items():
            lines.append(
                f"| {name} | {v['imm_rmse_m']:.2f} | {v['best_single_rmse_m']:.2f} | "
                f"{v['best_single_model']} | {v['ratio']:.3f} | {v['clairvoyant_rmse_m']:.2f} |"
            )
    lines += [
        "",
        "## IMM parameters (`ImmParams()`, the default)",
        "",
        f"`{ImmParams()!r}`",
        "",
        "## Single-model sweep (position RMSE, m), best first",
        "",
        "| model | RMSE m |",
        "|---|---:|",
    ]
    lines += [f"| {lab} | {val:.2f} |" for lab, val in m["sweep"]]
    lines += [
        "",
        "## IMM per segment (RMSE m; mean mode probabilities CV, Singer, CT, Ballistic)",
        "",
        "| segment | RMSE m | mean mu |",
        "|---|---:|---|",
    ]
    for seg, val in m["imm_segment_rmse_m"].items():
        lines.append(
            f"| {seg} {names[seg - 1]} | {val:.2f} | {m['imm_mean_mu_per_segment'][seg]} |"
        )
    lines += [
        "",
        "## Speed (not an acceptance figure)",
        "",
        "One mix + predict + update + combine, default 4-model IMM (best of "
        f"{res['timing_repeats']}; wall / process CPU): {res['timing_tracks']} tracks "
        f"{res['imm_cycle_ms']:.1f} / {res['imm_cycle_cpu_ms']:.1f} ms, "
        f"{res['timing_tracks_10x']} tracks {res['imm_cycle_10x_ms']:.1f} / "
        f"{res['imm_cycle_10x_cpu_ms']:.1f} ms.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
