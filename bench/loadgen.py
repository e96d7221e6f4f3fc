"""A closed-loop HTTP/1.1 load generator on loopback, standard library only.

``bench/run.py`` starts it as its own process (so it does not share an interpreter or a GIL with the
harness) for each measurement::

    python -m bench.loadgen '{"port": 8123, "path": "/bench/bare", "concurrency": 8, "duration": 4}'

Every connection is opened first, then each sends a request, waits for the whole response and sends
the next one (keep-alive), until ``duration`` seconds have passed or ``max_requests`` were sent. It
prints one JSON object: request and error counts, status codes, throughput and latency percentiles.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

HOST = "127.0.0.1"  # loopback only, always


@dataclass(frozen=True)
class LoadConfig:
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    concurrency: int = 8
    duration: float = 4.0
    max_requests: int = 200_000
    timeout: float = 10.0  # per request: a stuck server ends the run instead of hanging it

    def request_bytes(self) -> bytes:
        lines = [
            f"GET {self.path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            "User-Agent: flipside-bench",
            # JSON unless the caller asks otherwise (pages: "Accept: text/html"); a session cookie
            # goes in as a header too ({"Cookie": "sessionid=…"}).
            *(
                ["Accept: application/json"]
                if not any(name.lower() == "accept" for name in self.headers)
                else []
            ),
            *(f"{name}: {value}" for name, value in self.headers.items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    error_samples: list[str] = field(default_factory=list)


@dataclass
class _Tally:
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: bytes) -> tuple[int, bool]:
        """Send one request, read the whole response; return (status, server closes)."""
        self.writer.write(request)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length: int | None = None
        chunked = False
        closes = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value
            elif name == b"connection":
                closes = value == b"close"
        if chunked:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)  # data and its CRLF (last: the empty line)
                if size == 0:
                    break
        elif length is not None:
            await self.reader.readexactly(length)
        else:
            await self.reader.read()  # body delimited by the end of the connection
            closes = True
        return status, closes


async def _client(
    config: LoadConfig, connection: _Connection | None, deadline: float, tally: _Tally
) -> None:
    request = config.request_bytes()
    while time.perf_counter() < deadline and tally.sent < config.max_requests:
        tally.sent += 1
        started = time.perf_counter()
        try:
            if connection is None:
                connection = await _Connection.open(config.port)
            status, closes = await asyncio.wait_for(connection.exchange(request), config.timeout)
        except (OSError, ValueError, IndexError, TimeoutError, asyncio.IncompleteReadError) as exc:
            tally.errors.append(f"{type(exc).__name__}: {exc}")
            if connection is not None:
                connection.close()
            connection = None
            continue
        tally.latencies.append(time.perf_counter() - started)
        tally.statuses[status] += 1
        if closes:
            connection.close()
            connection = None
    if connection is not None:
        connection.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


async def run_load(config: LoadConfig) -> LoadResult:
    connections = [await _Connection.open(config.port) for _ in range(config.concurrency)]
    tally = _Tally()
    started = time.perf_counter()
    deadline = started + config.duration
    await asyncio.gather(*(_client(config, conn, deadline, tally) for conn in connections))
    elapsed = time.perf_counter() - started
    latencies = sorted(tally.latencies)
    return LoadResult(
        requests=len(latencies),
        errors=len(tally.errors),
        statuses={str(code): count for code, count in sorted(tally.statuses.items())},
        elapsed=elapsed,
        rps=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=statistics.median(latencies) * 1000 if latencies else 0.0,
        p90_ms=percentile(latencies, 0.90) * 1000,
        p95_ms=percentile(latencies, 0.95) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        max_ms=(latencies[-1] if latencies else 0.0) * 1000,
        error_samples=sorted(set(tally.errors))[:5],
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    raw: dict[str, Any] = json.loads(argv[0])
    config = LoadConfig(**raw)
    if config.concurrency < 1 or config.duration <= 0 or config.max_requests < 1:
        print("loadgen: concurrency, duration and max_requests must be positive", file=sys.stderr)
        return 2
    result = asyncio.run(run_load(config))
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
