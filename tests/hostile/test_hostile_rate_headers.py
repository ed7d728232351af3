"""Absurd rate headers never hold the client longer than ``RetryPolicy.max_retry_after``.

A small server of the test's own answers its first request with hostile values in one header at
a time (``Retry-After``, ``retry-after-ms`` and each ``x-ratelimit-*-requests`` header), on a 200
and on a 429: 1e-9, 0, negative, NaN, infinities, huge, not a number, garbage units in the reset.
Every wait derived from them goes through ``_core.protocol.capped_wait``: a value is obeyed within
the cap or ignored. Time is simulated (:class:`SimClock`): what the client would have slept is
recorded, nothing is slept for real.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

import ftclient

from .fake_api import SimClock, job_document

CAP = 60.0  # RetryPolicy.max_retry_after, the default
JOB = {**job_document("ftjob-1", 1_000), "status": "running"}
REFUSED = {"error": {"message": "Rate limit reached", "type": "requests", "code": None}}
BUCKET = {  # a sane bucket: 100 a second, spent
    "x-ratelimit-limit-requests": "100",
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-reset-requests": "1s",
}
HEADERS = ["retry-after", "retry-after-ms", *BUCKET]
VALUES = [
    "1e-9",
    "0",
    "-1",
    "-1e9",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e400",
    "99999999999999999999999",
    "abc",
    "",
    "1e9s",
    "9999999h",
    "1h",
    "1e-9ms",
    "0x10",
]
Answer = tuple[int, dict[str, str]]


@contextlib.asynccontextmanager
async def serve(first: Answer, log: list[str]) -> AsyncIterator[str]:
    """Answer the first request with ``first`` (status, headers), every later one with the job."""

    async def handler(request: web.Request) -> web.Response:
        log.append(request.path)
        status, headers = first if len(log) == 1 else (200, {})
        body = JOB if status == 200 else REFUSED
        return web.json_response(body, status=status, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}/v1"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def simulated(url: str) -> AsyncIterator[tuple[ftclient.FineTuningClient, SimClock]]:
    clock = SimClock()
    async with ftclient.FineTuningClient(api_key="sk-test", base_url=url, clock=clock) as client:
        yield client, clock


async def three_retrieves(client: ftclient.FineTuningClient) -> list[str]:
    """Three calls; the first may be refused at once (a 429 hint beyond the cap)."""
    outcomes = []
    refusals: list[ftclient.RateLimitError] = []
    for _ in range(3):
        try:
            outcomes.append((await client.jobs.retrieve("ftjob-1")).id)
        except ftclient.RateLimitError as exc:
            refusals.append(exc)
            outcomes.append("refused")
    for refusal in refusals:  # only a hint beyond the cap is refused at once
        assert refusal.retry_after is not None
        assert refusal.retry_after > CAP
        assert "not retried: the server asks to wait" in refusal.__notes__[0]
    return outcomes


@pytest.mark.parametrize("value", VALUES, ids=ascii)
@pytest.mark.parametrize("header", HEADERS)
@pytest.mark.parametrize("status", [200, 429])
async def test_a_hostile_value_in_any_rate_header_never_holds_the_client(
    status: int, header: str, value: str
) -> None:
    headers = {**BUCKET, "retry-after": "1", header: value}
    log: list[str] = []
    async with serve((status, headers), log) as url, simulated(url) as (client, clock):
        start = clock.now
        outcomes = await three_retrieves(client)
        elapsed = clock.now - start
        rate = client.rate_gate.rate
    assert outcomes[1:] == ["ftjob-1", "ftjob-1"]
    assert outcomes[0] in ("ftjob-1", "refused")
    assert all(0.0 <= slept <= CAP for slept in clock.slept), clock.slept
    assert elapsed <= CAP
    assert rate is None or rate >= 1.0 / CAP  # a pace slower than the cap is never followed
    assert len(log) == 3 + (outcomes[0] == "ftjob-1" and status == 429)


@pytest.mark.parametrize(
    ("limit", "remaining", "reset"),
    [
        ("1e-9", "0", "1s"),  # the case: one request every 31 years
        ("1.5", "1", "59s"),  # each value plausible, the pace 118 s a request
        ("1e-300", "0", "1ms"),
        ("100", "99.999999", "60s"),
        ("5e-324", "0", "1s"),  # the smallest float: the pace overflows to inf
    ],
)
async def test_a_bucket_whose_pace_is_beyond_the_cap_is_ignored(
    limit: str, remaining: str, reset: str
) -> None:
    bucket = {
        "x-ratelimit-limit-requests": limit,
        "x-ratelimit-remaining-requests": remaining,
        "x-ratelimit-reset-requests": reset,
    }
    log: list[str] = []
    async with serve((200, bucket), log) as url, simulated(url) as (client, clock):
        await client.jobs.retrieve("ftjob-1")
        await client.jobs.retrieve("ftjob-1")
        rate = client.rate_gate.rate
    assert clock.slept == []  # the second call went at once
    assert rate is None
    assert len(log) == 2


async def test_a_pace_of_exactly_the_cap_is_followed() -> None:
    bucket = {
        "x-ratelimit-limit-requests": "1",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "60s",
    }
    log: list[str] = []
    async with serve((200, bucket), log) as url, simulated(url) as (client, clock):
        await client.jobs.retrieve("ftjob-1")
        await client.jobs.retrieve("ftjob-1")
        rate = client.rate_gate.rate
    assert rate == pytest.approx(1.0 / CAP)
    assert clock.slept == [pytest.approx(CAP)]  # one request a minute: the server's own word


async def test_aclose_wakes_every_call_waiting_on_a_header_pace() -> None:
    bucket = {  # one request a minute, within the cap: obeyed
        "x-ratelimit-limit-requests": "1",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "60s",
    }
    log: list[str] = []
    entered = 0

    class Stuck:
        """A clock whose every sleep lasts until the call waiting in it is cancelled."""

        def time(self) -> float:
            return asyncio.get_running_loop().time()

        async def sleep(self, seconds: float) -> None:
            nonlocal entered
            entered += 1
            await asyncio.Event().wait()  # only a cancellation (close) ends it

    async with serve((200, bucket), log) as url:
        client = ftclient.FineTuningClient(api_key="sk-test", base_url=url, clock=Stuck())
        await client.jobs.retrieve("ftjob-1")  # nothing to wait for yet
        waiting = [asyncio.ensure_future(client.jobs.retrieve("ftjob-1")) for _ in range(5)]
        for _ in range(20):
            await asyncio.sleep(0)
        assert entered == 5
        assert not any(task.done() for task in waiting)
        async with asyncio.timeout(30.0):  # a guard: only a hang gets near it
            await client.aclose()
            outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(o, ftclient.ClientClosedError) for o in outcomes), outcomes
    assert len(log) == 1  # none of the waiting calls reached the server


Sleep = Callable[[float], Awaitable[None]]
