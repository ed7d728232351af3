"""Polling helpers: wait for a job to finish, follow a job's events.

They stand in for ``client.jobs.wait`` and ``client.jobs.follow_events``, which the library does
not have yet; each is one function so the CLI can switch to the library's versions in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from .. import FineTuningClient
from ..errors import WaitTimeoutError
from ..models import FineTuningJob, FineTuningJobEvent

__all__ = ["events_since", "follow_events", "wait_for_job"]

EVENT_PAGE_SIZE = 100


async def wait_for_job(
    client: FineTuningClient,
    job_id: str,
    *,
    poll_interval: float,
    timeout: float | None = None,
    on_update: Callable[[FineTuningJob], None] | None = None,
) -> FineTuningJob:
    """Poll a job until it succeeds, fails or is cancelled.

    Args:
        client: the client to poll with.
        job_id: the job.
        poll_interval: seconds between two retrievals.
        timeout: give up after this many seconds (None: wait for ever).
        on_update: called with every retrieved job, the final one included.

    Returns:
        The job in its terminal state.

    Raises:
        WaitTimeoutError: ``timeout`` passed first; ``last`` is the last job seen.
        APIError: retrieving the job failed (after the client's retries).
    """
    last: FineTuningJob | None = None
    try:
        async with asyncio.timeout(timeout):
            while True:
                last = await client.jobs.retrieve(job_id)
                if on_update is not None:
                    on_update(last)
                if last.is_terminal:
                    return last
                await asyncio.sleep(poll_interval)
    except TimeoutError:
        status = f" (status {last.status})" if last is not None else ""
        raise WaitTimeoutError(
            f"gave up waiting for job {job_id} after {timeout:g}s{status}", last=last
        ) from None


async def events_since(
    client: FineTuningClient, job_id: str, newest_seen: str | None, *, limit: int | None = None
) -> tuple[list[FineTuningJobEvent], str | None]:
    """The job's events newer than ``newest_seen``, oldest first.

    Args:
        client: the client.
        job_id: the job.
        newest_seen: id of the newest event already seen, or None for the whole history.
        limit: keep only the newest ``limit`` of them.

    Returns:
        ``(events, newest)``: the events, and the id of the newest event now seen (which is
        ``newest_seen`` when nothing is new).
    """
    page_size = EVENT_PAGE_SIZE if limit is None else max(1, min(limit, EVENT_PAGE_SIZE))
    fresh: list[FineTuningJobEvent] = []
    newest = newest_seen
    async for event in client.jobs.list_events(job_id, limit=page_size):
        if event.id == newest_seen:
            break
        if newest == newest_seen:
            newest = event.id
        if limit is not None and len(fresh) >= limit:
            break
        fresh.append(event)
    fresh.reverse()
    return fresh, newest


async def follow_events(
    client: FineTuningClient,
    job_id: str,
    *,
    poll_interval: float,
    history: int | None = None,
    on_job: Callable[[FineTuningJob], None] | None = None,
) -> AsyncIterator[FineTuningJobEvent]:
    """Yield a job's events oldest first as they appear, until the job has finished.

    The job is retrieved before each look at the events, so once it is seen finished the events
    fetched next include its last one and the stream can end without losing any.

    Args:
        client: the client.
        job_id: the job.
        poll_interval: seconds between two polls.
        history: how many past events to yield first (None: all of them).
        on_job: called with the job retrieved at each poll.

    Raises:
        APIError: a request failed (after the client's retries).
    """
    newest: str | None = None
    first = True
    while True:
        job = await client.jobs.retrieve(job_id)
        if on_job is not None:
            on_job(job)
        fresh, newest = await events_since(client, job_id, newest, limit=history if first else None)
        first = False
        for event in fresh:
            yield event
        if job.is_terminal:
            return
        await asyncio.sleep(poll_interval)
