"""The emulator's clock follows the event loop's clock (and so looptime's), or stands still."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import looptime
import pytest

from ftclient.testing import FineTuningEmulator, SimulatedClock, _clock
from ftclient.testing._ratelimit import TokenBucket

T = TypeVar("T")


def on_looptime(scenario: Callable[[], Awaitable[T]], **options: object) -> T:
    """Run ``scenario`` on a looptime loop (fake time from 0; sleeps take no real time)."""
    loop = looptime.new_event_loop(**{"start": 0, **options})
    try:
        return loop.run_until_complete(scenario())
    finally:
        loop.close()


def test_a_still_clock_moves_only_when_advanced() -> None:
    clock = SimulatedClock(start=1_000, speed=0)
    assert clock.now() == 1_000
    assert clock.advance(2.5) == 1_002.5
    assert clock.now() == 1_002.5
    assert clock.advance(0) == clock.advance(0.25) - 0.25 == 1_002.5
    assert clock.speed == 0
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


@pytest.mark.parametrize("speed", [-1, float("nan"), "fast", True])
def test_speed_must_be_a_number_at_least_zero(speed: object) -> None:
    with pytest.raises(ValueError, match="speed must be a number >= 0"):
        SimulatedClock(speed=speed)  # type: ignore[arg-type]


def test_default_start_is_wall_clock() -> None:
    assert abs(SimulatedClock().now() - time.time()) < 5


def test_the_clock_follows_the_loops_clock_with_its_speed() -> None:
    async def scenario() -> tuple[float, float, float]:
        normal, fast = SimulatedClock(start=0), SimulatedClock(start=0, speed=60)
        await asyncio.sleep(90)
        after_sleep = normal.now()
        normal.advance(10)
        return after_sleep, normal.now(), fast.now()

    after_sleep, advanced, fast = on_looptime(scenario)
    assert after_sleep == pytest.approx(90, abs=0.01)
    assert advanced == pytest.approx(100, abs=0.01)
    assert fast == pytest.approx(5_400, abs=0.6)


def test_outside_a_loop_it_follows_the_monotonic_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    real = [500.0]
    monkeypatch.setattr(_clock.time, "monotonic", lambda: real[0])
    clock = SimulatedClock(start=0, speed=2)
    real[0] += 3
    assert clock.now() == 6
    real[0] -= 1  # a clock that went back never takes simulated time back
    assert clock.now() == 6


def test_a_plain_loop_shares_the_monotonic_timeline(monkeypatch: pytest.MonkeyPatch) -> None:
    real = [500.0]
    monkeypatch.setattr(_clock.time, "monotonic", lambda: real[0])
    clock = SimulatedClock(start=0)

    async def read_later() -> float:
        real[0] += 3
        return clock.now()

    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(read_later()) == 3
    finally:
        loop.close()


def test_a_second_looptime_loop_is_a_timeline_of_its_own() -> None:
    clock = SimulatedClock(start=0)

    async def sleep(seconds: float) -> float:
        clock.now()  # the clock sees this loop's timeline from here on
        await asyncio.sleep(seconds)
        return clock.now()

    first = on_looptime(lambda: sleep(600))
    second = on_looptime(lambda: sleep(100), start=10_000)  # no jump to 10,000 to follow
    assert first == pytest.approx(600, abs=1)
    assert second - first == pytest.approx(100, abs=1)


def test_looptime_switching_its_fake_time_on_and_off_moves_nothing() -> None:
    # pytest's looptime plugin sets fixtures up in real time, then runs the test in fake time
    # starting at 0: the loop's clock jumps back, and forward again after the test.
    async def scenario() -> list[float]:
        loop = asyncio.get_running_loop()
        clock = SimulatedClock(start=0)
        seen = [clock.now()]
        with loop.looptime_enabled():  # type: ignore[attr-defined]
            seen.append(clock.now())
            await asyncio.sleep(600)
            seen.append(clock.now())
        seen.append(clock.now())
        return seen

    loop = asyncio.new_event_loop()
    looptime.patch_event_loop(loop, _enabled=False)
    try:
        before, at_start, after_sleep, after = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert at_start - before < 1
    assert after_sleep - at_start == pytest.approx(600, abs=0.01)
    assert after - after_sleep < 1


def test_jobs_progress_as_the_loop_sleeps() -> None:
    async def scenario() -> list[str]:
        async with FineTuningEmulator() as emu:
            job = emu.add_job()
            statuses = [emu.job_json(job["id"])["status"]]
            for seconds in (5, 10, 3_600):
                await asyncio.sleep(seconds)
                statuses.append(emu.job_json(job["id"])["status"])
        return statuses

    assert on_looptime(scenario) == ["validating_files", "queued", "running", "succeeded"]


def test_the_rate_limit_refills_on_the_loops_clock() -> None:
    async def scenario() -> list[bool]:
        bucket = TokenBucket(2)
        allowed = [bucket.acquire()[0] for _ in range(3)]
        refused = bucket.acquire()[1]
        await asyncio.sleep(float(refused["retry-after"]))
        return [*allowed, bucket.acquire()[0]]

    assert on_looptime(scenario) == [True, True, False, True]


async def test_a_shared_clock_is_used_as_given() -> None:
    clock = SimulatedClock(start=5_000, speed=0)
    async with FineTuningEmulator(clock=clock) as emu:
        assert emu.clock is clock
        assert emu.add_job()["created_at"] == 5_000
