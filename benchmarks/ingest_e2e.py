"""End-to-end latency of the ingest benchmark, measured outside the service: from the sender's
send of the datagram that closes a scan (its CAT034 north marker) to the kernel's receive time of
the last CoT datagram of the burst the service sends for that scan.

Both ends are wall-clock (`time.time()` at the sender, the kernel's SO_TIMESTAMPNS receive stamp
at the sink, Linux), on one machine, so the figure includes everything: the sender's and the
service's socket buffers, waiting for a core, decoding, the pipeline step, publishing, encoding.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Sequence

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
"""Linux: stamp each received datagram with the kernel's receive time (struct timespec)."""
BURST_GAP_S = 0.02
"""CoT datagrams closer than this belong to one step's burst."""


SINK = r"""
import json, socket, struct, sys, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.setsockopt(socket.SOL_SOCKET, int(sys.argv[1]), 1)
s.bind(("127.0.0.1", 0))
s.settimeout(0.1)
print("%s:%d" % s.getsockname(), flush=True)
stop, times, space = threading.Event(), [], socket.CMSG_SPACE(16)
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
while not stop.is_set():
    try:
        _, anc, _, _ = s.recvmsg(65535, space)
    except TimeoutError:
        continue
    for level, kind, value in anc:
        if level == socket.SOL_SOCKET and kind == int(sys.argv[1]) and len(value) >= 16:
            sec, nsec = struct.unpack("qq", value[:16])
            times.append(sec + nsec * 1e-9)
print(json.dumps(times), flush=True)
"""


class CotSink:
    """A UDP socket on loopback, in a process of its own, that keeps its datagrams' kernel receive
    times. A process, not a thread of the service's process: a reader thread there would take the
    service's GIL for every datagram it reads, and the service's latency would include that."""

    def __init__(self) -> None:
        """Bound to 127.0.0.1 on a free port; call `start`, then `stop`."""
        self.times_s: list[float] = []
        self._proc = subprocess.Popen(
            [sys.executable, "-c", SINK, str(SO_TIMESTAMPNS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        self._address = self._proc.stdout.readline().strip()

    @property
    def address(self) -> str:
        """``host:port`` to send to."""
        return self._address

    def start(self) -> None:
        """Start reading (the process reads from the start)."""

    def stop(self) -> None:
        """Stop reading, take the receive times and end the process."""
        out, _ = self._proc.communicate(timeout=30.0)
        self.times_s = [float(t) for t in json.loads(out.splitlines()[-1])]


def scan_latencies(marker_sent_s: Sequence[float], cot_times_s: Sequence[float]) -> list[float]:
    """Per scan with output: seconds from its marker's send to the end of the first CoT burst after
    it (before the next marker's send). Scans with no CoT in that interval give no sample."""
    return [lat for _, lat in scan_latency_pairs(marker_sent_s, cot_times_s)]


def scan_latency_pairs(
    marker_sent_s: Sequence[float], cot_times_s: Sequence[float]
) -> list[tuple[int, float]]:
    """(scan index from 0, seconds) of `scan_latencies`: which scan each sample belongs to."""
    times = sorted(cot_times_s)
    out = []
    j = 0
    for k, sent in enumerate(marker_sent_s):
        nxt = marker_sent_s[k + 1] if k + 1 < len(marker_sent_s) else float("inf")
        while j < len(times) and times[j] < sent:
            j += 1
        if j >= len(times) or times[j] >= nxt:
            continue
        end = j
        while end + 1 < len(times) and times[end + 1] - times[end] < BURST_GAP_S:
            end += 1
        out.append((k, times[end] - sent))
    return out
