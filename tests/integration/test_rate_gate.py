"""The client's rate gate against small hostile servers of the test's own, on 127.0.0.1.

No server can freeze the client: a ``Retry-After`` or ``x-ratelimit-reset-requests`` beyond
``RetryPolicy.max_retry_after`` is not obeyed by the gate, and closing the client wakes a call
that waits in it. Waiting is switched off (``wait=False``), so the gate's clock jumps instead of
sleeping: what ``client.rate_gate.acquire()`` returns shows how long a real client would have
been held, without anybody waiting for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

import ftclient
from tests.integration.variants import _job

Handler = Callable[[web.Request], Awaitable[web.Response]]

JOB = _job("ftjob-gate")
REFUSED = {"error": {"message": "Rate limit reached", "type": "requests", "code": None}}
GUARD = 30.0  # seconds: only a hang ever gets near it


@contextlib.asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[str]:
    """Serve ``handler`` for every path on 127.0.0.1; yield the base URL."""
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


def refuse_first(headers: dict[str, str], log: list[str]) -> Handler:
    """429 with ``headers`` for the first request, the job for every later one."""

    async def handler(request: web.Request) -> web.Response:
        log.append(request.path)
        if len(log) == 1:
            return web.json_response(REFUSED, status=429, headers=headers)
        return web.json_response(JOB)

    return handler


@pytest.mark.parametrize(
    "hint",
    [
        {"retry-after": "3600"},
        {"retry-after": "1e12"},
        {"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"},
        {"retry-after-ms": "inf"},
    ],
)
async def test_a_429_with_a_hint_beyond_the_cap_does_not_hold_the_client(
    hint: dict[str, str],
) -> None:
    log: list[str] = []
    async with (
        serve(refuse_first(hint, log)) as url,
        ftclient.FineTuningClient(
            api_key="sk-test",
            base_url=url,
            retry_policy=ftclient.RetryPolicy(max_retries=0, wait=False, max_retry_after=60),
        ) as client,
    ):
        before = await client.rate_gate.acquire()
        with pytest.raises(ftclient.RateLimitError):
            await client.jobs.retrieve("ftjob-gate")
        async with asyncio.timeout(GUARD):
            job = await client.jobs.retrieve("ftjob-gate")
        after = await client.rate_gate.acquire()
    assert job.id == "ftjob-gate"
    assert len(log) == 2
    # the gate moved on at the pace of a 429 without a hint, never for the server's hour
    assert after - before < 60.0


async def test_a_ratelimit_reset_beyond_the_cap_after_a_200_does_not_hold_the_client() -> None:
    log: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        log.append(request.path)
        return web.json_response(
            JOB,
            headers={
                "x-ratelimit-limit-requests": "100",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "999999h",
            },
        )

    async with (
        serve(handler) as url,
        ftclient.FineTuningClient(
            api_key="sk-test", base_url=url, retry_policy=ftclient.RetryPolicy(wait=False)
        ) as client,
    ):
        before = await client.rate_gate.acquire()
        async with asyncio.timeout(GUARD):
            for _ in range(5):
                await client.jobs.retrieve("ftjob-gate")
        after = await client.rate_gate.acquire()
    assert len(log) == 5
    assert after - before < 60.0
    assert client.rate_gate.rate is None


async def test_aclose_wakes_a_call_waiting_in_the_gate() -> None:
    log: list[str] = []
    # A legitimate hint (within the cap) closes the gate for 30 s; waiting is on for real here,
    # and closing the client must end the wait at once.
    handler = refuse_first({"retry-after": "30"}, log)
    async with serve(handler) as url:
        client = ftclient.FineTuningClient(
            api_key="sk-test", base_url=url, retry_policy=ftclient.RetryPolicy(max_retries=0)
        )
        with pytest.raises(ftclient.RateLimitError):
            await client.jobs.retrieve("ftjob-gate")
        waiting = asyncio.ensure_future(client.jobs.retrieve("ftjob-gate"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not waiting.done()
        async with asyncio.timeout(GUARD):
            await client.aclose()
            with pytest.raises(ftclient.ClientClosedError):
                await waiting
    assert len(log) == 1  # the waiting call never reached the server


async def test_max_in_flight_caps_the_requests_the_server_sees_at_once() -> None:
    active = 0
    peak = 0
    three_in = asyncio.Event()
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        if active == 3:
            three_in.set()
        await release.wait()
        active -= 1
        return web.json_response(JOB)

    async with (
        serve(handler) as url,
        ftclient.FineTuningClient(
            api_key="sk-test",
            base_url=url,
            flow_control=ftclient.FlowControl(max_in_flight=3),
        ) as client,
    ):
        calls = [asyncio.ensure_future(client.jobs.retrieve("ftjob-gate")) for _ in range(10)]
        try:
            async with asyncio.timeout(GUARD):
                await three_in.wait()
                for _ in range(20):  # every other call has had its turn to start
                    await asyncio.sleep(0)
                in_flight = client.rate_gate.in_flight
        finally:
            release.set()  # never leave the server's handlers waiting
        jobs = await asyncio.gather(*calls)
    assert in_flight == 3  # the other seven waited for a slot
    assert [j.id for j in jobs] == ["ftjob-gate"] * 10
    assert peak == 3
