"""End-to-end latency of the ingest benchmark, measured outside the service: from the sender's
send of the datagram that closes a scan (its CAT034 north marker) to the kernel's receive time of
the last CoT datagram of the burst the service sends for that scan.

Both ends are wall-clock (`time.time()` at the sender, the kernel's SO_TIMESTAMPNS receive stamp
at the sink, Linux), on one machine, so the figure includes everything: the sender's and the
service's socket buffers, waiting for a core, decoding, the pipeline step, publishing, encoding.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Sequence

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
"""Linux: stamp each received datagram with the kernel's receive time (struct timespec)."""
BURST_GAP_S = 0.02
"""CoT datagrams closer than this belong to one step's burst."""


class CotSink:
    """A UDP socket on loopback whose datagrams' kernel receive times are kept (a reader thread)."""

    def __init__(self) -> None:
        """Bound to 127.0.0.1 on a free port; call `start`, then `stop`."""
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.times_s: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def address(self) -> str:
        """``host:port`` to send to."""
        host, port = self.sock.getsockname()
        return f"{host}:{port}"

    def start(self) -> None:
        """Start reading."""
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and close the socket."""
        self._stop.set()
        self._thread.join()
        self.sock.close()

    def _run(self) -> None:
        space = socket.CMSG_SPACE(16)
        while not self._stop.is_set():
            try:
                _, anc, _, _ = self.sock.recvmsg(65_535, space)
            except TimeoutError:
                continue
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                    sec, nsec = struct.unpack("qq", value[:16])
                    self.times_s.append(sec + nsec * 1e-9)


def scan_latencies(marker_sent_s: Sequence[float], cot_times_s: Sequence[float]) -> list[float]:
    """Per scan with output: seconds from its marker's send to the end of the first CoT burst after
    it (before the next marker's send). Scans with no CoT in that interval give no sample."""
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
        out.append(times[end] - sent)
    return out
