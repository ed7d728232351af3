"""wait_many against a scripted jobs server of the test's own: cost, survival, lifecycle."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

import pytest

import ftclient
from benchmarks.jobs_server import JobsServer, ScriptedJob

from .scripted import FAST, client_of

NEVER = math.inf


def scripted(
    count: int, *, prefix: str = "ftjob-", created: int = 1_700_000_000
) -> list[ScriptedJob]:
    """``count`` running jobs, one second apart, oldest first."""
    return [ScriptedJob(f"{prefix}{i:05d}", created + i, NEVER) for i in range(count)]


@pytest.fixture
async def server() -> AsyncIterator[JobsServer]:
    mine = scripted(250)
    older = scripted(300, prefix="ftjob-other-", created=1_600_000_000)
    srv = await JobsServer(older + mine, clock=lambda: 0.0).start()
    yield srv
    await srv.stop()


@pytest.fixture
async def client(server: JobsServer) -> AsyncIterator[ftclient.FineTuningClient]:
    async with client_of(server) as c:
        yield c


def ours(server: JobsServer) -> list[str]:
    return [job_id for job_id in server.jobs if not job_id.startswith("ftjob-other-")]


def finish(server: JobsServer, *job_ids: str) -> None:
    for job_id in job_ids:
        server.jobs[job_id].finish_at = 0.0


async def drain(waiter: ftclient.JobWaiter) -> list[ftclient.WaitResult]:
    async with asyncio.timeout(10):  # a bound, never reached when the code is right
        return [result async for result in waiter]


async def test_a_round_reads_only_the_pages_that_hold_the_jobs(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ours(server)  # the 250 newest jobs; 300 older ones lie beneath them
    for job_id in ids[:50]:
        server.jobs[job_id].finish_at = 0  # done at once
    for job_id in ids[50:]:
        server.jobs[job_id].finish_at = 4  # done from the 4th list request on
    server.clock = lambda: server.requests["list"]
    results = await drain(client.jobs.wait_many(ids, poll_interval=FAST))
    assert sorted(r.job_id for r in results) == sorted(ids)
    assert all(r.ok and r.job is not None and r.job.status == "succeeded" for r in results)
    # round 1: 3 pages of 100 reach all 250; round 2: the 200 left sit on the first 2 pages
    assert server.requests == {"list": 5}


async def test_a_round_stops_at_a_page_older_than_every_job_it_looks_for(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ours(server)[-150:]  # the 150 newest: pages 1 and 2 in round 1
    for job in server.jobs.values():
        job.finish_at = 3 if job.id in ids else job.finish_at
    for job_id in ids[:60]:
        server.jobs[job_id].listed_until = 3  # from the 3rd list on, the oldest 60 are not listed
    server.clock = lambda: server.requests["list"]
    results = await drain(client.jobs.wait_many(ids, poll_interval=FAST))
    assert sorted(r.job_id for r in results) == sorted(ids)
    assert all(r.ok for r in results)
    # round 2 reads one page: it ends with jobs older than the 60 it did not find, which are
    # then retrieved; reading on would cost 3 more pages for nothing
    assert server.requests == {"list": 3, "retrieve": 60}


async def test_a_timeout_reports_the_jobs_still_pending(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    job_id = ours(server)[0]
    with pytest.raises(ftclient.WaitTimeoutError) as info:
        await drain(client.jobs.wait_many([job_id], poll_interval=FAST, timeout=0.05))
    assert str(info.value) == "1 job(s) not finished after 0.05s"
    assert set(info.value.last) == {job_id}
    assert info.value.last[job_id].status == "running"


async def test_a_round_reads_down_to_deep_jobs_only_while_that_pays(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    top = ours(server)[-50:]  # page 1
    deep = [f"ftjob-other-{i:05d}" for i in range(245, 250)]  # page 4, among older jobs
    server.clock = lambda: server.requests["list"]
    for job_id in top + deep[3:]:
        server.jobs[job_id].finish_at = 6
    for job_id in deep[:3]:
        server.jobs[job_id].finish_at = 1
    results = await drain(client.jobs.wait_many(top + deep, poll_interval=FAST))
    assert sorted(r.job_id for r in results) == sorted(top + deep)
    assert all(r.ok for r in results)
    # round 1 reads 4 pages (5 jobs unseen after each of the first 3) and 3 deep ones are done;
    # then 1 page for the 50 on top and 2 retrieves beat 4 pages for all 52: rounds 2 and 3
    assert server.requests == {"list": 6, "retrieve": 4}


async def test_a_few_deep_jobs_left_are_retrieved_rather_than_read_down_to(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    top = ours(server)[-50:]  # page 1
    deep = [f"ftjob-other-{i:05d}" for i in range(245, 250)]  # page 4
    server.clock = lambda: server.requests["list"] + server.requests["retrieve"]
    for job_id in top + deep[:3]:
        server.jobs[job_id].finish_at = 1  # done when round 1 sees them
    for job_id in deep[3:]:
        server.jobs[job_id].finish_at = 8  # done from the 8th request on
    results = await drain(client.jobs.wait_many(top + deep, poll_interval=FAST))
    assert sorted(r.job_id for r in results) == sorted(top + deep)
    assert all(r.ok for r in results)
    # after round 1 (4 pages), 2 jobs on page 4 are left: 2 retrieves a round beat 4 pages
    assert server.requests == {"list": 4, "retrieve": 5}


async def test_jobs_beneath_many_others_are_retrieved_instead(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    deep = ["ftjob-other-00000", "ftjob-other-00001"]  # the oldest: 548 newer jobs above
    for job_id in deep:
        server.jobs[job_id].finish_at = 6  # from the 6th retrieve on
    server.clock = lambda: server.requests["retrieve"]
    results = await drain(client.jobs.wait_many(deep, poll_interval=FAST))
    assert sorted(r.job_id for r in results) == deep
    assert all(r.ok for r in results)
    # two pages cost as much as two retrieves: the list is given up after them for good
    assert server.requests == {"list": 2, "retrieve": 7}


async def test_an_unknown_id_is_reported_and_the_others_finish(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ours(server)[-10:]
    finish(server, *ids)
    unknown = ["ftjob-missing-1", "ftjob-missing-2", "ftjob-missing-3"]
    results = await drain(client.jobs.wait_many([*ids, *unknown], poll_interval=FAST))
    by_id = {r.job_id: r for r in results}
    assert len(results) == 13
    assert sorted(by_id) == sorted([*ids, *unknown])
    assert all(by_id[i].ok and by_id[i].job is not None for i in ids)
    for job_id in unknown:
        assert isinstance(by_id[job_id].error, ftclient.NotFoundError)
        assert by_id[job_id].job is None
        assert not by_id[job_id].ok


async def test_transient_failures_keep_a_job_pending(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    job_id = ours(server)[0]
    finish(server, job_id)
    server.fail_retrieve(job_id, 503, 503, 503, 503, 503)  # two polls and a half (1 retry each)
    results = await drain(client.jobs.wait_many([job_id], poll_interval=FAST))
    assert [(r.job_id, r.ok) for r in results] == [(job_id, True)]
    assert server.requests == {"retrieve": 6}


async def test_a_job_whose_polls_keep_failing_is_reported_alone(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    failing, fine = ours(server)[:2]
    finish(server, fine)
    server.fail_list(403)  # a key that may not list: one retrieve per job from then on
    server.fail_retrieve(failing, *[503] * 100)
    waiter = client.jobs.wait_many([failing, fine], poll_interval=FAST, max_failed_polls=3)
    results = {r.job_id: r for r in await drain(waiter)}
    assert results[fine].ok
    assert isinstance(results[failing].error, ftclient.InternalServerError)
    assert results[failing].job is None
    assert server.requests == {"list": 1, "retrieve": 1 + 3 * 2}


async def test_a_job_given_up_on_keeps_the_last_job_seen(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ours(server)[-2:]
    server.fail_list(0, 403)  # round 1 lists both (running); then retrieves only
    server.fail_retrieve(ids[0], *[503] * 100)
    finish(server, ids[1])
    waiter = client.jobs.wait_many(ids, poll_interval=FAST, max_failed_polls=2)
    results = {r.job_id: r for r in await drain(waiter)}
    assert results[ids[1]].ok
    given_up = results[ids[0]]
    assert isinstance(given_up.error, ftclient.InternalServerError)
    assert given_up.job is not None  # what round 1 saw
    assert (given_up.job.id, given_up.job.status) == (ids[0], "running")


async def test_a_list_that_fails_for_a_while_keeps_every_job_pending(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ours(server)[-5:]
    finish(server, *ids)
    server.fail_list(503, 503)  # the first round's list fails after its retry
    results = await drain(client.jobs.wait_many(ids, poll_interval=FAST))
    assert sorted(r.job_id for r in results) == sorted(ids)
    assert all(r.ok for r in results)
    assert server.requests == {"list": 3}


def pollers() -> list[asyncio.Task[object]]:
    current = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not current and "Watch" in repr(t.get_coro())]


@pytest.mark.parametrize("how", ["iterator dropped", "waiter kept", "exception in the body"])
async def test_leaving_the_loop_stops_every_poller_at_once(
    server: JobsServer,
    client: ftclient.FineTuningClient,
    how: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = ours(server)[:3]
    finish(server, ids[0])
    server.fail_list(403)  # retrieves, so that there are several pollers
    waiter = client.jobs.wait_many(ids, poll_interval=FAST, concurrency=2)
    if how == "iterator dropped":
        async for _ in client.jobs.wait_many(ids, poll_interval=FAST, concurrency=2):
            break
    elif how == "waiter kept":
        async for _ in waiter:
            break
    else:

        async def consume() -> None:
            async for _ in waiter:
                raise LookupError("the caller's own bug")

        with pytest.raises(LookupError):
            await consume()
    for _ in range(3):
        await asyncio.sleep(0)
    assert all(task.cancelling() for task in pollers())  # cancelled at once
    for _ in range(100):
        if not pollers():
            break
        await asyncio.sleep(0.001)
    assert pollers() == []
    before = sum(server.requests.values())
    await asyncio.sleep(0.02)  # rounds would come every millisecond
    assert sum(server.requests.values()) == before
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []  # no noise


async def test_notify_retrieves_a_job_at_once(
    server: JobsServer, client: ftclient.FineTuningClient
) -> None:
    ids = ours(server)[-5:]
    safety_net = ftclient.PollSchedule(initial=1000, maximum=1000)
    waiter = client.jobs.wait_many(ids, poll_interval=safety_net)
    assert waiter.notify(ids[0]) is False  # not iterating yet: the first round covers it
    results = aiter(waiter)
    first = asyncio.ensure_future(anext(results))
    for _ in range(200):
        if server.requests["list"]:
            break
        await asyncio.sleep(0.001)
    assert server.requests == {"list": 1}  # the first round read the one page
    finish(server, ids[2])
    assert waiter.notify("ftjob-not-watched") is False
    assert waiter.notify(123) is False  # type: ignore[arg-type]
    assert waiter.notify(ids[2]) is True
    result = await asyncio.wait_for(first, 5)
    assert (result.job_id, result.ok) == (ids[2], True)
    assert server.requests == {"list": 1, "retrieve": 1}
    assert waiter.pending == frozenset(ids) - {ids[2]}
    await waiter.aclose()
    assert pollers() == []
    assert [r async for r in waiter] == []  # closed for good


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"job_ids": None}, "job_ids"),
        ({"job_ids": "ftjob-abc"}, "job_ids"),
        ({"job_ids": ["ftjob-a", ""]}, "job_ids[1]"),
        ({"job_ids": ["ftjob-a", 7]}, "job_ids[1]"),
        ({"concurrency": 0}, "concurrency"),
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"max_failed_polls": 0}, "max_failed_polls"),
        ({"stop_on": "paused"}, "stop_on"),
        ({"stop_on": 5}, "stop_on"),
        ({"poll_interval": math.inf}, "poll_interval"),
        ({"poll_interval": "fast"}, "poll_interval"),
    ],
)
async def test_wait_many_refuses_bad_arguments_before_sending(
    server: JobsServer, client: ftclient.FineTuningClient, kwargs: dict[str, object], param: str
) -> None:
    arguments: dict[str, object] = {"job_ids": ["ftjob-a"], **kwargs}
    with pytest.raises(ftclient.InvalidParameterError) as info:
        client.jobs.wait_many(**arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    assert server.requests == {}


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"stop_on": 5}, "stop_on"),
        ({"stop_on": "paused"}, "stop_on"),
        ({"timeout": math.inf}, "timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"on_update": "print"}, "on_update"),
    ],
)
async def test_wait_refuses_bad_arguments_before_sending(
    server: JobsServer, client: ftclient.FineTuningClient, kwargs: dict[str, object], param: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await client.jobs.wait("ftjob-a", **kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
    assert server.requests == {}


@pytest.mark.parametrize(
    ("retry_statuses", "failures", "ok", "retrieves"),
    [
        # The client retries 418, so a poll that keeps getting it is transient: polled again.
        (frozenset({418}), [418, 418, 418, 418], True, 5),
        # The client does not retry 409: wait_many reports it at once, as the client would.
        (frozenset(), [409], False, 1),
    ],
)
async def test_wait_many_classifies_failures_with_the_clients_retry_policy(
    server: JobsServer,
    retry_statuses: frozenset[int],
    failures: list[int],
    ok: bool,
    retrieves: int,
) -> None:
    job_id = ours(server)[0]
    finish(server, job_id)
    server.fail_retrieve(job_id, *failures)
    policy = ftclient.RetryPolicy(wait=False, max_retries=0, retry_statuses=retry_statuses)
    async with ftclient.FineTuningClient(
        api_key="sk-test", base_url=server.url, retry_policy=policy
    ) as client:
        results = await drain(client.jobs.wait_many([job_id], poll_interval=FAST))
    assert [(r.job_id, r.ok) for r in results] == [(job_id, ok)]
    if not ok:
        assert isinstance(results[0].error, ftclient.ConflictError)
    assert server.requests == {"retrieve": retrieves}
