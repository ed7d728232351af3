"""Polling for the CLI: the library's ``jobs.wait``/``jobs.follow_events`` at a fixed interval."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from .. import FineTuningClient, PollSchedule
from ..models import FineTuningJob, FineTuningJobEvent

__all__ = ["events_since", "follow_events", "wait_for_job"]

EVENT_PAGE_SIZE = 100


def _every(poll_interval: float) -> PollSchedule:
    # The CLI's --poll-interval is a fixed interval, not the library's growing default.
    return PollSchedule(initial=poll_interval, maximum=poll_interval, jitter=0.0)


async def wait_for_job(
    client: FineTuningClient,
    job_id: str,
    *,
    poll_interval: float,
    timeout: float | None = None,
    on_update: Callable[[FineTuningJob], None] | None = None,
) -> FineTuningJob:
    """Poll a job every ``poll_interval`` seconds until it succeeds, fails or is cancelled.

    Raises:
        WaitTimeoutError: ``timeout`` passed first; ``last`` is the last job seen.
        APIError: retrieving the job failed (after the client's retries).
    """
    return await client.jobs.wait(
        job_id, poll_interval=_every(poll_interval), timeout=timeout, on_update=on_update
    )


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

    Args:
        client: the client.
        job_id: the job.
        poll_interval: seconds between two polls.
        history: how many past events to yield first (None: all of them).
        on_job: called with the job retrieved at each poll.

    Raises:
        APIError: a request failed (after the client's retries).
    """
    since: str | None = None
    if history is not None:
        past, since = await events_since(client, job_id, None, limit=history)
        for event in past:
            yield event
    async for event in client.jobs.follow_events(
        job_id,
        since=since,
        poll_interval=_every(poll_interval),
        page_size=EVENT_PAGE_SIZE,
        on_job=on_job,
    ):
        yield event
