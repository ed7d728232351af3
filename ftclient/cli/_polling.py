"""Polling for the CLI: the library's ``jobs.wait``/``jobs.follow_events`` at a fixed interval."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from .. import FineTuningClient, PollSchedule
from .._checks import MAX_PAGE_SIZE
from ..models import FineTuningJob, FineTuningJobEvent

__all__ = ["follow_events", "recent_events", "wait_for_job"]

EVENT_PAGE_SIZE = MAX_PAGE_SIZE


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


async def recent_events(
    client: FineTuningClient, job_id: str, limit: int | None
) -> list[FineTuningJobEvent]:
    """The job's newest ``limit`` events (all of them when None), oldest first."""
    size = EVENT_PAGE_SIZE if limit is None else min(limit, EVENT_PAGE_SIZE)
    events = await client.jobs.list_events(job_id, limit=size).to_list(max_items=limit)
    events.reverse()
    return events


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
        past = await recent_events(client, job_id, history)
        for event in past:
            yield event
        since = past[-1].id if past else None
    async for event in client.jobs.follow_events(
        job_id,
        since=since,
        poll_interval=_every(poll_interval),
        page_size=EVENT_PAGE_SIZE,
        settle=poll_interval,  # one more interval for the events listed just after the end
        on_job=on_job,
    ):
        yield event
