"""How often the wait helpers poll: the server's hints, growing rounds, bugs that surface."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import AsyncIterator

import pytest

import ftclient
from benchmarks.jobs_server import JobsServer, ScriptedJob
from ftclient.polling.waiter import JobWaiter

from .scripted import FAST, client_of

HINTED = ftclient.PollSchedule(initial=0.001, maximum=1.0, factor=1.0, jitter=0.0)


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.fixture
async def server() -> AsyncIterator[JobsServer]:
    jobs = [ScriptedJob(f"ftjob-{i}", 1_700_000_000 + i, math.inf) for i in range(4)]
    srv = await JobsServer(jobs, clock=lambda: 0.0).start()
    yield srv
    await srv.stop()


@pytest.fixture
async def client(server: JobsServer) -> AsyncIterator[ftclient.FineTuningClient]:
    async with client_of(server) as c:
        yield c


def finish_on(server: JobsServer, kind: str, count: int, *job_ids: str) -> None:
    server.clock = lambda: server.requests[kind]
    for job_id in job_ids:
        server.jobs[job_id].finish_at = count


async def test_wait_obeys_a_hint_within_the_schedule_maximum(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    server.headers = {"retry-after-ms": "40"}
    finish_on(server, "retrieve", 3, "ftjob-0")
    job = await client.jobs.wait("ftjob-0", poll_interval=HINTED)
    assert job.status == "succeeded"
    assert len(server.arrivals["retrieve"]) == 3
    assert all(gap >= 0.035 for gap in gaps(server.arrivals["retrieve"]))


async def test_wait_ignores_a_hint_beyond_the_schedule_maximum(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    server.headers = {"retry-after": "3600"}
    finish_on(server, "retrieve", 3, "ftjob-0")
    async with asyncio.timeout(10):  # obeying it would take two hours
        job = await client.jobs.wait("ftjob-0", poll_interval=FAST)
    assert job.status == "succeeded"


async def test_wait_times_out_with_the_last_status(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    with pytest.raises(ftclient.WaitTimeoutError) as info:
        await client.jobs.wait("ftjob-0", poll_interval=FAST, timeout=0.05)
    assert str(info.value) == "job ftjob-0 not finished after 0.05s (last status: running)"
    assert info.value.last is not None
    assert info.value.last.status == "running"


async def test_wait_names_a_bad_job_id(client: ftclient.FineTuningClient) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await client.jobs.wait("", poll_interval=FAST)
    assert info.value.param == "job_id"


@pytest.mark.parametrize("kind", ["list", "retrieve"])
async def test_wait_many_rounds_obey_the_hint_of_their_answers(
    server: JobsServer, client: ftclient.FineTuningClient, kind: str
) -> None:
    server.headers = {"retry-after-ms": "40"}
    ids = ["ftjob-0", "ftjob-1"] if kind == "list" else ["ftjob-0"]
    finish_on(server, kind, 3, *ids)
    results = [r async for r in client.jobs.wait_many(ids, poll_interval=HINTED)]
    assert all(r.ok for r in results)
    assert len(server.arrivals[kind]) == 3
    assert all(gap >= 0.035 for gap in gaps(server.arrivals[kind]))


async def test_a_failed_poll_hint_is_obeyed_too(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    server.headers = {"retry-after-ms": "40"}
    server.fail_retrieve("ftjob-0", 503, 503)  # the first poll fails (after its retry)
    finish_on(server, "retrieve", 0, "ftjob-0")
    [result] = [r async for r in client.jobs.wait_many(["ftjob-0"], poll_interval=HINTED)]
    assert result.ok
    # the client's own retry obeys the hint too (its policy does not wait); then the round's
    assert gaps(server.arrivals["retrieve"])[-1] >= 0.035


async def test_rounds_grow_while_nothing_finishes(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    growing = ftclient.PollSchedule(initial=0.01, maximum=1.0, factor=2.0, jitter=0.0)
    finish_on(server, "list", 5, "ftjob-0", "ftjob-1")
    results = [
        r async for r in client.jobs.wait_many(["ftjob-0", "ftjob-1"], poll_interval=growing)
    ]
    assert all(r.ok for r in results)
    waited = gaps(server.arrivals["list"])
    assert len(waited) == 4
    assert waited[3] >= 0.08 * 0.9  # 0.01, 0.02, 0.04, 0.08


async def test_a_success_between_failures_starts_the_count_over(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    # each failed poll is two answers (the client retries once); a good one comes between
    server.fail_retrieve("ftjob-0", 503, 503, 0, 503, 503, 0, 503, 503)
    finish_on(server, "retrieve", 9, "ftjob-0")
    waiter = client.jobs.wait_many(["ftjob-0"], poll_interval=FAST, max_failed_polls=2)
    [result] = [r async for r in waiter]
    assert result.ok
    assert server.requests == {"retrieve": 9}


async def test_a_list_refused_for_good_is_not_asked_again(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ["ftjob-0", "ftjob-1", "ftjob-2"]
    server.fail_list(403)
    finish_on(server, "retrieve", 7, *ids)  # done in the third round of retrieves
    results = [r async for r in client.jobs.wait_many(ids, poll_interval=FAST)]
    assert all(r.ok for r in results)
    assert server.requests == {"list": 1, "retrieve": 9}


async def test_ids_no_list_holds_are_retrieved(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    empty = await JobsServer([]).start()
    try:
        async with ftclient.FineTuningClient(api_key="sk-test", base_url=empty.url) as other:
            results = [
                r async for r in other.jobs.wait_many(["ftjob-a", "ftjob-b"], poll_interval=FAST)
            ]
    finally:
        await empty.stop()
    assert all(isinstance(r.error, ftclient.NotFoundError) for r in results)
    assert empty.requests == {"list": 1, "retrieve": 2}


async def test_iterating_again_resumes_the_jobs_not_yet_yielded(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ["ftjob-0", "ftjob-1", "ftjob-2"]
    finish_on(server, "list", 0, ids[0])
    waiter = client.jobs.wait_many(ids, poll_interval=FAST)
    first = await anext(aiter(waiter))  # then the iterator is dropped: its pollers stop
    assert first.job_id == ids[0]
    assert waiter.pending == frozenset(ids[1:])
    for job_id in ids[1:]:
        server.jobs[job_id].finish_at = 0
    rest = [r.job_id async for r in waiter]
    assert sorted(rest) == ids[1:]
    assert waiter.notify(["not", "an", "id"]) is False  # type: ignore[arg-type]


class Broken:
    """A jobs resource with a bug: every call raises something that is not an ftclient error."""

    def list(self, **kwargs: object) -> object:
        raise ZeroDivisionError("a bug in list")

    async def retrieve(self, job_id: str) -> object:
        raise ZeroDivisionError("a bug in retrieve")


@pytest.mark.parametrize("ids", [["ftjob-a"], ["ftjob-a", "ftjob-b"]])
async def test_a_bug_ends_the_iteration_with_its_own_exception(ids: list[str]) -> None:
    waiter = JobWaiter(
        Broken(),  # type: ignore[arg-type]
        ids,
        concurrency=4,
        poll_interval=FAST,
        timeout=None,
        stop_on=(),
        max_failed_polls=3,
    )

    async def drain() -> None:
        async with asyncio.timeout(10):
            async for _ in waiter:
                pass

    with pytest.raises(ZeroDivisionError, match="a bug in"):
        await drain()


async def test_a_failed_list_hint_spaces_the_next_round(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    server.headers = {"retry-after-ms": "40"}
    server.fail_list(503, 503)  # round 1's list fails after its retry
    finish_on(server, "list", 0, "ftjob-0", "ftjob-1")
    results = [r async for r in client.jobs.wait_many(["ftjob-0", "ftjob-1"], poll_interval=HINTED)]
    assert all(r.ok for r in results)
    assert server.requests == {"list": 3}
    assert gaps(server.arrivals["list"])[-1] >= 0.035


async def test_jobs_a_list_stops_showing_are_retrieved(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ["ftjob-0", "ftjob-1", "ftjob-2"]
    server.clock = lambda: server.requests["list"]
    for job_id in ids:
        server.jobs[job_id].listed_until = 2  # the second list shows none of them
    server.jobs["ftjob-3"].listed_until = 2  # nor the one other job: an empty page
    finish_on(server, "list", 2, *ids)
    results = [r async for r in client.jobs.wait_many(ids, poll_interval=FAST)]
    assert all(r.ok for r in results)
    assert server.requests == {"list": 2, "retrieve": 3}


async def test_a_timeout_before_any_answer_says_so(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    server.delay = 0.2
    with pytest.raises(ftclient.WaitTimeoutError) as info:
        await client.jobs.wait("ftjob-0", poll_interval=FAST, timeout=0.02)
    assert str(info.value) == "job ftjob-0 not finished after 0.02s (last status: unknown)"
    assert info.value.last is None


async def test_a_timeout_error_of_the_callers_own_is_not_a_wait_timeout(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    def on_update(job: object) -> None:
        raise TimeoutError("the caller's own")

    with pytest.raises(TimeoutError, match="the caller's own") as info:
        await client.jobs.wait("ftjob-0", poll_interval=FAST, on_update=on_update)
    assert not isinstance(info.value, ftclient.WaitTimeoutError)
    with pytest.raises(TimeoutError, match="the caller's own") as again:
        await client.jobs.wait("ftjob-0", poll_interval=FAST, on_update=on_update, timeout=60)
    assert not isinstance(again.value, ftclient.WaitTimeoutError)
