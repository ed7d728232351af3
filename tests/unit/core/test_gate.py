"""The adaptive rate gate on a fake clock: 429s, Retry-After once for everyone, header mirror."""

from __future__ import annotations

import asyncio

import pytest

import ftclient
from ftclient._core.gate import RateGate, parse_duration
from tests.unit.core.virtual_time import FakeTime, VirtualTime, warm


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
    time = VirtualTime()
    g = RateGate(clock=time.clock, sleep=time.sleep)
    g.on_response(429, {"retry-after": "2"})
    assert g.throttled == 1
    sent = await time.run(asyncio.gather(*(g.acquire() for _ in range(50))))
    # everybody waited out the same two seconds, together; nobody added their own
    assert sent == [1002.0] * 50


async def test_429_without_headers_backs_off_from_the_accepted_rate_then_recovers() -> None:
    fake = FakeTime()
    g = gate(fake)
    for _ in range(200):  # 200 requests/s accepted
        await g.acquire()
        g.on_response(200, {})
        fake.now += 0.005
    g.on_response(429, {})
    assert g.rate == pytest.approx(0.9 * 200, rel=0.05)
    assert fake.slept == []  # no hint: a slower rate, not a closed gate
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


@pytest.mark.parametrize(
    "hint",
    [
        {"retry-after": "3600"},
        {"retry-after": "1e12"},
        {"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"},
        {"retry-after-ms": "inf"},
        {"retry-after-ms": "3600000"},
        {"retry-after": "61"},
    ],
)
async def test_a_hint_beyond_the_cap_does_not_close_the_gate(hint: dict[str, str]) -> None:
    fake = FakeTime()
    g = RateGate(max_retry_after=60.0, clock=fake.clock, sleep=fake.sleep)
    warm(fake, g)
    g.on_response(429, hint)
    for _ in range(10):
        await g.acquire()
    # treated as a 429 without a usable hint: 90% of the 100/s accepted, nobody frozen
    assert g.rate == pytest.approx(90.0, rel=0.02)
    assert sum(fake.slept) < 0.15


async def test_a_hint_at_the_cap_is_obeyed() -> None:
    fake = FakeTime()
    g = RateGate(max_retry_after=5.0, clock=fake.clock, sleep=fake.sleep)
    g.on_response(429, {"retry-after": "5"})
    assert await g.acquire() == pytest.approx(1005.0)


@pytest.mark.parametrize(
    ("limit", "remaining", "reset"),
    [
        # a reset beyond the cap (60 s) or no duration at all
        *(("100", "0", reset) for reset in ("999999h", "1e12", "inf", "nan", "-1", "61s")),
        # numbers that make no bucket
        *((limit, remaining, "1s") for limit, remaining in [
            ("nan", "1"), ("inf", "1"), ("0", "0"), ("-5", "1"),
            ("10", "nan"), ("10", "-1"), ("10", "11"),
        ]),
    ],
)  # fmt: skip
async def test_rate_limit_headers_that_make_no_bucket_are_not_mirrored(
    limit: str, remaining: str, reset: str
) -> None:
    fake = FakeTime()
    g = gate(fake)
    headers = {
        "x-ratelimit-limit-requests": limit,
        "x-ratelimit-remaining-requests": remaining,
        "x-ratelimit-reset-requests": reset,
    }
    g.on_response(200, headers)
    for _ in range(5):
        await g.acquire()
        g.on_response(200, headers)
    assert g.rate is None
    assert fake.slept == []


async def test_a_reset_at_the_cap_is_mirrored() -> None:
    fake = FakeTime()
    g = gate(fake)
    g.on_response(
        200,
        {
            "x-ratelimit-limit-requests": "61",
            "x-ratelimit-remaining-requests": "1",
            "x-ratelimit-reset-requests": "60s",
        },
    )
    assert g.rate == pytest.approx(1.0)
    await g.acquire()  # the one token left
    await g.acquire()  # then one per second
    assert fake.slept == [pytest.approx(1.0)]


async def test_close_wakes_every_waiter_with_client_closed() -> None:
    time = VirtualTime()
    g = RateGate(clock=time.clock, sleep=time.sleep)
    g.on_response(429, {"retry-after": "30"})
    waiters = [asyncio.ensure_future(g.acquire()) for _ in range(3)]
    for _ in range(3):
        await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    g.close()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, ftclient.ClientClosedError) for r in results), results
    assert time.now == 1000.0  # nobody waited the 30 s
    assert g.closed
    with pytest.raises(ftclient.ClientClosedError):
        await g.acquire()


async def test_close_refuses_acquire_with_adaptive_off_too() -> None:
    g = RateGate(ftclient.FlowControl(adaptive=False))
    g.close()
    with pytest.raises(ftclient.ClientClosedError, match=r"^the client is closed; create a new"):
        await g.acquire()


async def test_a_cancelled_waiter_stays_cancelled_after_close() -> None:
    time = VirtualTime()
    g = RateGate(clock=time.clock, sleep=time.sleep)
    g.on_response(429, {"retry-after": "30"})
    waiter = asyncio.ensure_future(g.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    g.close()
    with pytest.raises(asyncio.CancelledError):
        await waiter


async def test_stale_429s_of_a_burst_back_off_once() -> None:
    fake = FakeTime()
    g = gate(fake)
    warm(fake, g)
    burst_sent_at = fake.now - 0.01  # all sent before the first refusal came back
    for _ in range(100):
        g.on_response(429, {}, sent_at=burst_sent_at)
    assert g.throttled == 100
    assert g.rate == pytest.approx(90.0, rel=0.02)  # once, not 0.9**100
    # and the gate is paced, not closed: the next ten take about a tenth of a second
    start = fake.now
    for _ in range(10):
        await g.acquire()
    assert fake.now - start < 0.15


async def test_a_refusal_after_a_success_backs_off_again() -> None:
    fake = FakeTime()
    g = gate(fake)
    warm(fake, g)
    reacted = fake.now
    g.on_response(429, {}, sent_at=reacted)
    first = g.rate
    assert first is not None
    g.on_response(200, {})
    # sent at the very instant of the slow-down, after it: not stale
    g.on_response(429, {}, sent_at=reacted)
    assert g.rate is not None
    assert g.rate < first


async def test_refusals_in_a_row_pause_and_double_instead_of_lowering_the_rate() -> None:
    fake = FakeTime()
    g = RateGate(max_retry_after=0.5, clock=fake.clock, sleep=fake.sleep)
    warm(fake, g)
    g.on_response(429, {}, sent_at=fake.now)
    rate = g.rate
    pauses = []
    for _ in range(8):  # the server's window is spent: every request is refused
        sent_at = await g.acquire()
        fake.slept.clear()
        g.on_response(429, {}, sent_at=sent_at)
        start = fake.now
        await g.acquire()
        pauses.append(round(fake.now - start, 4))
        g.on_response(429, {}, sent_at=start - 1)  # a stale one changes nothing
    assert g.rate == rate
    # 10 ms doubling, capped by max_retry_after (0.5 s here; 1 s at most); each pause then
    # waits for one token at 90/s, since none accrue while the gate is closed
    token = round(1 / 90, 4)
    expected = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.5, 0.5]
    assert pauses == [pytest.approx(p + token, abs=2e-4) for p in expected]
    g.on_response(200, {})  # accepted again: the next refusal slows down once more
    g.on_response(429, {}, sent_at=fake.now)
    assert g.rate is not None
    assert rate is not None
    assert g.rate < rate


async def test_the_pause_is_capped_at_a_second() -> None:
    fake = FakeTime()
    g = gate(fake)
    warm(fake, g)
    for _ in range(12):
        g.on_response(429, {}, sent_at=fake.now)
        fake.now += 1e-6
    start = fake.now
    await g.acquire()
    assert fake.now - start == pytest.approx(1.0 + 1 / 90, abs=1e-3)


async def test_429_before_anything_was_sent_sets_no_rate() -> None:
    fake = FakeTime()
    g = gate(fake)
    g.on_response(429, {})
    assert g.rate is None
    await g.acquire()
    assert fake.slept == []


async def test_first_429_backs_off_from_what_was_sent() -> None:
    fake = FakeTime()
    g = gate(fake)
    for _ in range(40):  # 40 sent at once, nothing answered yet
        await g.acquire()
    g.on_response(429, {}, sent_at=fake.now)
    assert g.rate == pytest.approx(36.0)


async def test_the_rate_never_goes_below_min_rate() -> None:
    fake = FakeTime()
    g = gate(fake, min_rate=5.0)
    await g.acquire()
    g.on_response(429, {}, sent_at=fake.now)
    assert g.rate == 5.0


async def test_recovery_climbs_back_to_the_refused_rate_then_beyond() -> None:
    fake = FakeTime()
    g = gate(fake)
    warm(fake, g)
    g.on_response(429, {}, sent_at=fake.now)
    rates = []
    for _ in range(20):  # the server accepts everything from now on; 50 answers a second
        for _ in range(50):
            fake.now += 0.02
            g.on_response(200, {})
        rates.append(g.rate)
    assert rates[0] is not None
    assert 90.0 < rates[0] < 100.0  # climbing, still below the rate that was refused
    assert rates[3] is not None
    assert rates[3] == pytest.approx(100.0, abs=1.0)  # flat near it (after ~4.6 s)
    assert rates[-1] is None  # calm long enough, and far above what is sent: dropped


async def test_the_default_clock_is_the_event_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    g = RateGate()
    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "time", lambda: 4321.5)
    sent_at = await g.acquire()
    monkeypatch.undo()
    assert sent_at == 4321.5


async def test_without_waiting_the_gates_clock_jumps_instead() -> None:
    fake = FakeTime()
    g = RateGate(clock=fake.clock, sleep=fake.sleep, wait=False)
    g.on_response(429, {"retry-after": "2"})
    assert await g.acquire() == pytest.approx(1002.0)
    assert fake.slept == []
    assert fake.now == 1000.0
