"""A long-lived waiter: jobs added and removed while it runs, counted request by request."""

from __future__ import annotations

import asyncio
import math

import pytest

import ftclient
from benchmarks.jobs_server import JobsServer, ScriptedJob

from .scripted import FAST, client_of

BASE = 1_700_000_000


def made(count: int, *, first: int, finish_at: float = math.inf) -> list[ScriptedJob]:
    """``count`` jobs created one second apart from ``BASE + first``, oldest first."""
    return [
        ScriptedJob(f"ftjob-{first + i:05d}", BASE + first + i, finish_at) for i in range(count)
    ]


async def drain(waiter: ftclient.JobWaiter) -> list[ftclient.WaitResult]:
    async with asyncio.timeout(10):  # a bound, never reached when the code is right
        return [result async for result in waiter]


async def start_server(jobs: list[ScriptedJob]) -> JobsServer:
    older = [ScriptedJob(f"ftjob-old-{i:05d}", BASE - 10_000 + i, 0.0) for i in range(300)]
    server = await JobsServer(older + jobs).start()
    server.clock = lambda: server.requests["list"]  # a job's time is the list count
    return server


async def test_jobs_added_mid_round_cost_no_request_beyond_the_next_rounds_pages() -> None:
    first, later = made(200, first=0, finish_at=3), made(100, first=200, finish_at=3)
    server = await start_server(first)
    try:
        async with client_of(server) as client:
            waiter = client.jobs.wait_many([j.id for j in first], poll_interval=FAST)

            def created_while_watching(count: int) -> None:
                if count == 2:  # round 1's last page: made now, added now
                    server.add(later)
                    assert waiter.add([j.id for j in later]) == 100

            server.on_list = created_while_watching
            results = await drain(waiter)
    finally:
        await server.stop()
    assert sorted(r.job_id for r in results) == sorted(j.id for j in first + later)
    assert all(r.ok and r.job is not None and r.job.status == "succeeded" for r in results)
    # round 1: 2 pages for 200; round 2: the 300 sit on the top 3 pages. The same 5 lists and no
    # retrieve as when all 300 are there from the start (next test).
    assert server.requests == {"list": 5}


async def test_the_same_jobs_there_from_the_start_cost_the_same() -> None:
    jobs = made(300, first=0, finish_at=3)
    server = await start_server(jobs)
    try:
        async with client_of(server) as client:
            results = await drain(client.jobs.wait_many([j.id for j in jobs], poll_interval=FAST))
    finally:
        await server.stop()
    assert len(results) == 300
    assert server.requests == {"list": 5}


async def test_a_removed_job_is_not_yielded_and_not_polled_again() -> None:
    jobs = made(3, first=0, finish_at=3)
    jobs[0].finish_at = math.inf  # never finishes: only remove() lets the iteration end
    server = await start_server(jobs)
    try:
        async with client_of(server) as client:
            waiter = client.jobs.wait_many([j.id for j in jobs], poll_interval=FAST)

            def drop_it(count: int) -> None:
                if count == 1:
                    assert waiter.remove(jobs[0].id)
                    assert not waiter.remove(jobs[0].id)  # once
                    assert not waiter.remove("ftjob-unknown")

            server.on_list = drop_it
            results = await drain(waiter)
            assert waiter.pending == frozenset()
    finally:
        await server.stop()
    assert sorted(r.job_id for r in results) == [jobs[1].id, jobs[2].id]
    assert server.requests == {"list": 3}


async def test_a_kept_open_waiter_outlives_its_jobs_until_closed() -> None:
    jobs = made(2, first=0, finish_at=0)
    server = await start_server([])
    try:
        async with client_of(server) as client:
            waiter = client.jobs.wait_many([], poll_interval=FAST, keep_open=True)
            seen: list[str] = []
            arrived: asyncio.Queue[str] = asyncio.Queue()

            async def worker() -> None:
                async for result in waiter:
                    seen.append(result.job_id)
                    arrived.put_nowait(result.job_id)

            task = asyncio.create_task(worker())
            await asyncio.sleep(0)
            server.add(jobs)
            waiter.add([jobs[0].id])
            async with asyncio.timeout(10):
                await arrived.get()
            assert not task.done()  # no job pending, still iterating
            waiter.add([jobs[1].id, jobs[1].id])
            async with asyncio.timeout(10):
                await arrived.get()
            await waiter.aclose()
            async with asyncio.timeout(10):
                await task
            with pytest.raises(ftclient.InvalidParameterError):
                waiter.add(["ftjob-late"])
    finally:
        await server.stop()
    assert seen == [jobs[0].id, jobs[1].id]
    assert server.requests == {"retrieve": 2}  # a lone job costs one retrieve, not a page


@pytest.mark.parametrize("bad", ["ftjob-1", 5, [""]])
async def test_add_refuses_what_is_not_a_collection_of_ids(bad: object) -> None:
    server = await start_server([])
    try:
        async with client_of(server) as client:
            waiter = client.jobs.wait_many([], keep_open=True)
            with pytest.raises(ftclient.InvalidParameterError) as info:
                waiter.add(bad)  # type: ignore[arg-type]
            assert info.value.param.startswith("job_ids")
    finally:
        await server.stop()
    assert server.requests == {}


async def test_jobs_added_above_the_placed_ones_push_them_down_without_retrieves() -> None:
    # 1,015 placed jobs fill 11 pages (15 on the last, above older ones); 1,000 added on top push
    # them 10 pages down. The next round reads all 21 pages. The rule "stop once the pages read
    # outnumber the jobs still unseen" alone gave up at page 20 and retrieved the last 15.
    first, later = made(1015, first=0), made(1000, first=1015)
    server = await start_server(first)
    try:
        async with client_of(server) as client:
            waiter = client.jobs.wait_many([j.id for j in first], poll_interval=FAST)

            def add_then_finish(count: int) -> None:
                if count == 11:  # round 1's last page
                    server.add(later)
                    waiter.add([j.id for j in later])
                    for job in first + later:
                        job.finish_at = 12

            server.on_list = add_then_finish
            results = await drain(waiter)
    finally:
        await server.stop()
    assert len(results) == 2015
    assert all(r.ok for r in results)
    assert server.requests == {"list": 11 + 21}
