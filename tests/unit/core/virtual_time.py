"""Simulated time for many coroutines: nothing really sleeps, and sleepers wake in time order."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import TypeVar

from ftclient._core.gate import RateGate

T = TypeVar("T")


class VirtualTime:
    """A clock and a ``sleep`` for code under test, and :meth:`run` to drive them.

    ``sleep(s)`` parks the caller until the clock reaches ``now + s``. :meth:`run` lets every
    runnable coroutine reach its next ``sleep``, then moves the clock to the earliest deadline and
    wakes whoever is due, until the awaited work is done.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        wake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, seconds), next(self._order), wake))
        await wake

    async def run(self, work: Awaitable[T], *, max_steps: int = 50_000) -> T:
        task = asyncio.ensure_future(work)
        for _ in range(max_steps):
            for _ in range(8):  # let everything runnable reach its next sleep
                await asyncio.sleep(0)
            if task.done():
                return task.result()
            if not self._timers:
                raise AssertionError("deadlock: nothing runnable and nobody sleeping")
            self.now = max(self.now, self._timers[0][0])
            while self._timers and self._timers[0][0] <= self.now:
                wake = heapq.heappop(self._timers)[2]
                if not wake.done():
                    wake.set_result(None)
        task.cancel()
        raise AssertionError(f"not done after {max_steps} steps")


class FakeTime:
    """A clock and a ``sleep`` that moves it, for one coroutine at a time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def warm(fake: FakeTime, gate: RateGate, accepted: int = 100) -> None:
    """``accepted`` 2xx answers over the last second (the gate has a rate to back off from)."""
    for _ in range(accepted):
        gate.on_response(200, {}, sent_at=fake.now)
        fake.now += 1.0 / accepted
