"""The adaptive rate gate on a fake clock: 429s, Retry-After once for everyone, header mirror."""

from __future__ import annotations

import asyncio

import pytest

import ftclient
from ftclient._flow import RateGate, parse_duration


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def gate(fake: FakeTime, **settings: object) -> RateGate:
    return RateGate(ftclient.FlowControl(**settings), clock=fake.clock, sleep=fake.sleep)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1s", 1.0),
        ("120ms", 0.12),
        ("6m0s", 360.0),
        ("1h2m3.5s", 3723.5),
        ("0.5", 0.5),
        ("x", None),
    ],
)
def test_parse_duration(text: str, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


async def test_unthrottled_gate_never_waits() -> None:
    fake = FakeTime()
    g = gate(fake)
    for _ in range(1000):
        await g.acquire()
        g.on_response(200, {})
    assert fake.slept == []
    assert g.rate is None


async def test_a_429_blocks_everyone_once_for_its_retry_after() -> None:
    fake = FakeTime()
    g = gate(fake)
    g.on_response(429, {"retry-after": "2"})
    assert g.throttled == 1
    await asyncio.gather(*(g.acquire() for _ in range(50)))
    # everybody waited out the same two seconds; nobody added their own
    assert fake.now >= 1002.0
    assert fake.now < 1004.0


async def test_429_without_headers_lowers_the_rate_then_recovers() -> None:
    fake = FakeTime()
    g = gate(fake)
    for _ in range(200):  # 200 requests/s measured
        await g.acquire()
        g.on_response(200, {})
        fake.now += 0.005
    g.on_response(429, {"retry-after-ms": "10"})
    assert g.rate is not None
    assert g.rate == pytest.approx(0.7 * 200, rel=0.1)
    low = g.rate
    for _ in range(400):
        await g.acquire()
        g.on_response(200, {})
    assert g.rate is None or g.rate > low


async def test_header_mirror_paces_to_the_servers_rate() -> None:
    fake = FakeTime()
    g = gate(fake)
    # server: 100 tokens, refills 50/s, only 2 left: the next sends must be paced.
    g.on_response(
        200,
        {
            "x-ratelimit-limit-requests": "100",
            "x-ratelimit-remaining-requests": "2",
            "x-ratelimit-reset-requests": "1.96s",
        },
    )
    assert g.rate == pytest.approx(50.0)
    start = fake.now
    for _ in range(52):
        await g.acquire()
    # 2 immediately, then 50 more at 50/s ~= 1 s
    assert fake.now - start == pytest.approx(1.0, rel=0.05)


async def test_adaptive_can_be_switched_off() -> None:
    fake = FakeTime()
    g = gate(fake, adaptive=False)
    g.on_response(429, {"retry-after": "5"})
    await g.acquire()
    assert fake.slept == []


def test_flow_control_validates() -> None:
    with pytest.raises(ftclient.InvalidParameterError, match="max_in_flight"):
        ftclient.FlowControl(max_in_flight=0)
