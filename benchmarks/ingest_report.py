"""The ingest benchmark's results file (benchmarks/results/ingest.md) from its JSON figures."""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shlex
import sys


def _ms(lat: object, key: str) -> str:
    return str(lat.get(key, "n/a")) if isinstance(lat, dict) else "n/a"


def _steady(lv: dict, tracks: int) -> list[str]:  # type: ignore[type-arg]
    """The headline: latency at `tracks` live tracks (after the warm-up), then the start-up."""
    w, s, c = lv["warmup_scans"], lv["steady_latency_ms"], lv["steady_step_cpu_ms"]
    e = lv["steady_e2e_latency_ms"]
    row = lambda d: " / ".join(_ms(d, k) for k in ("p50", "p95", "p99", "max"))  # noqa: E731
    held = isinstance(s, dict) and "p99" in s and s["p99"] <= 50.0
    b = lv["burst"] or {}
    return [
        f"### Steady state: {tracks} live tracks (scans {w + 1} to {lv['scans']}, after a warm-up "
        f"of {w} scans)",
        "",
        "| what | p50 / p95 / p99 / max, ms | samples | target |",
        "|---|---|---:|---|",
        f"| service's own latency | {row(s)} | {lv['steady_latency_samples']} | p99 <= 50: "
        f"{'yes' if held else 'no'} |",
        f"| CPU time of those steps (the service's own work) | {row(c)} | "
        f"{lv['steady_latency_samples']} | |",
        f"| end to end, marker sent to the scan's last CoT received | {row(e)} | "
        f"{lv['steady_e2e_samples']} | |",
        "",
        f"Nearest-rank percentiles: with {lv['steady_latency_samples']} samples the p99 is the "
        f"{'largest' if lv['steady_latency_samples'] < 101 else 'second largest or lower'} sample.",
        "",
        f"### Start-up: the first {w} scans, one by one (the picture being established)",
        "",
        "| what | per scan, ms |",
        "|---|---|",
        f"| service's own latency | {', '.join(str(v) for v in lv['startup_latency_ms'])} |",
        f"| CPU time of the step | {', '.join(str(v) for v in lv['startup_step_cpu_ms'])} |",
        f"| end to end | {', '.join(str(v) for v in lv['startup_e2e_latency_ms'])} |",
        "",
        f"The start-up burst is scan {b.get('scan', 'n/a')}: its step confirms and identifies "
        f"the {tracks} tracks at once (latency {b.get('latency_ms', 'n/a')} ms, CPU "
        f"{b.get('step_cpu_ms', 'n/a')} ms, end to end {b.get('e2e_latency_ms', 'n/a')} ms). "
        "A live picture gains its tracks a few at a time; a thousand at once happens only when "
        "the service starts (or restarts) with that many targets in the air.",
        "",
    ]


def write_markdown(args: argparse.Namespace, r: dict) -> None:  # type: ignore[type-arg]
    cmd = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    lv = r["live"]
    yes = {True: "yes", False: "no"}
    lines = [
        "# Live ingest benchmark",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%a %b %d %H:%M:%S UTC %Y')}",
        f"- machine: {r['cpu']}, {r['cores']} cores, Python {platform.python_version()}",
        f"- load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in r['load_average_before'])}; "
        f"after: {', '.join(f'{x:.2f}' for x in r['load_average_after'])} (the machine is shared)",
        f"- command: `{cmd}`",
        f"- synthetic truth: {args.tracks} targets + {args.clutter} clutter plots per scan, one radar, "
        "Pd 1; CAT048 datagrams of 20 plots, a CAT034 north marker closes each scan",
        "",
        "## Throughput on one core (LiveCore.feed: decode, assemble, pipeline step, events)",
        "",
        "| input | measured | target | holds |",
        "|---|---:|---:|---|",
        f"| ASTERIX CAT048 plots/s | {r['asterix_plots_per_s']:,.0f} | 20,000 | "
        f"{yes[r['asterix_plots_per_s'] >= 20000]} |",
        f"| (CAT048 decoding alone, fast path, plots/s) | {r['asterix_decode_only_plots_per_s']:,.0f} | | |",
        f"| (CAT048 decoding alone, libasterix, plots/s) | "
        f"{r['asterix_libasterix_decode_plots_per_s']:,.0f} | | |",
        f"| SAPIENT detections/s | {r['sapient_detections_per_s']:,.0f} | 5,000 | "
        f"{yes[r['sapient_detections_per_s'] >= 5000]} |",
        "",
        f"ASTERIX: {r['asterix_plots']:,} plots, {r['asterix_confirmed_tracks']} confirmed tracks at "
        f"the end. SAPIENT: {r['sapient_detections']:,} of {r['sapient_detections_sent']:,} "
        f"detections, {r['sapient_confirmed_tracks']} confirmed tracks.",
        "",
        f"## Live on loopback: {args.tracks} tracks, one scan per second for {args.seconds} s",
        "",
        *_steady(lv, args.tracks),
        "All scans (start-up included):",
        "",
        "| what | measured | target |",
        "|---|---:|---:|",
        f"| datagrams sent (numbered) | {lv['sent_datagrams']:,} | |",
        f"| datagrams lost (missing sequence numbers) | {lv['lost_datagrams']:,} | 0 |",
        f"| datagrams dropped by the service's queues | {lv['queue_dropped_datagrams']:,} | 0 |",
        f"| kernel receive-buffer drops (SO_RXQ_OVFL) | {lv['kernel_drops']} | 0 |",
        f"| end to end, marker sent to the scan's last CoT received, p50 / p99 / max, ms "
        f"({lv['e2e_samples']} of {lv['scans']} scans) | {_ms(lv['e2e_latency_ms'], 'p50')} / "
        f"{_ms(lv['e2e_latency_ms'], 'p99')} / {_ms(lv['e2e_latency_ms'], 'max')} | p99 <= 50 |",
        f"| service's own latency samples (steps that took a scan) | {lv['latency_samples']} | |",
        f"| service's own latency p50, ms | {_ms(lv['latency_ms'], 'p50')} | |",
        f"| service's own latency p99, ms | {_ms(lv['latency_ms'], 'p99')} | <= 50 |",
        f"| service's own latency max, ms | {_ms(lv['latency_ms'], 'max')} | |",
        f"| CPU time of those steps p50 / p99 / max, ms | {_ms(lv['step_cpu_ms'], 'p50')} / "
        f"{_ms(lv['step_cpu_ms'], 'p99')} / {_ms(lv['step_cpu_ms'], 'max')} | |",
        f"| pipeline steps | {lv['steps']} | |",
        f"| service CPU s per s of feed | {lv['service_cpu_s_per_s']:.2f} | |",
        f"| live tracks at the end | {lv['tracks']} | {args.tracks} |",
        f"| CoT events sent ({args.cot_format}, UDP) | {lv['cot_sent']:,} | |",
        "",
        "End to end (`benchmarks/ingest_e2e.py`): from the sender's `time.time()` after it sent a "
        "scan's north marker (the datagram that closes the scan) to the kernel's receive stamp "
        "(SO_TIMESTAMPNS) of the last CoT datagram of the burst the service sent for that scan, at "
        "a UDP sink on loopback (a process of its own): every buffer, queue and wait included. "
        "The service's own latency "
        "(`/health`) runs per pipeline step that took data, from the socket read of the oldest "
        "input drained for that step (time in the kernel's receive buffer is not in it) to its "
        "outputs (CoT over UDP) sent; the store append and the event log follow the send and are "
        "not counted. A plot also waits in scan assembly until its scan closes (up to one scan "
        "period); that is the radar's batching, not counted here. The CPU time is the service "
        "thread's own work over the same span (decoding excluded): on a machine shared with other "
        "processes, latency minus CPU time is mostly waiting for a core.",
        "",
        f"## Rate sweep: the same {args.tracks}-track scans, faster, default queue limits, "
        f"{args.sweep_seconds:g} s each",
        "",
        "| plots/s asked | achieved by sender | scan period, s | datagrams sent | lost | queue-dropped | "
        "kernel drops | plots shed | latency p50 / p99 / max, ms | step CPU p99, ms | "
        "all plots decoded, s after the last send | service CPU s per s | keeps up | loss |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---|",
    ]
    for w in r["sweep"]:
        lat = w["latency_ms"]
        lines.append(
            f"| {w['rate_plots_per_s']:,} | {w['achieved_plots_per_s']:,.0f} | "
            f"{w['scan_period_s']:.3f} | {w['sent_datagrams']:,} | {w['lost_datagrams']:,} | "
            f"{w['queue_dropped_datagrams']:,} | {w['kernel_drops']} | {w['shed_plots']} | "
            f"{_ms(lat, 'p50')} / {_ms(lat, 'p99')} / {_ms(lat, 'max')} | "
            f"{_ms(w['step_cpu_ms'], 'p99')} | "
            f"{w['drain_after_send_s']:.2f} | {w['service_cpu_s_per_s']:.2f} | "
            f"{yes[bool(w['keeps_up'])]} | {yes[bool(w['loss'])]} |"
        )
    lines += [
        "",
        f"No loss up to {r['no_loss_up_to_plots_per_s']:,} plots/s; "
        + (
            f"loss from {r['loss_from_plots_per_s']:,} plots/s. "
            if r["loss_from_plots_per_s"]
            else "no loss at any rate tried. "
        )
        + "Loss is every "
        "missing sequence number, every datagram the service's queues dropped, every kernel drop "
        "and every shed plot. Keeps up: every plot decoded within 0.5 s of the last send (a "
        "service that falls behind holds the backlog in the kernel's receive buffer, 4 MiB, and its "
        f"own queue; beyond them it loses datagrams, counted). Keeps up without loss to "
        f"{r['keeps_up_without_loss_to_plots_per_s']:,} plots/s. Service CPU s per s: CPU time "
        "of the process running the service (all its threads; the CoT sink and the sender are "
        "processes of their own) over the run, per second of sending and catching up; below 1.0 one core "
        "suffices, so a service that falls behind at such a rate was waiting for a core.",
        "",
    ]
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text("\n".join(lines))
