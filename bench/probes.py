"""Benchmark: the daemon's probe path against Debian's prometheus-blackbox-exporter.

Usage (from the repository root)::

    .venv/bin/python bench/probes.py                      # 1,000 targets at 10 s, 120 s windows
    .venv/bin/python bench/probes.py --also-10k           # then 10,000 targets too
    .venv/bin/python bench/probes.py --kind tcp           # or dns, icmp: blackbox's modules
    .venv/bin/python bench/probes.py --no-blackbox --workers 2 --targets 20000   # 2 probe workers
    .venv/bin/python bench/probes.py --no-blackbox --profile /tmp/prof   # py-spy our window
    .venv/bin/python bench/probes.py --no-blackbox --source /tmp/copy [--uvloop]  # A/B a copy

Prints progress to stderr and one table of numbers to stdout; asserts nothing.

Method
------
*Target server.* A separate process (this file, role ``_serve``): a bare ``asyncio.Protocol``
answering every request with ``200 OK`` and ``Connection: close``, then letting the client
close first (see ``_Answer`` for why: TIME_WAIT). Its CPU is shown, not counted for either
side. It runs for the whole benchmark.

*Ours.* A configuration with N HTTP targets (``/health/<i>`` on the target server, interval
I, timeout 5 s, one 24x7 SLA) and a fresh SQLite database in a temporary directory;
``sla-monitor run`` started as a subprocess through a thin wrapper (role ``_daemon``) that
calls ``monitor.cli.main`` unchanged after adding recording hooks (below). After
``daemon_started`` and a warm-up (default one interval) the window opens; over
``--duration`` seconds it measures:

- probes: the results completed in the window (a hook on ``DaemonMetrics.observe``, which
  the runner calls once per result), and their failures; the rows stored in
  ``probe_results`` with ``started_at`` in the window are shown beside them (they differ
  when the writer falls behind);
- CPU: utime + stime of the daemon process (all its threads, so the aiosqlite thread is in)
  from ``/proc/PID/stat``, delta over the window: per 1,000 probes, the kernel's share, and
  as a share of one core (CPU seconds / wall seconds);
- peak RSS: ``VmHWM`` from ``/proc/PID/status`` at the end of the window (it includes the
  start-up, when the configuration for all targets is parsed);
- start-up (spawn to ``daemon_started``) and shutdown (SIGTERM to exit; SIGKILL after
  ``--shutdown-grace``).

*Lag.* ``sla_monitor_scheduler_lag_seconds`` is scraped at both ends of the window and
p50/p99 are computed from the bucket deltas with linear interpolation inside the bucket, as
PromQL's ``histogram_quantile`` does: an estimate, only as good as the bucket edges (...,
0.1, 0.25, 0.5, ...). The wrapper also records exact values: it wraps the histogram's
``observe`` (due time to the moment the probe's task starts running, ready-queue wait
included: the numbers the histogram gets) and the dispatcher's timer callback (due time of the
earliest probe to the moment the callback runs: how late the loop fired the timer). Each hook
costs one append per probe; SIGUSR1 makes the wrapper write its records, so an overloaded
daemon that cannot stop in time still yields them.

*Blackbox exporter.* ``prometheus-blackbox-exporter`` on 127.0.0.1 with one module
``http_2xx`` (prober ``http``, timeout 5 s, IPv4). A load generator in its own process (role
``_loadgen``) sends ``GET /probe?target=http://127.0.0.1:PORT/health/<i>&module=http_2xx``
for each of the N targets once per interval, spread evenly (request k at start + k*I/N),
over at most ``--loadgen-concurrency`` keep-alive connections, and counts the answers
completed in the window that contain ``probe_success 1``. The exporter's CPU over the same
window is divided by the probes answered in it. Like ours, every exporter probe opens a
fresh connection to the target.

*Kinds.* ``--kind tcp|dns|icmp`` measures the same way with the other probes: a TCP connect
to the target server's port (blackbox ``tcp``), an A query for ``t<i>.bench.test`` to a DNS
responder the target server runs on loopback UDP (blackbox ``dns``), an ICMP echo to
127.0.0.1 (blackbox ``icmp``; both need root or a ping group, as on this machine).

*Workers.* ``--workers N`` starts our daemon with ``SLA_MONITOR_WORKERS=N``: CPU is then the
sum over the daemon and its probe worker processes (their pids from ``daemon_started``), RSS
the sum of their VmHWM/VmRSS; lag is what the workers report to the daemon's histogram (the
wrapper's dispatcher-timer hook sees only the daemon's own process, so that row is empty).

*Profile.* ``--profile DIR`` attaches ``py-spy record --format raw`` to our daemon for the
first window and prints a summary: each on-CPU sample charged to the nearest owning
component from the leaf up, and the top functions inclusive and self. ``_summarize FILE
[RATE]`` re-reads a saved profile.

Caveats
-------
- 2 cores, shared by the measured process, the target server, the load generator (blackbox
  phases), this script and whatever else runs on the machine (on a shared development box,
  other people's test suites). Before each phase the script waits (``--quiet-below``,
  ``--quiet-wait``) for the rest of the machine to be nearly idle, and the table shows how
  busy the machine was during the window and how much of that was not ours. Lag and the
  10,000-target figures are sensitive to that contention; CPU per probe much less so.
- The two sides do not do the same work: the exporter also serves an HTTP request per probe
  and renders a small metrics page; ours also schedules, tracks outages and coverage,
  recomputes the SLA snapshot, and writes every result to SQLite. That is the comparison
  the issue asks for.
- /proc CPU times tick at 10 ms (USER_HZ 100): noise over a 60-120 s window.
- VmHWM is the peak of the process's whole life, including start-up.
- py-spy cannot tell idle threads apart here; samples whose leaf is a blocking wait (epoll,
  the aiosqlite queue) are dropped, and the busy samples add up to the measured CPU.
  It also pauses the process to sample it: CPU figures of a profiled run are a little high.

Every process this starts is stopped at the end (also on error or Ctrl-C), dies with this
script (``PR_SET_PDEATHSIG``), and the helpers stop by themselves after a deadline. All
traffic is to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import ctypes
import json
import linecache
import math
import os
import re
import shutil
import signal
import socket
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

HERE = Path(__file__).resolve()
# Run as a script, this file's folder is sys.path[0], where "probes" would be this file and
# not the package the daemon imports.
if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == HERE.parent:
    del sys.path[0]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
LAG_METRIC = "sla_monitor_scheduler_lag_seconds"
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how the store keeps UTC instants in SQLite


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- processes -----------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the bench dies, whatever the way."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


class Processes:
    """Every child this script starts; ``stop_all`` ends the ones still running."""

    def __init__(self) -> None:
        self._all: list[asyncio.subprocess.Process] = []

    async def start(
        self,
        *argv: str,
        env: dict[str, str] | None = None,
        stdout: int | Any = asyncio.subprocess.DEVNULL,
        stderr: int | Any = asyncio.subprocess.DEVNULL,
    ) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
            start_new_session=True,  # Ctrl-C reaches us only; we stop the children in order
            preexec_fn=_die_with_parent,
        )
        self._all.append(process)
        return process

    @staticmethod
    async def stop(process: asyncio.subprocess.Process, grace: float = 15.0) -> float:
        """SIGTERM, wait up to ``grace`` seconds, then SIGKILL; returns the seconds it took."""
        began = time.monotonic()
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(grace):
                    await process.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        return time.monotonic() - began

    async def stop_all(self) -> None:
        for process in reversed(self._all):
            if process.returncode is None:
                log(f"stopping leftover process {process.pid}")
                await self.stop(process, grace=5.0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- /proc -------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all threads), in seconds."""
    return sum(cpu_times(pid))


def cpu_times(pid: int) -> tuple[float, float]:
    """(utime, stime) of the whole process (all threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def group_cpu_times(pids: Sequence[int]) -> tuple[float, float]:
    """(utime, stime) summed over the daemon and its probe workers."""
    times = [cpu_times(pid) for pid in pids]
    return sum(t[0] for t in times), sum(t[1] for t in times)


def group_status_kb(pids: Sequence[int], key: str) -> int:
    return sum(status_kb(pid, key) for pid in pids)


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


@dataclass(frozen=True)
class SystemCpu:
    busy: float
    total: float

    @staticmethod
    def read() -> SystemCpu:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        total = sum(values[:8])
        return SystemCpu((total - idle) / CLK_TCK, total / CLK_TCK)

    def cores_busy_since(self, earlier: SystemCpu, wall: float) -> float:
        """Average number of busy cores between ``earlier`` and this reading."""
        return (self.busy - earlier.busy) / wall


# --- statistics ----------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile of exact values (NaN when there are none)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def bucket_quantile(buckets: Sequence[tuple[float, float]], q: float) -> float:
    """PromQL ``histogram_quantile`` on cumulative ``(le, count)`` pairs, ``+Inf`` last."""
    if not buckets or buckets[-1][1] <= 0:
        return math.nan
    total = buckets[-1][1]
    rank = q * total
    lower_edge, lower_count = 0.0, 0.0
    for edge, count in buckets:
        if count >= rank:
            if math.isinf(edge):
                return lower_edge  # PromQL returns the highest finite edge
            if count == lower_count:
                return edge
            return lower_edge + (edge - lower_edge) * (rank - lower_count) / (count - lower_count)
        lower_edge, lower_count = edge, count
    return math.nan


_BUCKET_LINE = re.compile(rf'^{LAG_METRIC}_bucket\{{le="([^"]+)"\}} (\S+)$', re.MULTILINE)


def parse_buckets(text: str) -> list[tuple[float, float]]:
    pairs = [(float(le), float(count)) for le, count in _BUCKET_LINE.findall(text)]
    return sorted(pairs)


def bucket_delta(
    before: list[tuple[float, float]], after: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    old = dict(before)
    return [(edge, count - old.get(edge, 0.0)) for edge, count in after]


# --- the target server (role _serve) -------------------------------------------------------

_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
    b"Connection: close\r\n\r\nOK\n"
)


class _Answer(asyncio.Protocol):
    """Answers one request and lets the client close first.

    Whoever closes first keeps the TIME_WAIT entry. If the server closed, at 1,000 new
    connections a second it would hold 60,000 of them for 127.0.0.1 -> 127.0.0.1:PORT, more
    than the 28,000 ephemeral ports, so nearly every new SYN would meet an old TIME_WAIT and
    be retried a second later: the probes would time out because of the test bed. The client
    closing first (it was told ``Connection: close``) keeps TIME_WAIT on its side, where
    ``net.ipv4.tcp_tw_reuse`` (2: loopback) lets connect() reuse the port.
    """

    served = 0

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._guard: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        # A client that never closes is cut off after a while.
        self._guard = asyncio.get_running_loop().call_later(30.0, transport.abort)

    def data_received(self, data: bytes) -> None:
        if self._transport is None or self._buffer is None:
            return
        self._buffer += data
        if b"\r\n\r\n" in self._buffer:
            self._transport.write(_RESPONSE)
            self._buffer = b""
            _Answer.served += 1
        elif len(self._buffer) > 65536:
            self._transport.abort()

    def eof_received(self) -> bool:
        return False  # the client closed: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self._guard is not None:
            self._guard.cancel()
        self._transport = None


class _DnsAnswer(asyncio.DatagramProtocol):
    """Answers every A question with 127.0.0.1 (TTL 60), anything else with no records."""

    def __init__(self) -> None:
        self._transport: Any = None  # a datagram transport (asyncio's is not its subclass)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        import dns.message
        import dns.rdatatype
        import dns.rrset

        try:
            query = dns.message.from_wire(data)
        except Exception:
            return
        response = dns.message.make_response(query)
        for question in query.question:
            if question.rdtype == dns.rdatatype.A:
                response.answer.append(
                    dns.rrset.from_text(question.name, 60, "IN", "A", "127.0.0.1")
                )
        if self._transport is not None:
            self._transport.sendto(response.to_wire(), addr)


async def serve_role(lifetime: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Answer, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    dns_transport, _ = await loop.create_datagram_endpoint(_DnsAnswer, local_addr=("127.0.0.1", 0))
    dns_port = dns_transport.get_extra_info("sockname")[1]
    print(port, dns_port, flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(lifetime):
            await stop.wait()
    server.close()
    dns_transport.close()
    print(json.dumps({"served": _Answer.served}), flush=True)


# --- the daemon wrapper (role _daemon) -----------------------------------------------------


def daemon_role() -> int:
    """``sla-monitor run --log-format json`` with the recording hooks of the docstring.

    SIGUSR1 writes what was recorded so far to ``$BENCH_LAG_FILE`` (atomically), so the bench
    gets the figures of its window even when an overloaded daemon cannot shut down in time.
    """
    from monitor import cli
    from monitor.probing import metrics, scheduler
    from monitor.sla.outages import OutageTracker
    from probes.base import ProbeResult

    out = os.environ.get("BENCH_LAG_FILE")
    # Pairs of (monotonic time, value): dispatch lag, start lag, probe outcome (1 ok, 0 not).
    series = (array.array("d"), array.array("d"), array.array("d"))
    dispatch, start, done = series
    monotonic = time.monotonic

    original_init = metrics.DaemonMetrics.__init__
    original_observe = metrics.DaemonMetrics.observe

    def init(self: metrics.DaemonMetrics, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        observe = self.scheduler_lag.observe

        def recording_observe(amount: float, exemplar: Any = None) -> None:
            dispatch.append(monotonic())
            dispatch.append(amount)
            observe(amount, exemplar)

        # The benchmark wraps the live method to time each dispatch.
        self.scheduler_lag.observe = recording_observe  # type: ignore[method-assign]  # timing

    def observe_result(
        self: metrics.DaemonMetrics, target: str, result: ProbeResult, tracker: OutageTracker
    ) -> None:
        done.append(monotonic())
        done.append(1.0 if result.ok else 0.0)
        original_observe(self, target, result, tracker)

    # Patched into the daemon process the benchmark runs, nowhere else.
    metrics.DaemonMetrics.__init__ = init  # type: ignore[method-assign]  # instrumentation
    metrics.DaemonMetrics.observe = observe_result  # type: ignore[method-assign]  # timing

    original_dispatch = scheduler.ProbeScheduler._dispatch

    def timed_dispatch(self: scheduler.ProbeScheduler) -> None:
        # Start lag is what the scheduler reports at task start; this adds the time from the
        # due time to the dispatcher's callback, i.e. how late the timer itself fired.
        loop = asyncio.get_running_loop()
        if self._heap:
            start.append(monotonic())
            start.append(max(0.0, loop.time() - self._heap[0][0]))
        original_dispatch(self)

    # Patched into the daemon process the benchmark runs, nowhere else.
    scheduler.ProbeScheduler._dispatch = timed_dispatch  # type: ignore[method-assign]  # timing

    def dump(*_: object) -> None:
        if not out:
            return
        partial = Path(out + ".partial")
        with partial.open("wb") as handle:
            for values in series:
                array.array("q", [len(values)]).tofile(handle)
                values.tofile(handle)
        partial.replace(out)

    signal.signal(signal.SIGUSR1, dump)
    import probes

    where = {"event": "bench_source", "monitor": cli.__file__, "probes": probes.__file__}
    print(json.dumps(where), file=sys.stderr, flush=True)
    if os.environ.get("BENCH_UVLOOP"):  # an experiment: the same daemon on uvloop
        import importlib

        importlib.import_module("uvloop").install()  # the optional extra 'fast'
    return cli.main(["run", "--log-format", "json"])


Pairs = list[tuple[float, float]]


def read_lag_file(path: Path) -> tuple[Pairs, Pairs, Pairs]:
    data = path.read_bytes()
    series: list[Pairs] = []
    offset = 0
    for _ in range(3):
        (count,) = array.array("q", data[offset : offset + 8])
        offset += 8
        values = array.array("d", data[offset : offset + 8 * count])
        offset += 8 * count
        series.append(list(zip(values[0::2], values[1::2], strict=True)))
    return series[0], series[1], series[2]


# --- the load generator (role _loadgen) ----------------------------------------------------


async def loadgen_role(args: argparse.Namespace) -> None:
    """Requests ``/probe`` for each target once per interval; prints a JSON summary."""
    ports = Ports(args.target_port, args.dns_port)
    urls = [
        f"{args.exporter}/probe?target={quote(blackbox_target(args.kind, ports, i), safe='')}"
        f"&module={args.kind}"
        for i in range(args.targets)
    ]
    step = args.interval / args.targets
    begin, end = args.start_at, args.start_at + args.seconds
    window = (args.window_start, args.window_end)
    in_window = Counter[str]()
    issue_lag: list[float] = []
    latency: list[float] = []
    errors = Counter[str]()
    tasks: set[asyncio.Task[None]] = set()

    async def one(session: aiohttp.ClientSession, url: str) -> None:
        sent = time.monotonic()
        try:
            async with session.get(url) as response:
                body = await response.read()
            ok = response.status == 200 and b"\nprobe_success 1\n" in body
            kind = "success" if ok else f"status_{response.status}_or_probe_failed"
        except Exception as error:
            kind = type(error).__name__
        done = time.monotonic()
        if window[0] <= done < window[1]:
            in_window[kind] += 1
            latency.append(done - sent)
        if kind != "success":
            errors[kind] += 1

    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.sleep(max(0.0, begin - time.monotonic()))
        k = 0
        while True:
            now = time.monotonic()
            due = math.floor((now - begin) / step) + 1
            while k < due:
                planned = begin + k * step
                if planned >= end:
                    break
                if window[0] <= now < window[1]:
                    issue_lag.append(now - planned)
                task = asyncio.create_task(one(session, urls[k % args.targets]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                k += 1
            if begin + k * step >= end:
                break
            await asyncio.sleep(max(0.0, begin + k * step - time.monotonic()))
        if tasks:
            await asyncio.wait(set(tasks), timeout=20)
    print(
        json.dumps(
            {
                "sent": k,
                "in_window": dict(in_window),
                "errors": dict(errors),
                "latency_p50": quantile(latency, 0.5),
                "latency_p99": quantile(latency, 0.99),
                "issue_lag_p99": quantile(issue_lag, 0.99),
            }
        ),
        flush=True,
    )


# --- phases --------------------------------------------------------------------------------


def target_url(port: int, index: int) -> str:
    return f"http://127.0.0.1:{port}/health/{index}"


KINDS = ("http", "tcp", "dns", "icmp")
"""Probe kinds measured on both sides; the blackbox module of each is in BLACKBOX_MODULES."""

BLACKBOX_MODULES = {
    "http": "  http:\n    prober: http\n    timeout: 5s\n"
    "    http:\n      preferred_ip_protocol: ip4\n",
    "tcp": "  tcp:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      preferred_ip_protocol: ip4\n",
    "dns": "  dns:\n    prober: dns\n    timeout: 5s\n    dns:\n      query_name: t.bench.test\n"
    "      query_type: A\n      transport_protocol: udp\n      preferred_ip_protocol: ip4\n",
    "icmp": "  icmp:\n    prober: icmp\n    timeout: 5s\n    icmp:\n"
    "      preferred_ip_protocol: ip4\n",
}


@dataclass(frozen=True)
class Ports:
    """Where the target server listens: HTTP and TCP on one port, DNS (UDP) on another."""

    http: int
    dns: int


def our_probe(kind: str, ports: Ports, index: int) -> str:
    """One target's probe in the daemon's YAML, the same check as the blackbox module."""
    if kind == "tcp":
        return f"{{type: tcp, host: 127.0.0.1, port: {ports.http}, timeout: 5s}}"
    if kind == "dns":
        return (
            f"{{type: dns, name: t{index}.bench.test, server: 127.0.0.1, port: {ports.dns}, "
            "timeout: 5s}"
        )
    if kind == "icmp":
        return "{type: icmp, host: 127.0.0.1, timeout: 5s}"
    return f'{{type: http, url: "{target_url(ports.http, index)}", timeout: 5s}}'


def blackbox_target(kind: str, ports: Ports, index: int) -> str:
    """The ``target`` parameter of one /probe request."""
    if kind == "tcp":
        return f"127.0.0.1:{ports.http}"
    if kind == "dns":
        return f"127.0.0.1:{ports.dns}"
    if kind == "icmp":
        return "127.0.0.1"
    return target_url(ports.http, index)


def target_name(index: int) -> str:
    return f"t{index:05d}"


def config_yaml(kind: str, ports: Ports, targets: int, interval: float) -> str:
    lines = ["timezone: Europe/Amsterdam", "targets:"]
    for i in range(targets):
        lines.append(f"  - name: {target_name(i)}")
        lines.append(f"    probe: {our_probe(kind, ports, i)}")
        lines.append(f"    interval: {interval:g}s")
        lines.append("    slas: [{window: 24x7, objective: 0.99}]")
    return "\n".join(lines) + "\n"


@dataclass
class Result:
    """One measured phase; NaN where a figure does not apply."""

    name: str
    targets: int
    interval: float
    window: float = math.nan
    probes: int = 0
    failures: int = 0
    stored: int = -1
    stored_failures: int = -1
    cpu: float = math.nan
    kernel_cpu: float = math.nan
    peak_rss_mb: float = math.nan
    rss_mb: float = math.nan
    lag_bucket: tuple[float, float] = (math.nan, math.nan)
    lag_dispatch: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    lag_start: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    startup: float = math.nan
    shutdown: float = math.nan
    server_cpu: float = math.nan
    loadgen_cpu: float = math.nan
    machine_busy: float = math.nan
    bench_cpu: float = math.nan
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.probes / self.window if self.window else math.nan

    @property
    def cpu_per_1000(self) -> float:
        return self.cpu / self.probes * 1000 if self.probes else math.nan

    @property
    def core_share(self) -> float:
        return self.cpu / self.window if self.window else math.nan

    @property
    def other_load(self) -> float:
        """Busy cores not explained by the processes of this benchmark (other tenants)."""
        known = [self.core_share, self.server_cpu, self.bench_cpu]
        if not math.isnan(self.loadgen_cpu):
            known.append(self.loadgen_cpu)
        return self.machine_busy - sum(known)


async def wait_for_quiet(threshold: float, max_wait: float, exclude_pids: Sequence[int]) -> str:
    """Wait until the rest of the machine uses fewer than ``threshold`` cores (3 s samples).

    The machine may be shared (other sessions run test suites on it); a phase started while
    it is busy measures contention more than the code. Gives up after ``max_wait`` seconds.
    """
    began = time.monotonic()
    while True:
        sys0, own0 = SystemCpu.read(), sum(cpu_seconds(pid) for pid in exclude_pids)
        await asyncio.sleep(3.0)
        sys1, own1 = SystemCpu.read(), sum(cpu_seconds(pid) for pid in exclude_pids)
        other = sys1.cores_busy_since(sys0, 3.0) - (own1 - own0) / 3.0
        waited = time.monotonic() - began
        if other < threshold:
            return f"machine quiet ({other:.2f} other cores) after {waited:.0f} s"
        if waited >= max_wait:
            return f"machine still busy ({other:.2f} other cores) after {waited:.0f} s; went on"
        log(f"waiting for a quieter machine: {other:.2f} cores busy elsewhere")


@dataclass
class Bench:
    args: argparse.Namespace
    processes: Processes
    server_pid: int
    ports: Ports
    workdir: Path

    def _window_times(self, now: float) -> tuple[float, float]:
        return now, now + self.args.duration

    # -- ours ---------------------------------------------------------------------------

    async def ours(self, targets: int, profile: Path | None) -> Result:
        args = self.args
        label = args.label if not args.workers else f"{args.label} w={args.workers}"
        result = Result(f"{label} {args.kind} {targets:,}", targets, args.interval)
        phase_dir = self.workdir / f"ours-{targets}"
        phase_dir.mkdir()
        config = phase_dir / "sla-monitor.yaml"
        config.write_text(config_yaml(args.kind, self.ports, targets, args.interval))
        database = phase_dir / "sla.db"
        lag_file = phase_dir / "lag.bin"
        env = {
            **os.environ,
            "SLA_MONITOR_CONFIG": str(config),
            "SLA_MONITOR_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "SLA_MONITOR_LISTEN": "127.0.0.1:0",
            "BENCH_LAG_FILE": str(lag_file),
        }
        if args.source is not None:  # an experimental copy of monitor/ and probes/ first
            env["PYTHONPATH"] = os.pathsep.join(
                [str(args.source), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
        if args.uvloop:
            env["BENCH_UVLOOP"] = "1"
        env["SLA_MONITOR_WORKERS"] = str(args.workers)
        events: dict[str, dict[str, Any]] = {}
        event_counts = Counter[str]()
        log(f"ours: starting the daemon with {targets:,} targets (db {database})")
        spawned = time.monotonic()
        process = await self.processes.start(
            sys.executable, str(HERE), "_daemon", env=env, stderr=asyncio.subprocess.PIPE
        )

        other_lines = Counter[str]()

        async def read_events() -> None:
            assert process.stderr is not None
            async for raw in process.stderr:
                try:
                    item = json.loads(raw)
                except ValueError:
                    # stdlib logging (APScheduler's warnings): count by kind, show a few.
                    text = raw.decode(errors="replace").rstrip()
                    kind = re.sub(r'"[^"]*"|\d[\d:.\- +]*', "…", text)[:90]
                    other_lines[kind] += 1
                    if other_lines[kind] <= 2:
                        log(f"daemon: {text[:300]}")
                    continue
                name = str(item.get("event"))
                event_counts[name] += 1
                if name not in events:
                    events[name] = item
                if (
                    item.get("level") in ("warning", "error", "critical")
                    and event_counts[name] <= 3
                    and not name.startswith(("probe_", "outage_"))
                ):
                    log(f"daemon {item.get('level')}: {name} {item}")

        reader = asyncio.create_task(read_events())
        try:
            async with asyncio.timeout(args.startup_timeout):
                while "daemon_started" not in events:
                    if process.returncode is not None:
                        raise RuntimeError(f"daemon exited with {process.returncode}: {events}")
                    await asyncio.sleep(0.05)
            result.startup = time.monotonic() - spawned
            listen = events["daemon_started"]["listen"][0]
            pids = [process.pid, *events["daemon_started"].get("workers", [])]
            if len(pids) > 1:
                result.notes.append(
                    f"{len(pids) - 1} probe worker processes: CPU and RSS are the sums over "
                    "them and the daemon"
                )
            log(f"ours: daemon {process.pid} up on {listen} after {result.startup:.1f} s")
            log(f"ours: warming up for {args.warmup:g} s")
            await asyncio.sleep(args.warmup)

            async with aiohttp.ClientSession() as session:
                metrics_url = f"http://{listen}/metrics"
                lag_params = [("name[]", f"{LAG_METRIC}_bucket")]

                async def scrape(params: list[tuple[str, str]], within: float) -> str | None:
                    """A filtered scrape; ``None`` when an overloaded daemon does not answer."""
                    try:
                        async with asyncio.timeout(within):
                            async with session.get(metrics_url, params=params) as response:
                                return await response.text()
                    except (TimeoutError, aiohttp.ClientError) as error:
                        log(f"ours: /metrics scrape failed: {type(error).__name__}")
                        return None

                spy: asyncio.subprocess.Process | None = None
                if profile is not None:
                    spy = await self.start_py_spy(process.pid, profile)
                sys0, srv0 = SystemCpu.read(), cpu_seconds(self.server_pid)
                own0 = cpu_seconds(os.getpid())
                each0 = [cpu_seconds(pid) for pid in pids]
                times0 = group_cpu_times(pids)
                cpu0, mono0, wall0 = sum(times0), time.monotonic(), datetime.now(UTC)
                log(f"ours: measuring for {args.duration:g} s")
                before = await scrape(lag_params, 5.0)
                await asyncio.sleep(max(0.0, mono0 + args.duration - time.monotonic()))
                times1 = group_cpu_times(pids)
                each1 = [cpu_seconds(pid) for pid in pids]
                cpu1, mono1, wall1 = sum(times1), time.monotonic(), datetime.now(UTC)
                sys1, srv1 = SystemCpu.read(), cpu_seconds(self.server_pid)
                own1 = cpu_seconds(os.getpid())
                process.send_signal(signal.SIGUSR1)  # the wrapper writes its records
                after = await scrape(lag_params, 5.0)
                result.peak_rss_mb = group_status_kb(pids, "VmHWM") / 1024
                if len(pids) > 1:
                    peaks = [f"{status_kb(pid, 'VmHWM') / 1024:.0f}" for pid in pids]
                    result.notes.append(
                        f"peak RSS MB: daemon {peaks[0]}, workers {', '.join(peaks[1:])}"
                    )
                result.rss_mb = group_status_kb(pids, "VmRSS") / 1024
                if spy is not None:
                    await self.finish_py_spy(spy, profile)
                result.window = mono1 - mono0
                result.cpu = cpu1 - cpu0
                if len(pids) > 1:
                    shares = [
                        f"{(b - a) / result.window:.0%}" for a, b in zip(each0, each1, strict=True)
                    ]
                    result.notes.append(
                        f"share of one core: daemon {shares[0]}, workers {', '.join(shares[1:])}"
                    )
                result.kernel_cpu = times1[1] - times0[1]
                result.server_cpu = (srv1 - srv0) / result.window
                result.machine_busy = sys1.cores_busy_since(sys0, result.window)
                result.bench_cpu = (own1 - own0) / result.window
                if before is not None and after is not None:
                    delta = bucket_delta(parse_buckets(before), parse_buckets(after))
                    result.lag_bucket = (bucket_quantile(delta, 0.5), bucket_quantile(delta, 0.99))
                # After the window: what the daemon's own gauges say.
                success = await scrape([("name[]", "probe_success")], 30.0)
                if success is not None:
                    ones = sum(
                        1
                        for line in success.splitlines()
                        if line.startswith("probe_success{") and float(line.split()[-1]) == 1
                    )
                    result.notes.append(f"probe_success 1 for {ones:,}/{targets:,} targets at end")
            for _ in range(300):  # the wrapper writes it within a moment of SIGUSR1
                if lag_file.exists():
                    break
                await asyncio.sleep(0.1)
            dispatch, start, done = read_lag_file(lag_file)
            result.lag_dispatch = _exact(dispatch, mono0, mono1)
            result.lag_start = _exact(start, mono0, mono1)
            outcomes = [ok for at, ok in done if mono0 <= at < mono1]
            result.probes = len(outcomes)
            result.failures = sum(1 for ok in outcomes if not ok)
            await asyncio.sleep(1.5)  # the writer flushes every 200 ms
            result.stored, result.stored_failures = count_rows(database, wall0, wall1)
            classes = error_classes(database)
            if classes:
                result.notes.append(f"stored failed results, whole run, by class: {classes}")
            for name in ("probe_failed", "store_write_failed", "store_buffer_full"):
                if name in events:
                    first = {k: v for k, v in events[name].items() if k not in ("level",)}
                    result.notes.append(f"first {name}: {first}")
            log("ours: SIGTERM")
            result.shutdown = await self.processes.stop(process, grace=args.shutdown_grace)
            if process.returncode == -signal.SIGKILL:
                result.notes.append(f"no exit within {args.shutdown_grace:g} s of SIGTERM: killed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader, 10)
            stopped = events.get("daemon_stopped", {})
            result.notes.append(
                f"daemon_stopped: seconds={stopped.get('seconds')} drained="
                f"{stopped.get('drained')} cancelled={stopped.get('cancelled')} "
                f"unwritten={stopped.get('unwritten')}; exit code {process.returncode}"
            )
            if args.source is not None or args.uvloop:
                where = events.get("bench_source", {})
                result.notes.append(
                    f"code from {Path(str(where.get('monitor'))).parent.parent}, "
                    f"{'uvloop' if args.uvloop else 'asyncio'} event loop"
                )
            noisy = {k: v for k, v in event_counts.items() if k not in _EXPECTED_EVENTS}
            if noisy:
                result.notes.append(f"other log events: {dict(noisy)}")
            for kind, count in other_lines.most_common(3):
                result.notes.append(f"{count:,} stdlib log lines like: {kind}")
        finally:
            await self.processes.stop(process, grace=30.0)
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        return result

    async def start_py_spy(self, pid: int, profile: Path) -> asyncio.subprocess.Process:
        spy_bin = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        log(f"profile: py-spy record --pid {pid} for {self.args.duration:g} s")
        return await self.processes.start(
            spy_bin,
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(self.args.profile_rate),
            "--duration",
            str(int(self.args.duration)),
            "--format",
            "raw",
            "--output",
            str(profile / "ours.collapsed"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    async def finish_py_spy(self, spy: asyncio.subprocess.Process, profile: Path | None) -> None:
        try:
            async with asyncio.timeout(30):
                await spy.wait()
        except TimeoutError:
            await self.processes.stop(spy)
        if profile is not None and (profile / "ours.collapsed").exists():
            log(f"profile: written to {profile / 'ours.collapsed'}")

    # -- blackbox -------------------------------------------------------------------------

    async def blackbox(self, targets: int) -> Result:
        args = self.args
        result = Result(f"blackbox {args.kind} {targets:,}", targets, args.interval)
        exporter = args.blackbox_bin
        phase_dir = self.workdir / f"blackbox-{targets}"
        phase_dir.mkdir()
        config = phase_dir / "blackbox.yml"
        config.write_text("modules:\n" + BLACKBOX_MODULES[args.kind])
        port = free_port()
        exporter_log = (phase_dir / "exporter.log").open("wb")
        spawned = time.monotonic()
        process = await self.processes.start(
            exporter,
            f"--config.file={config}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
            stdout=exporter_log,
            stderr=exporter_log,
        )
        loadgen: asyncio.subprocess.Process | None = None
        try:
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as session:
                async with asyncio.timeout(30):
                    while True:
                        if process.returncode is not None:
                            raise RuntimeError(f"{exporter} exited with {process.returncode}")
                        with contextlib.suppress(aiohttp.ClientError):
                            async with session.get(f"{base}/-/healthy") as response:
                                if response.status == 200:
                                    break
                        await asyncio.sleep(0.05)
                result.startup = time.monotonic() - spawned
                target = quote(blackbox_target(args.kind, self.ports, 0), safe="")
                probe = f"{base}/probe?target={target}&module={args.kind}"
                async with session.get(probe) as response:
                    sample = await response.text()
                if "\nprobe_success 1\n" not in sample:
                    raise RuntimeError(f"blackbox exporter does not probe successfully:\n{sample}")
            begin = time.monotonic() + 1.0
            window = (begin + args.warmup, begin + args.warmup + args.duration)
            log(f"blackbox: exporter {process.pid} on {base}; load generator {targets:,} targets")
            loadgen = await self.processes.start(
                sys.executable,
                str(HERE),
                "_loadgen",
                f"--exporter={base}",
                f"--target-port={self.ports.http}",
                f"--dns-port={self.ports.dns}",
                f"--kind={args.kind}",
                f"--targets={targets}",
                f"--interval={args.interval}",
                f"--start-at={begin}",
                f"--seconds={args.warmup + args.duration + 1.0}",
                f"--window-start={window[0]}",
                f"--window-end={window[1]}",
                f"--concurrency={args.loadgen_concurrency}",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            log(f"blackbox: warming up for {args.warmup:g} s")
            await asyncio.sleep(max(0.0, window[0] - time.monotonic()))
            sys0, srv0 = SystemCpu.read(), cpu_seconds(self.server_pid)
            own0 = cpu_seconds(os.getpid())
            times0 = cpu_times(process.pid)
            cpu0, gen0, mono0 = sum(times0), cpu_seconds(loadgen.pid), time.monotonic()
            log(f"blackbox: measuring for {args.duration:g} s")
            await asyncio.sleep(max(0.0, window[1] - time.monotonic()))
            times1 = cpu_times(process.pid)
            cpu1, gen1, mono1 = sum(times1), cpu_seconds(loadgen.pid), time.monotonic()
            sys1, srv1 = SystemCpu.read(), cpu_seconds(self.server_pid)
            own1 = cpu_seconds(os.getpid())
            result.peak_rss_mb = status_kb(process.pid, "VmHWM") / 1024
            result.rss_mb = status_kb(process.pid, "VmRSS") / 1024
            result.window = mono1 - mono0
            result.cpu = cpu1 - cpu0
            result.kernel_cpu = times1[1] - times0[1]
            result.loadgen_cpu = (gen1 - gen0) / result.window
            result.server_cpu = (srv1 - srv0) / result.window
            result.machine_busy = sys1.cores_busy_since(sys0, result.window)
            result.bench_cpu = (own1 - own0) / result.window
            async with asyncio.timeout(60):
                out, err = await loadgen.communicate()
            if loadgen.returncode != 0:
                raise RuntimeError(f"load generator failed: {err.decode(errors='replace')}")
            summary = json.loads(out.decode().strip().splitlines()[-1])
            counted: dict[str, int] = summary["in_window"]
            result.probes = sum(counted.values())
            result.failures = result.probes - counted.get("success", 0)
            result.notes.append(
                f"load generator: sent {summary['sent']:,}, /probe latency p50 "
                f"{summary['latency_p50'] * 1000:.1f} ms p99 {summary['latency_p99'] * 1000:.1f}"
                f" ms, issue lag p99 {summary['issue_lag_p99'] * 1000:.1f} ms, errors "
                f"{summary['errors'] or 'none'}"
            )
            result.shutdown = await self.processes.stop(process)
        finally:
            if loadgen is not None:
                await self.processes.stop(loadgen, grace=5.0)
            await self.processes.stop(process, grace=5.0)
            exporter_log.close()
        return result


_EXPECTED_EVENTS = frozenset(
    {"bench_source", "daemon_started", "probe_succeeded", "store_writer_stopped", "daemon_stopped"}
)


def _exact(
    pairs: list[tuple[float, float]], start: float, end: float
) -> tuple[float, float, float]:
    values = [lag for at, lag in pairs if start <= at < end]
    return quantile(values, 0.5), quantile(values, 0.99), max(values, default=math.nan)


def count_rows(database: Path, start: datetime, end: datetime) -> tuple[int, int]:
    """Results (and failed results) whose probe started within ``[start, end)``."""
    low = start.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME)
    high = end.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME)
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT count(*), coalesce(sum(ok = 0), 0) FROM probe_results "
            "WHERE started_at >= ? AND started_at < ?",
            (low, high),
        ).fetchone()
    return int(row[0]), int(row[1])


def error_classes(database: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT error_class, count(*) FROM probe_results WHERE NOT ok GROUP BY error_class"
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


# --- the table -----------------------------------------------------------------------------


def _fmt(value: float, spec: str) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else (format(value, spec))
    )


def _ms(values: Iterable[float]) -> str:
    parts = [_fmt(v * 1000, ".1f") for v in values]
    return " / ".join(parts) if any(p != "-" for p in parts) else "-"


def table(results: list[Result], args: argparse.Namespace) -> str:
    rows: list[tuple[str, Callable[[Result], str]]] = [
        ("targets x interval", lambda r: f"{r.targets:,} x {r.interval:g} s"),
        ("measured window (s)", lambda r: _fmt(r.window, ".1f")),
        ("probes completed in window", lambda r: f"{r.probes:,}"),
        (
            "probes/s achieved (planned)",
            lambda r: f"{_fmt(r.rate, '.1f')} ({r.targets / r.interval:g})",
        ),
        ("failed probes", lambda r: f"{r.failures:,}"),
        (
            "results stored in window (failed)",
            lambda r: f"{r.stored:,} ({r.stored_failures:,})" if r.stored >= 0 else "-",
        ),
        ("CPU s in window", lambda r: _fmt(r.cpu, ".2f")),
        ("CPU s per 1,000 probes", lambda r: _fmt(r.cpu_per_1000, ".3f")),
        (
            "of which kernel (stime) %",
            lambda r: _fmt(r.kernel_cpu / r.cpu * 100 if r.cpu else math.nan, ".0f"),
        ),
        (
            "share of one core",
            lambda r: (
                _fmt(r.core_share * 100, ".1f") + " %" if not math.isnan(r.core_share) else "-"
            ),
        ),
        ("lag p50/p99 ms, bucket-interp.", lambda r: _ms(r.lag_bucket)),
        ("lag p50/p99/max ms, exact, at task start", lambda r: _ms(r.lag_dispatch)),
        ("dispatcher timer late p50/p99/max ms", lambda r: _ms(r.lag_start)),
        ("peak RSS (VmHWM) MB", lambda r: _fmt(r.peak_rss_mb, ".1f")),
        ("RSS at window end (VmRSS) MB", lambda r: _fmt(r.rss_mb, ".1f")),
        ("start-up s (to ready)", lambda r: _fmt(r.startup, ".2f")),
        ("shutdown s (SIGTERM to exit)", lambda r: _fmt(r.shutdown, ".2f")),
        ("target server, cores", lambda r: _fmt(r.server_cpu, ".3f")),
        ("load generator, cores", lambda r: _fmt(r.loadgen_cpu, ".3f")),
        ("bench script itself, cores", lambda r: _fmt(r.bench_cpu, ".3f")),
        ("machine busy, cores of 2", lambda r: _fmt(r.machine_busy, ".2f")),
        ("other tenants' load, cores", lambda r: _fmt(r.other_load, ".2f")),
    ]
    width = max(len(label) for label, _ in rows) + 2
    columns = [[label for label, _ in rows]] + [[get(r) for _, get in rows] for r in results]
    col_width = [
        max(len(r.name), *(len(c) for c in col)) + 2
        for r, col in zip(results, columns[1:], strict=True)
    ]
    lines = [
        f"sla-monitor probe benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, warm-up {args.warmup:g} s, window {args.duration:g} s",
        "".ljust(width) + "".join(r.name.rjust(w) for r, w in zip(results, col_width, strict=True)),
    ]
    for index, (label, _) in enumerate(rows):
        cells = "".join(col[index].rjust(w) for col, w in zip(columns[1:], col_width, strict=True))
        lines.append(label.ljust(width) + cells)
    by_size: dict[int, dict[str, Result]] = {}
    for r in results:
        by_size.setdefault(r.targets, {})[
            "blackbox" if r.name.startswith("blackbox") else "ours"
        ] = r
    lines.append("")
    for size, pair in by_size.items():
        if "ours" in pair and "blackbox" in pair:
            ratio = pair["ours"].cpu_per_1000 / pair["blackbox"].cpu_per_1000
            lines.append(
                f"ratio ours / blackbox, CPU per 1,000 probes at {size:,} targets: "
                f"{ratio:.2f}  (goal <= 0.50)"
            )
    lines.append("")
    for r in results:
        for note in r.notes:
            lines.append(f"{r.name}: {note}")
    return "\n".join(lines)


# --- profile summary ------------------------------------------------------------------------

# Leaf-most owner wins: a stack is charged to the nearest frame (from the leaf up) that
# belongs to one of these; stdlib frames (asyncio, datetime, uuid ...) are transparent and
# go to their caller, so asyncio work started by aiohttp counts as aiohttp.
PROFILE_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("structlog logging", ("structlog/",)),
    ("metrics updates (prometheus_client)", ("prometheus_client/", "monitor/probing/metrics.py")),
    ("record validation (store/records.py)", ("store/records.py",)),
    (
        "store write (SQLAlchemy, aiosqlite, SQLite)",
        ("sqlalchemy/", "aiosqlite/", "store/store.py", "store/engine.py"),
    ),
    ("writer enqueue/batching", ("store/writer.py", "monitor/probing/recording.py")),
    ("outage + coverage tracking (monitor/sla)", ("monitor/sla/",)),
    (
        "HTTP probe (aiohttp, yarl, multidict, probes/)",
        ("aiohttp/", "yarl/", "multidict/", "probes/"),
    ),
    ("APScheduler dispatch", ("apscheduler/",)),
    (
        "runner + scheduler glue (monitor/)",
        (
            "monitor/probing/runner.py",
            "monitor/probing/scheduler.py",
            "monitor/daemon/",
            "monitor/server/web.py",
        ),
    ),
    ("bench hooks (bench/probes.py)", ("timed_dispatch (", "recording_observe (")),
)


def _frame_key(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)


# py-spy cannot tell idle threads apart in this container (it reports the event loop's epoll
# wait and the aiosqlite thread's queue wait as running), so a sample whose leaf line is a
# blocking wait is dropped here; the count is printed next to the CPU-based expectation.
_IDLE_LINE = re.compile(
    r"(_selector\.poll\(|\btx\.get\(|work_queue\.get\(|\.acquire\(|\.wait\(|time\.sleep\()"
)
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]+):(?P<line>\d+)\)$")


def _is_idle(frame: str) -> bool:
    match = _FRAME.match(frame)
    if match is None:
        return False
    relative, number = match["file"], int(match["line"])
    for base in sys.path:
        candidate = Path(base or ".") / relative
        if candidate.is_file():
            return bool(_IDLE_LINE.search(linecache.getline(str(candidate), number)))
    return False


# Frames every stack of a thread passes through; leaving them out of "inclusive" shows the work.
_ROOT = re.compile(
    r"^(<module> |main |daemon_role |run \((asyncio/runners|monitor/commands/run)\.py|"
    r"Runner\.run |BaseEventLoop\.(run_until_complete|run_forever|_run_once) |"
    r"Thread\.(run|_bootstrap|_bootstrap_inner) |_connection_worker_thread )"
)


def summarize_profile(path: Path, rate: int = 0, top: int = 25) -> str:
    stacks: list[tuple[list[str], int]] = []
    for line in path.read_text().splitlines():
        stack, _, tally = line.rpartition(" ")
        if stack and tally.isdigit():
            stacks.append((stack.split(";"), int(tally)))
    idle_cache: dict[str, bool] = {}
    busy: list[tuple[list[str], int]] = []
    idle = 0
    for frames, count in stacks:
        leaf = frames[-1] if frames else ""
        if leaf not in idle_cache:
            idle_cache[leaf] = _is_idle(leaf)
        if idle_cache[leaf]:
            idle += count
        else:
            busy.append((frames, count))
    stacks = busy
    total = sum(count for _, count in stacks)
    if not total:
        return "profile: no samples"
    categories = Counter[str]()
    inclusive = Counter[str]()
    self_time = Counter[str]()
    for frames, count in stacks:
        owner = "event loop + other stdlib (asyncio, selectors, ...)"
        for frame in reversed(frames):
            hit = next(
                (name for name, pats in PROFILE_CATEGORIES if any(p in frame for p in pats)), None
            )
            if hit is not None:
                owner = hit
                break
        categories[owner] += count
        for key in {_frame_key(f) for f in frames}:
            inclusive[key] += count
        if frames:
            self_time[_frame_key(frames[-1])] += count
    seconds = f" = {total / rate:.1f} s of CPU at {rate} Hz" if rate else ""
    out = [
        f"profile {path}: {total:,} busy samples{seconds}, all threads "
        f"({idle:,} idle-wait samples dropped)",
        "",
        "by component (each sample charged to the nearest owning frame from the leaf up):",
    ]
    for name, count in categories.most_common():
        out.append(f"  {count / total * 100:5.1f} %  {name}")
    out += ["", f"top {top} inclusive:"]
    below_loop = [(k, c) for k, c in inclusive.most_common() if not _ROOT.search(k)]
    for key, count in below_loop[:top]:
        out.append(f"  {count / total * 100:5.1f} %  {key}")
    out += ["", f"top {top} self:"]
    for key, count in self_time.most_common(top):
        out.append(f"  {count / total * 100:5.1f} %  {key}")
    return "\n".join(out)


# --- main ----------------------------------------------------------------------------------


async def run_bench(args: argparse.Namespace) -> int:
    processes = Processes()
    workdir = Path(tempfile.mkdtemp(prefix="sla-bench-"))
    results: list[Result] = []
    try:
        server = await processes.start(
            sys.executable,
            str(HERE),
            "_serve",
            f"--lifetime={args.lifetime}",
            stdout=asyncio.subprocess.PIPE,
        )
        assert server.stdout is not None
        async with asyncio.timeout(30):
            http_port, dns_port = map(int, (await server.stdout.readline()).decode().split())
        ports = Ports(http_port, dns_port)
        log(f"target server {server.pid} on 127.0.0.1:{http_port} (TCP), :{dns_port} (DNS)")
        bench = Bench(args, processes, server.pid, ports, workdir)
        sizes = [args.targets]
        if args.also_10k and 10_000 not in sizes:
            sizes.append(10_000)
        if args.also_20k and 20_000 not in sizes:
            sizes.append(20_000)
        own = (os.getpid(), server.pid)
        for index, size in enumerate(sizes):
            profile = args.profile if index == 0 else None
            quiet = await wait_for_quiet(args.quiet_below, args.quiet_wait, own)
            results.append(await bench.ours(size, profile))
            results[-1].notes.insert(0, f"before the phase: {quiet}")
            print(table(results, args), file=sys.stderr)
            if args.blackbox and (size < 10_000 or args.blackbox_10k):
                quiet = await wait_for_quiet(args.quiet_below, args.quiet_wait, own)
                results.append(await bench.blackbox(size))
                results[-1].notes.insert(0, f"before the phase: {quiet}")
                print(table(results, args), file=sys.stderr)
        await processes.stop(server)
        if server.stdout is not None:
            tail = (await server.stdout.read()).decode().strip()
            if tail:
                log(f"target server: {tail}")
    finally:
        await processes.stop_all()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(results, args))
    if args.profile is not None and (args.profile / "ours.collapsed").exists():
        print()
        print(summarize_profile(args.profile / "ours.collapsed", args.profile_rate))
    return 0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the probe path of sla-monitor against blackbox_exporter."
    )
    parser.add_argument("--targets", type=int, default=1000, help="targets (default 1000)")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument(
        "--kind", choices=KINDS, default="http", help="probe kind on both sides (default http)"
    )
    parser.add_argument("--duration", type=float, default=120.0, help="window, s (default 120)")
    parser.add_argument(
        "--warmup", type=float, help="seconds before the window (default: 1 interval)"
    )
    parser.add_argument("--also-10k", action="store_true", help="then 10,000 targets too")
    parser.add_argument("--also-20k", action="store_true", help="then 20,000 targets too")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="probe worker processes of our daemon (SLA_MONITOR_WORKERS; default 0)",
    )
    parser.add_argument(
        "--no-blackbox", dest="blackbox", action="store_false", help="measure ours only"
    )
    parser.add_argument(
        "--no-blackbox-10k",
        dest="blackbox_10k",
        action="store_false",
        help="skip the exporter at 10,000 targets",
    )
    parser.add_argument(
        "--blackbox-bin",
        default=shutil.which("prometheus-blackbox-exporter")
        or "/usr/bin/prometheus-blackbox-exporter",
    )
    parser.add_argument("--loadgen-concurrency", type=int, default=64)
    parser.add_argument("--startup-timeout", type=float, default=300.0)
    parser.add_argument("--shutdown-grace", type=float, default=90.0, help="then SIGKILL")
    parser.add_argument("--profile", type=Path, help="py-spy the first 'ours' window into DIR")
    parser.add_argument("--profile-rate", type=int, default=250, help="samples/s (py-spy)")
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=0.3,
        help="before each phase, wait until other processes use fewer cores (default 0.3)",
    )
    parser.add_argument("--quiet-wait", type=float, default=300.0, help="at most, s")
    parser.add_argument(
        "--source",
        type=Path,
        help="experiments: a directory holding modified copies of monitor/ and probes/, "
        "put first on the daemon's PYTHONPATH",
    )
    parser.add_argument("--uvloop", action="store_true", help="experiments: run on uvloop")
    parser.add_argument("--label", default="ours", help="column name for our daemon")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.warmup is None:
        args.warmup = args.interval
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    phases = (1 + args.also_10k + args.also_20k) * (2 if args.blackbox else 1)
    # The target server stops by itself even if everything else goes wrong.
    args.lifetime = (
        phases * (args.warmup + args.duration + 120 + args.quiet_wait + args.shutdown_grace)
        + args.startup_timeout
        + 300
    )
    return args


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_daemon":
        return daemon_role()
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve = argparse.ArgumentParser()
        serve.add_argument("--lifetime", type=float, default=3600.0)
        asyncio.run(serve_role(serve.parse_args(sys.argv[2:]).lifetime))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_loadgen":
        gen = argparse.ArgumentParser()
        for name in ("--exporter", "--kind"):
            gen.add_argument(name, required=True)
        for name in ("--target-port", "--dns-port", "--targets", "--concurrency"):
            gen.add_argument(name, type=int, required=True)
        for name in ("--interval", "--start-at", "--seconds", "--window-start", "--window-end"):
            gen.add_argument(name, type=float, required=True)
        asyncio.run(loadgen_role(gen.parse_args(sys.argv[2:])))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_summarize":  # re-read a py-spy raw profile
        rate = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        print(summarize_profile(Path(sys.argv[2]), rate))
        return 0
    args = parse_args(sys.argv[1:])
    if args.blackbox and not Path(args.blackbox_bin).exists():
        log(
            f"{args.blackbox_bin} not found: apt-get install prometheus-blackbox-exporter, "
            "or --no-blackbox"
        )
        return 2
    with asyncio.Runner() as runner:
        loop = runner.get_loop()
        task: asyncio.Task[int] | None = None

        async def guarded() -> int:
            nonlocal task
            task = asyncio.current_task()
            loop.add_signal_handler(signal.SIGTERM, lambda: task.cancel() if task else None)
            return await run_bench(args)

        try:
            return runner.run(guarded())
        except (KeyboardInterrupt, asyncio.CancelledError):
            log("interrupted; every started process was stopped")
            return 130


if __name__ == "__main__":
    sys.exit(main())
