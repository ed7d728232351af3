"""Client lifecycle: close, reuse, borrowed sessions, cancellation, no warnings on any path."""

from __future__ import annotations

import asyncio
import gc

import aiohttp
import pytest

import ftclient
from ftclient.testing import FineTuningEmulator


async def test_closed_client_refuses_requests_and_reopening(emulator: FineTuningEmulator) -> None:
    client = ftclient.FineTuningClient(api_key="k", base_url=emulator.url)
    async with client:
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert client.closed
    with pytest.raises(ftclient.ClientClosedError):
        await client.jobs.retrieve("ftjob-x")
    with pytest.raises(ftclient.ClientClosedError):
        async with client:
            pass
    await client.aclose()  # idempotent


async def test_client_never_used_closes_cleanly() -> None:
    client = ftclient.FineTuningClient(api_key="k", base_url="http://127.0.0.1:9/v1")
    await client.aclose()
    assert client.closed


async def test_borrowed_session_is_used_and_left_open(emulator: FineTuningEmulator) -> None:
    async with aiohttp.ClientSession(headers={"X-Mine": "1"}) as session:
        async with ftclient.FineTuningClient(
            api_key="k", base_url=emulator.url, session=session
        ) as client:
            await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
        assert not session.closed
        assert emulator.requests[-1].headers["X-Mine"] == "1"
        async with session.get(emulator.url + "/fine_tuning/jobs") as resp:
            assert resp.status == 401  # still usable, and the client did not add its key to it


async def test_exception_inside_the_block_still_closes(emulator: FineTuningEmulator) -> None:
    client = ftclient.FineTuningClient(api_key="k", base_url=emulator.url)
    with pytest.raises(ftclient.NotFoundError):
        async with client:
            await client.jobs.retrieve("ftjob-missing")
    assert client.closed


async def test_cancelling_in_flight_requests_leaks_nothing(emulator: FineTuningEmulator) -> None:
    # A session of the test's own (the pool ftclient makes has the same limit), so that the
    # test can look at its pool.
    connector = aiohttp.TCPConnector(limit=100)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        ftclient.FineTuningClient(api_key="k", base_url=emulator.url, session=session) as client,
    ):
        job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
        emulator.faults.add("retrieveFineTuningJob", "delay", seconds=5, times=3000)
        tasks = [asyncio.create_task(client.jobs.retrieve(job.id)) for _ in range(2000)]
        for _ in range(500):  # until the pool is full: 100 sent, the rest queued behind them
            if client.rate_gate.in_flight == 100:
                break
            await asyncio.sleep(0.01)
        assert client.rate_gate.in_flight == 100
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        assert client.rate_gate.in_flight == 0
        assert not connector._acquired  # every connection went back (or was closed)
        # the pool is reusable after mass cancellation
        emulator.faults.clear()
        assert (await client.jobs.retrieve(job.id)).id == job.id
    gc.collect()


async def test_asyncio_timeout_around_calls_leaks_nothing(emulator: FineTuningEmulator) -> None:
    async with ftclient.FineTuningClient(api_key="k", base_url=emulator.url) as client:
        job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
        emulator.faults.add("retrieveFineTuningJob", "delay", seconds=5, times=100)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await asyncio.gather(*(client.jobs.retrieve(job.id) for _ in range(100)))
        assert client.rate_gate.in_flight == 0


async def test_closing_the_client_under_load_fails_calls_cleanly(
    emulator: FineTuningEmulator,
) -> None:
    client = ftclient.FineTuningClient(api_key="k", base_url=emulator.url, max_retries=0)
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    emulator.faults.add("retrieveFineTuningJob", "delay", seconds=5, times=50)
    tasks = [asyncio.create_task(client.jobs.retrieve(job.id)) for _ in range(50)]
    await asyncio.sleep(0.05)
    await client.aclose()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, ftclient.ClientClosedError) for r in results), {
        type(r).__name__ for r in results
    }


def test_a_client_used_in_a_second_event_loop_says_so() -> None:
    async def create(client: ftclient.FineTuningClient) -> None:
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t")

    async def first_loop() -> ftclient.FineTuningClient:
        async with FineTuningEmulator(require_files=False) as emulator:
            client = ftclient.FineTuningClient(api_key="k", base_url=emulator.url)
            await create(client)
        return client

    client = asyncio.run(first_loop())
    try:
        with pytest.raises(ftclient.ClientClosedError, match="one FineTuningClient per event loop"):
            asyncio.run(create(client))
    finally:
        asyncio.run(client.aclose())
