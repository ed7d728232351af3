"""wait, follow_events and wait_many against the emulator's simulated clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import ftclient
from ftclient.models import FineTuningJob
from ftclient.testing import FineTuningEmulator

from .helpers import sent

FAST = ftclient.PollSchedule(initial=0.001, maximum=0.002, jitter=0.0)


async def ticking(emulator: FineTuningEmulator, step: float = 30.0, ticks: int = 2000) -> None:
    """Move the simulated clock forward in the background (bounded)."""
    for _ in range(ticks):
        emulator.clock.advance(step)
        await asyncio.sleep(0.001)


async def test_wait_returns_the_terminal_job_and_reports_changes(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    seen: list[str] = []

    def record(update: FineTuningJob) -> None:
        seen.append(str(update.status))

    ticker = asyncio.create_task(ticking(emulator, step=5))
    try:
        done = await client.jobs.wait(job.id, poll_interval=FAST, on_update=record, timeout=30)
    finally:
        ticker.cancel()
    assert done.status == "succeeded"
    order = ["validating_files", "queued", "running", "succeeded"]
    assert seen[-1] == "succeeded"
    assert "running" in seen
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)
    assert len(sent(emulator, "retrieveFineTuningJob")) >= len(seen)


async def test_wait_keeps_waiting_through_pause_unless_told(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    emulator.clock.advance(60)
    for _ in range(100):  # bounded: a job that never runs fails the test, not the suite
        if (await client.jobs.retrieve(job.id)).status == "running":
            break
        emulator.clock.advance(5)
    await client.jobs.pause(job.id)
    paused = await client.jobs.wait(job.id, poll_interval=FAST, stop_on={"paused"})
    assert paused.status == "paused"

    async def resume_when_seen(update: FineTuningJob) -> None:
        if update.status == "paused":
            await client.jobs.resume(job.id)

    ticker = asyncio.create_task(ticking(emulator, step=5))
    try:
        done = await client.jobs.wait(
            job.id, poll_interval=FAST, on_update=resume_when_seen, timeout=30
        )
    finally:
        ticker.cancel()
    assert done.status == "succeeded"


async def test_wait_timeout_carries_the_last_job(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    with pytest.raises(ftclient.WaitTimeoutError) as info:
        await client.jobs.wait(job.id, poll_interval=FAST, timeout=0.05)
    assert isinstance(info.value, TimeoutError)
    assert isinstance(info.value.last, FineTuningJob)
    assert info.value.last.id == job.id
    assert info.value.last.status == "validating_files"


async def test_wait_returns_failed_jobs_with_their_error(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-fail-bad-rows")
    emulator.clock.advance(3600)
    done = await client.jobs.wait(job.id, poll_interval=FAST)
    assert done.status == "failed"
    assert done.error is not None
    assert done.error.code


async def collect(events: AsyncIterator[object], emulator: FineTuningEmulator) -> list[str]:
    out: list[str] = []
    async for event in events:
        out.append(event.id)  # type: ignore[attr-defined]
        emulator.clock.advance(7)
    return out


async def test_follow_events_yields_each_event_once_in_order(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    ticker = asyncio.create_task(ticking(emulator, step=15))
    try:
        followed = await collect(
            client.jobs.follow_events(job.id, poll_interval=FAST, page_size=5, settle=0), emulator
        )
    finally:
        ticker.cancel()
    everything = [e.id async for e in client.jobs.list_events(job.id, limit=100)]
    assert followed == list(reversed(everything))  # chronological, no gaps, no duplicates


async def test_follow_events_catches_up_across_many_pages_between_polls(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    emulator.clock.advance(120)
    stream = client.jobs.follow_events(job.id, poll_interval=FAST, page_size=3, settle=0)
    first = await anext(stream)
    # a burst: far more than one page of events appears before the next poll
    emulator.clock.advance(24 * 3600)
    rest = [e.id async for e in stream]
    everything = [e.id async for e in client.jobs.list_events(job.id, limit=100)]
    assert [first.id, *rest] == list(reversed(everything))


async def test_follow_events_resumes_after_a_given_event(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    emulator.clock.advance(24 * 3600)
    everything = list(reversed([e.id async for e in client.jobs.list_events(job.id, limit=100)]))
    marker = everything[10]
    resumed = [
        e.id
        async for e in client.jobs.follow_events(job.id, since=marker, poll_interval=FAST, settle=0)
    ]
    assert resumed == everything[11:]
    none_old = [
        e.id
        async for e in client.jobs.follow_events(
            job.id, include_existing=False, poll_interval=FAST, settle=0
        )
    ]
    assert none_old == []


async def test_wait_many_yields_jobs_as_they_finish(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    ids = []
    for i in range(12):
        file = "file-fail-x" if i % 4 == 0 else f"file-{i}"
        ids.append((await client.jobs.create(model="gpt-4o-mini", training_file=file)).id)
    ticker = asyncio.create_task(ticking(emulator, step=20))
    try:
        async with client.jobs.wait_many([*ids, ids[0]], concurrency=4, poll_interval=FAST) as w:
            results = [result async for result in w]
    finally:
        ticker.cancel()
    assert all(result.ok for result in results)
    finished = [result.job for result in results if result.job is not None]
    assert sorted(j.id for j in finished) == sorted(ids)
    assert {j.status for j in finished} == {"succeeded", "failed"}
    failed = [j for j in finished if j.status == "failed"]
    assert len(failed) == 3
    assert {j.id for j in failed} == {ids[0], ids[4], ids[8]}
    assert all(emulator.job_json(j.id)["status"] == j.status for j in finished)


async def test_wait_many_bounds_concurrency_and_cancels_cleanly(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    ids = [
        (await client.jobs.create(model="gpt-4o-mini", training_file="file-t")).id
        for _ in range(10)
    ]
    emulator.faults.add("retrieveFineTuningJob", "delay", seconds=0.005, times=10_000)
    # a list it may not use leaves one retrieve per job: the bound applies to those
    emulator.faults.add("listPaginatedFineTuningJobs", "status", status=403)
    samples: list[int] = []

    async def sample() -> None:
        for _ in range(1000):
            samples.append(client.rate_gate.in_flight)
            await asyncio.sleep(0.0005)

    async def drain(waiter: ftclient.JobWaiter) -> None:
        async with asyncio.timeout(0.2):
            async for _ in waiter:
                pass

    sampler = asyncio.create_task(sample())
    waiter = client.jobs.wait_many(ids, concurrency=3, poll_interval=FAST)
    with pytest.raises(TimeoutError):
        await drain(waiter)
    await waiter.aclose()
    sampler.cancel()
    assert max(samples) == 3  # the bound was reached and never exceeded
    assert client.rate_gate.in_flight == 0
    emulator.faults.clear()


async def test_wait_many_timeout_reports_pending_jobs(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    with pytest.raises(ftclient.WaitTimeoutError) as info:
        async for _ in client.jobs.wait_many([job.id], poll_interval=FAST, timeout=0.05):
            pass
    assert set(info.value.last) == {job.id}


async def test_wait_many_reports_an_unknown_id_in_its_result(
    client: ftclient.FineTuningClient,
) -> None:
    results = [r async for r in client.jobs.wait_many(["ftjob-missing"], poll_interval=FAST)]
    assert [r.job_id for r in results] == ["ftjob-missing"]
    assert isinstance(results[0].error, ftclient.NotFoundError)
    assert results[0].job is None
    assert not results[0].ok
