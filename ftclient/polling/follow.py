"""``jobs.follow_events``: every event the server lists for a job, once, as it appears.

What is promised: each event the server lists for the job while following, and up to the final
complete read, is yielded exactly once, except those listed (when following starts) at or below
``since``, or already existing with ``include_existing=False``. Events come oldest first within
each poll. Reads are incremental (newest first, down to the first page that holds an event
already yielded), so an event the server stores late behind events already yielded (an older
``created_at``) is yielded at the latest by the complete read made at the end. Once the job is
terminal, ``settle`` seconds later (the service lists some events a moment after the job ends)
they are read once completely, and the iterator ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection

from .. import _checks
from ..models import TERMINAL_STATUSES, FineTuningJobEvent
from ._api import JobReads
from .wait import OnUpdate, PollSchedule, notify, schedule_for

__all__ = ["follow_events"]


def follow_events(
    jobs: JobReads,
    job_id: str,
    *,
    since: str | None,
    include_existing: bool,
    poll_interval: float | PollSchedule,
    page_size: int,
    settle: float,
    on_job: OnUpdate | None = None,
) -> AsyncIterator[FineTuningJobEvent]:
    """Check the arguments now; return the iterator of a job's events (see the module).

    Raises:
        InvalidParameterError: a bad argument, named.
    """
    _checks.identifier(job_id, "job_id")
    if since is not None:
        _checks.identifier(since, "since")
    _checks.instance_of(include_existing, bool, "include_existing", "a bool")
    _checks.callback(on_job, "on_job")
    return _follow(
        jobs,
        job_id,
        since=since,
        include_existing=include_existing,
        schedule=schedule_for(poll_interval),
        page_size=_checks.positive_int(page_size, "page_size"),
        settle=_checks.seconds(settle, "settle", zero=True),
        on_job=on_job,
    )


async def _follow(
    jobs: JobReads,
    job_id: str,
    *,
    since: str | None,
    include_existing: bool,
    schedule: PollSchedule,
    page_size: int,
    settle: float,
    on_job: OnUpdate | None,
) -> AsyncIterator[FineTuningJobEvent]:
    seen: set[str] = set()
    if since is not None or not include_existing:
        listed = await _unseen(jobs, job_id, seen, page_size, complete=True)  # oldest first
        ids = [event.id for event in listed]
        cut = ids.index(since) + 1 if since in ids else (0 if since is not None else len(ids))
        seen.update(ids[:cut])
    current = schedule.initial
    while True:
        # Read the job first: once it is terminal, the reads that follow see its last events.
        job = await jobs.retrieve(job_id)
        await notify(on_job, job)
        fresh = await _unseen(jobs, job_id, seen, page_size, complete=False)
        for event in fresh:
            seen.add(event.id)
            yield event
        if job.status in TERMINAL_STATUSES:
            break
        if fresh:
            current = schedule.initial
        sleep, current = schedule.next(current, job)
        await jobs.clock.sleep(sleep)
    if settle:
        await jobs.clock.sleep(settle)
    for event in await _unseen(jobs, job_id, seen, page_size, complete=True):
        yield event


async def _unseen(
    jobs: JobReads, job_id: str, seen: Collection[str], page_size: int, *, complete: bool
) -> list[FineTuningJobEvent]:
    """The listed events not in ``seen``, oldest first (as listed), each once.

    Incremental (``complete=False``) stops after the first page holding an event in ``seen``;
    complete reads every page.
    """
    found: dict[str, FineTuningJobEvent] = {}
    async for page in jobs.list_events(job_id, limit=page_size).pages():
        fresh = [event for event in page.data if event.id not in seen]
        for event in fresh:
            found.setdefault(event.id, event)
        if not complete and len(fresh) < len(page.data):
            break
    return list(reversed(found.values()))
