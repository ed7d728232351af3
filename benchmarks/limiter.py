"""A rate limiter that gives no hints, run in its own process for the ``nohint`` scenario.

``python -m benchmarks.limiter --rate R`` binds 127.0.0.1 on a free port and answers
``GET /v1/fine_tuning/jobs/{id}`` with the job document of ``benchmarks.server``, through a token
bucket of ``R`` requests/s with a burst of ``R`` (``--window``: at most ``R`` in each whole
second instead): a request beyond it gets a bare 429, with no
``Retry-After``, no ``retry-after-ms`` and no ``x-ratelimit-*`` headers, so a client can only
learn the limit from the refusals themselves. It prints ``{"url", "jobs", "burst"}`` on one line;
each line ``stats`` on stdin prints ``{"requests", "rate_limited"}`` so far; EOF stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from benchmarks.server import Bodies, _Protocol, _response

_REFUSED = _response(
    b"429 Too Many Requests",
    b'{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}',
)
JOBS = 20


class Bucket:
    """``rate`` tokens a second, at most ``rate`` banked; counts what it answered."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.updated = time.monotonic()
        self.requests = 0
        self.refused = 0

    def refill(self, now: float) -> None:
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)

    def take(self) -> bool:
        now = time.monotonic()
        self.refill(now)
        self.updated = now
        self.requests += 1
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        self.refused += 1
        return False


class Window(Bucket):
    """At most ``rate`` requests in each whole second (a fixed window): no refill within it."""

    def refill(self, now: float) -> None:
        if int(now) != int(self.updated):
            self.tokens = self.rate


class _Limited(_Protocol):
    def __init__(self, bodies: Bodies, bucket: Bucket) -> None:
        super().__init__(bodies)
        self.bucket = bucket

    def answer(self, request_line: bytes) -> bytes:
        return super().answer(request_line) if self.bucket.take() else _REFUSED


async def serve(rate: float, window: bool) -> None:
    bodies = Bodies(0)
    bucket = Window(rate) if window else Bucket(rate)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Limited(bodies, bucket), "127.0.0.1", 0, backlog=4096, reuse_address=True
    )
    port = server.sockets[0].getsockname()[1]
    jobs = [f"ftjob-bench{i:06d}" for i in range(JOBS)]
    url = f"http://127.0.0.1:{port}/v1"
    print(json.dumps({"url": url, "jobs": jobs, "burst": rate}), flush=True)
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "stats":
            stats = {"requests": bucket.requests, "rate_limited": bucket.refused}
            print(json.dumps(stats), flush=True)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="hint-less rate limiter (127.0.0.1 only)")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--window", action="store_true", help="a fixed window, not a bucket")
    args = parser.parse_args()
    asyncio.run(serve(args.rate, args.window))


if __name__ == "__main__":
    main()
