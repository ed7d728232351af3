"""The rate gate against limiters that answer 429 with no hint at all, in simulated time.

The transport's part is played as it is: a pool of 100 slots, the gate passed inside a slot, one
simulated round trip, then up to ``max_retries`` retries after the policy's backoff. The limiters
run on the same simulated clock: a token bucket of 100 requests/s with a burst of 100, and a
fixed window of 100 requests per second. The goal (issue 8): 2,000 polls at 200 concurrent
sustain >= 90% of the limit with <= 5% answered 429 (the bucket; the window's first second
alone refuses 100 of the ~2,100 requests).
"""

from __future__ import annotations

import asyncio
import math

import pytest

import ftclient
from ftclient._core.gate import RateGate
from ftclient._core.runner import retry_waits
from tests.unit.core.virtual_time import VirtualTime

POLICY = ftclient.RetryPolicy(jitter=False)  # the same waits every run


class Limiter:
    """``rate`` requests/s, burst ``rate``; a refused request gets a bare 429."""

    def __init__(self, time: VirtualTime, rate: float) -> None:
        self.time, self.rate = time, rate
        self.tokens, self.updated = rate, time.now
        self.requests = self.refused = 0

    def answer(self) -> int:
        now = self.time.now
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.requests += 1
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 200
        self.refused += 1
        return 429


class WindowLimiter(Limiter):
    """At most ``rate`` requests in each whole second of the clock (a fixed window)."""

    window = -1

    def answer(self) -> int:
        window = math.floor(self.time.now)
        if window != self.window:
            self.window, self.tokens = window, self.rate
        self.updated = self.time.now  # no refill within a window
        return super().answer()


async def poll_all(
    gate: RateGate, time: VirtualTime, limiter: Limiter, *, polls: int, concurrency: int
) -> int:
    """Run ``polls`` polls on ``concurrency`` workers; return how many failed for good."""
    slots = asyncio.Semaphore(100)
    todo = iter(range(polls))
    failed = 0

    async def poll() -> bool:
        waits = retry_waits(POLICY)
        for attempt in range(POLICY.max_retries + 1):
            async with slots:
                sent_at = await gate.acquire()
                gate.in_flight += 1
                await time.sleep(0.001)
                status = limiter.answer()
                await time.sleep(0.001)
                gate.in_flight -= 1
            gate.on_response(status, {}, sent_at=sent_at)
            if status == 200:
                return True
            if attempt < POLICY.max_retries:
                await time.sleep(next(waits))
        return False

    async def worker() -> None:
        nonlocal failed
        for _ in todo:
            failed += not await poll()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return failed


@pytest.mark.parametrize(
    ("limiter", "phase", "max_429"),
    [
        (Limiter, 0.0, 0.05),
        (Limiter, 0.5, 0.05),
        # A fixed window refuses until the second is over: the gate pauses (doubling from
        # 10 ms) instead of lowering the rate; the first window's burst alone is 100 refusals.
        (WindowLimiter, 0.0, 0.055),
        (WindowLimiter, 0.3, 0.055),
        (WindowLimiter, 0.9, 0.055),
    ],
)
async def test_no_hint_limiter_is_held_at_its_rate_with_few_429s(
    limiter: type[Limiter], phase: float, max_429: float
) -> None:
    time = VirtualTime(1000.0 + phase)
    gate = RateGate(clock=time.clock, sleep=time.sleep)
    server = limiter(time, 100.0)
    start = time.now
    failed = await time.run(poll_all(gate, time, server, polls=2000, concurrency=200))
    elapsed = time.now - start
    assert failed == 0
    # Beyond the initial burst of 100, per second, as a share of the limit.
    sustained = (2000 - 100) / elapsed / 100.0
    assert sustained >= 0.90, f"{sustained:.0%} of the limit in {elapsed:.1f} s"
    assert server.refused / server.requests <= max_429, (server.refused, server.requests)
    assert gate.throttled == server.refused
