"""The rate gate's rules one by one: the header bucket, the meter, the cubic curve, the queue."""

from __future__ import annotations

import asyncio
import math

import pytest

import ftclient
from ftclient._core.gate import RateGate, _Meter, rate_headers
from tests.unit.core.virtual_time import FakeTime, VirtualTime, warm


def bucket(limit: str, remaining: str, reset: str) -> dict[str, str]:
    return {
        "x-ratelimit-limit-requests": limit,
        "x-ratelimit-remaining-requests": remaining,
        "x-ratelimit-reset-requests": reset,
    }


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (bucket("100", "2", "1.96s"), (100.0, 2.0, 1.96)),
        (bucket("10", "0", "0.5s"), (10.0, 0.0, 0.5)),
        (bucket("1", "1", "0s"), (1.0, 1.0, 0.0)),
        (bucket("10", "10", "60s"), (10.0, 10.0, 60.0)),
        (bucket("10", "10", "60.5s"), None),
        (bucket("10", "11", "1s"), None),
        (bucket("10", "-1", "1s"), None),
        (bucket("0", "0", "1s"), None),
        (bucket("inf", "0", "1s"), None),
        (bucket("x", "0", "1s"), None),
        (bucket("10", "x", "1s"), None),
        (bucket("10", "0", "x"), None),
        (bucket("10", "0", "-1"), None),
        ({"x-ratelimit-limit-requests": "10", "x-ratelimit-remaining-requests": "0"}, None),
        ({"x-ratelimit-limit-requests": "10", "x-ratelimit-reset-requests": "1s"}, None),
        ({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"}, None),
        ({}, None),
    ],
)
def test_rate_headers(headers: dict[str, str], expected: tuple[float, ...] | None) -> None:
    assert rate_headers(headers, 60.0) == expected


def test_the_meter_counts_the_last_second() -> None:
    meter = _Meter()
    for _ in range(3):
        meter.add(0.5)
    assert meter.rate(0.5) == 3
    assert meter.rate(1.25) == pytest.approx(3 * 0.75)  # a quarter into the next second
    meter.add(1.25)
    assert meter.rate(1.5) == pytest.approx(1 + 3 * 0.5)
    assert meter.rate(3.1) == 0  # two seconds on: nothing left of either
    meter.add(5.0)
    meter.add(7.5)
    assert meter.rate(7.5) == 1  # a gap of a whole second forgets the older one


async def test_the_mirror_smooths_its_estimates() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    g.on_response(200, bucket("100", "50", "1s"))  # 50/s
    assert g.rate == pytest.approx(50.0)
    g.on_response(200, bucket("100", "0", "1s"))  # 100/s: blended, not followed blindly
    assert g.rate == pytest.approx(0.7 * 50 + 0.3 * 100)
    g.on_response(200, {})  # an answer without the headers keeps the server's pace
    assert g.rate == pytest.approx(65.0)


async def test_a_slowed_rate_is_replaced_by_the_servers_headers() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    warm(fake, g)
    g.on_response(429, {}, sent_at=fake.now)
    assert g.rate == pytest.approx(90.0, rel=0.02)
    g.on_response(200, bucket("100", "80", "1s"))
    assert g.rate == pytest.approx(20.0)  # the server's own figure, not a blend with 90


async def test_the_mirror_keeps_a_token_for_each_request_in_flight() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    g.in_flight = 3
    g.on_response(200, bucket("100", "5", "1s"))  # 95/s; 5 left, 3 of them already spoken for
    for _ in range(2):
        await g.acquire()
    assert fake.slept == []
    await g.acquire()
    assert fake.slept == [pytest.approx(1 / 95)]


@pytest.mark.parametrize(
    "headers",
    [bucket("10", "0", "0s"), bucket("10", "10", "1s")],  # refilled now; nothing spent
)
async def test_a_bucket_that_says_nothing_about_a_rate_sets_none(headers: dict[str, str]) -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    for _ in range(3):
        await g.acquire()
        g.on_response(200, headers)
    assert g.rate is None
    assert fake.slept == []


async def test_a_partial_token_shortens_the_wait() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    g.on_response(200, bucket("50", "0", "1s"))  # 50/s, nothing left
    fake.now += 0.01  # half a token earned
    await g.acquire()
    assert fake.slept == [pytest.approx(0.01)]


async def test_the_mirrored_burst_is_the_servers_limit() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    g.on_response(200, bucket("1", "0", "1s"))  # one request a second, a burst of one
    fake.now += 10.0
    await g.acquire()
    await g.acquire()
    assert fake.slept == [pytest.approx(1.0)]


@pytest.mark.parametrize(("rate", "burst"), [(90.0, 9), (5.0, 1)])
async def test_the_gates_own_burst_is_a_tenth_of_a_second(rate: float, burst: int) -> None:
    fake = FakeTime()
    g = RateGate(ftclient.FlowControl(min_rate=rate), clock=fake.clock, sleep=fake.sleep)
    warm(fake, g, accepted=int(rate / 0.9 + 0.5) if rate > 10 else 1)
    g.on_response(429, {}, sent_at=fake.now)
    assert g.rate == pytest.approx(rate, rel=0.02)
    fake.now += 0.5  # idle: the gate saves up, but only so much
    for _ in range(burst):
        await g.acquire()
    assert fake.slept == []
    await g.acquire()
    assert len(fake.slept) == 1


async def test_a_429_with_rate_headers_still_slows_down() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    warm(fake, g)
    g.on_response(429, bucket("10", "10", "1s"), sent_at=fake.now)  # (a tokens limit, say)
    assert g.rate == pytest.approx(90.0, rel=0.02)


async def test_only_2xx_counts_as_accepted() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    for status in (300, 404, 500):
        for _ in range(100):
            g.on_response(status, {})
    await g.acquire()
    g.on_response(429, {}, sent_at=fake.now)
    assert g.rate == 1.0  # backed off from the one request sent, not from 300 answers


async def test_only_2xx_grows_the_rate_back() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    warm(fake, g)
    g.on_response(429, {}, sent_at=fake.now)
    low = g.rate
    fake.now += 3.0
    for status in (300, 404, 500):
        g.on_response(status, {})
    assert g.rate == low
    g.on_response(200, {})
    assert g.rate is not None
    assert low is not None
    assert g.rate > low


async def test_the_cubic_curve() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    warm(fake, g)
    g.on_response(429, {}, sent_at=fake.now)  # refused at ~100/s accepted
    refused = 100.0  # the 100 answers of the last second
    k = (0.1 * refused / 0.1) ** (1 / 3)
    for calm in (1.0, k, 5.0):
        fake.now += calm - (fake.now - g._slowed_at)
        g.on_response(200, {})
        assert g.rate == pytest.approx(refused + 0.1 * (calm - k) ** 3, rel=1e-3)


async def test_the_limit_is_dropped_only_after_five_calm_seconds() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep)
    warm(fake, g, accepted=2)
    g.on_response(429, {}, sent_at=fake.now)
    slowed = fake.now
    fake.now = slowed + 5.0  # 5 s calm exactly, nothing sent: the rate is far above demand
    g.on_response(200, {})
    assert g.rate is not None
    fake.now = slowed + 5.001
    g.on_response(200, {})
    assert g.rate is None


async def test_waiters_wake_one_by_one_not_all_at_each_token() -> None:
    time = VirtualTime()
    naps: list[float] = []

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        await time.sleep(seconds)

    g = RateGate(clock=time.clock, sleep=sleep)
    g.on_response(200, bucket("100", "90", "1s"))  # 10/s, nothing left beyond in-flight
    g.on_response(200, bucket("100", "0", "10s"))
    sent = await time.run(asyncio.gather(*(g.acquire() for _ in range(20))))
    assert sorted(sent) == sent  # first come, first served
    assert sent[-1] - sent[0] == pytest.approx(19 / 10, rel=0.01)
    assert len(naps) <= 2 * 20  # each wakes about once (a herd would be ~20 per token)


async def test_without_waiting_each_jump_adds_up() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep, wait=False)
    g.on_response(429, {"retry-after": "2"})
    assert await g.acquire() == pytest.approx(1002.0)
    g.on_response(429, {"retry-after": "2"})
    assert await g.acquire() == pytest.approx(1004.0)
    assert fake.slept == []


async def test_with_adaptive_off_acquire_only_tells_the_time() -> None:
    fake = FakeTime()
    g = RateGate(ftclient.FlowControl(adaptive=False), clock=fake.clock, sleep=fake.sleep)
    g.on_response(429, {"retry-after": "5"})
    assert await g.acquire() == 1000.0
    assert g.throttled == 0


async def test_closed_errors_say_what_happened() -> None:
    time = VirtualTime()
    g = RateGate(clock=time.clock, sleep=time.sleep)
    g.on_response(429, {"retry-after": "30"})
    waiter = asyncio.ensure_future(g.acquire())
    await asyncio.sleep(0)
    g.close()
    g.close()  # twice is harmless
    with pytest.raises(ftclient.ClientClosedError, match=r"^the client was closed while waiting$"):
        await waiter
    with pytest.raises(ftclient.ClientClosedError, match=r"^the client is closed; create a new"):
        await g.acquire()
    assert not math.isinf(time.now)
