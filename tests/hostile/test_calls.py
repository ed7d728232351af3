"""The call's deadline is the call's; server waits are capped; borrowed sessions keep the rules."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiohttp
import pytest

import ftclient

from .conftest import KEY
from .fake_api import FakeAPI, LoopClock

Make = Callable[..., ftclient.FineTuningClient]
# The server stalls forever in these tests: the call ends only by its own deadline, so a short
# real deadline keeps them quick without depending on the machine's speed.
DEADLINE = 0.2


async def test_timeout_bounds_a_create_whose_checks_stall(api: FakeAPI, make_client: Make) -> None:
    api.faults["create"] = ["lose"]
    api.faults["list"] = ["stall"]
    with pytest.raises(ftclient.APITimeoutError) as caught:
        await make_client().jobs.create(
            model="gpt-4o-mini", training_file="file-t", timeout=DEADLINE, idempotency_key="k-9"
        )
    message = str(caught.value)
    assert message.startswith("jobs.create did not finish within its timeout of 0.2s")
    assert "idempotency_key='k-9'" in message
    assert caught.value.method == "POST"


async def test_timeout_covers_the_wait_for_a_pooled_connection(
    api: FakeAPI, make_client: Make
) -> None:
    job = api.add_job()
    api.faults["retrieve"] = ["stall"]
    client = make_client(max_connections=1)
    hog = asyncio.create_task(client.jobs.retrieve(job["id"]))
    for _ in range(1000):  # until the stalled request reached the server
        if api.sent("retrieve"):
            break
        await asyncio.sleep(0)
    with pytest.raises(ftclient.APITimeoutError, match=r"jobs\.retrieve did not finish"):
        await client.jobs.retrieve(job["id"], timeout=DEADLINE)
    hog.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hog


async def test_timeout_covers_the_rate_gate(api: FakeAPI, make_client: Make) -> None:
    job = api.add_job()
    api.faults["retrieve"] = ["429:30"]
    client = make_client(max_retries=0, clock=LoopClock())  # the gate's block lasts for real
    with pytest.raises(ftclient.RateLimitError):
        await client.jobs.retrieve(job["id"])  # closes the gate for 30 s
    with pytest.raises(ftclient.APITimeoutError, match=r"jobs\.retrieve did not finish"):
        await client.jobs.retrieve(job["id"], timeout=DEADLINE)


async def test_a_429_asking_for_more_than_the_cap_is_raised_at_once(
    api: FakeAPI, make_client: Make
) -> None:
    job = api.add_job()
    api.faults["retrieve"] = ["429:3600"]
    with pytest.raises(ftclient.RateLimitError) as caught:
        await make_client().jobs.retrieve(job["id"])
    assert caught.value.retry_after == 3600
    assert len(api.sent("retrieve")) == 1
    assert max(api.clock.slept, default=0.0) <= 60
    assert "max_retry_after" in "\n".join(caught.value.__notes__)


@pytest.mark.parametrize("hint", ["3", "Thu, 01 Jan 2004 00:00:00 GMT"])
async def test_a_429_within_the_cap_waits_as_asked(
    api: FakeAPI, make_client: Make, hint: str
) -> None:
    job = api.add_job()
    api.faults["retrieve"] = [f"429:{hint}"]
    got = await make_client().jobs.retrieve(job["id"])
    info = ftclient.response_info(got)
    assert info is not None
    assert info.retry_waits == (3.0 if hint == "3" else 0.0,)  # a past date means now


async def test_a_borrowed_session_that_raises_for_status_still_gives_api_errors(
    api: FakeAPI,
) -> None:
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        client = ftclient.FineTuningClient(api_key=KEY, base_url=api.url, session=session)
        with pytest.raises(ftclient.NotFoundError):
            await client.jobs.retrieve("ftjob-missing")
        assert len(api.sent("retrieve")) == 1  # a 404, not a connection error retried


async def test_a_closed_borrowed_session_is_a_clear_error(api: FakeAPI) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    client = ftclient.FineTuningClient(api_key=KEY, base_url=api.url, session=session)
    with pytest.raises(ftclient.ClientClosedError, match="session"):
        await client.jobs.retrieve("ftjob-1")
    assert api.seen == []


async def test_closing_the_client_wakes_a_call_waiting_at_the_gate(
    api: FakeAPI, make_client: Make
) -> None:
    job = api.add_job()
    api.faults["retrieve"] = ["429:30"]
    client = make_client(max_retries=0, clock=LoopClock())
    with pytest.raises(ftclient.RateLimitError):
        await client.jobs.retrieve(job["id"])  # closes the gate for 30 s, in real time
    waiting = asyncio.create_task(client.jobs.retrieve(job["id"]))
    await asyncio.sleep(0.01)
    await client.aclose()
    with pytest.raises(ftclient.ClientClosedError):
        await asyncio.wait_for(waiting, 1.0)
