"""``jobs.watch``: every status change of every job matching a filter, from list pages alone.

The service is the only state. A round reads ``jobs.list(metadata=...)`` pages, newest first,
and yields each job whose status differs from the one last seen (with that previous status).
The first round reads every page (a restart picks up from what the service shows); after that a
round stops at the first page that

- comes after every job still active (terminal jobs do not change), and
- holds a job already known before the round (new jobs are listed above the known ones),

so a round costs the pages down to the oldest active job, however many jobs the filter holds.
A job still active that a whole read did not show is retrieved instead.

Per job the watch keeps its id and status only (statuses are shared strings), a few hundred
bytes: the jobs it yields are the caller's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import NamedTuple

from .._checks import MAX_PAGE_SIZE
from ..models import TERMINAL_STATUSES, FineTuningJob
from ._api import JobReads
from .wait import PollSchedule, hint_of

__all__ = ["JobChange", "watch_jobs"]


class JobChange(NamedTuple):
    """One status change: the job as now listed, and its status before (None: first seen)."""

    job: FineTuningJob
    previous: str | None


async def watch_jobs(
    jobs: JobReads,
    *,
    metadata: Mapping[str, str] | None,
    schedule: PollSchedule,
    existing: bool,
    page_size: int = MAX_PAGE_SIZE,
) -> AsyncIterator[JobChange]:
    """Yield a :class:`JobChange` per status change, round after round (see the module)."""
    known: dict[str, str] = {}
    statuses: dict[str, str] = {}  # one string object per status, shared by every job
    first = True
    current = schedule.initial
    while True:
        changed = 0
        active = {job_id for job_id, status in known.items() if status not in TERMINAL_STATUSES}
        hints: list[float | None] = []
        complete = True
        async for page in jobs.list(limit=page_size, metadata=metadata).pages():
            hints.append(hint_of(page, schedule.maximum))
            old_seen = False
            for job in page.data:
                status = str(job.status)
                previous = known.get(job.id)
                old_seen = old_seen or previous is not None
                active.discard(job.id)
                if previous != status:
                    known[job.id] = statuses.setdefault(status, status)
                    changed += 1
                    if existing or not first:
                        yield JobChange(job, previous)
            if not first and not active and old_seen:
                complete = False
                break
        if complete:
            for job_id in active:  # active, yet not listed: ask for it
                job = await jobs.retrieve(job_id)
                status = str(job.status)
                if known.get(job_id) != status:
                    previous, known[job_id] = known[job_id], statuses.setdefault(status, status)
                    changed += 1
                    yield JobChange(job, previous)
        first = False
        if changed and not first:
            current = schedule.initial  # changes come together: look again soon
        sleep, current = schedule.after(current, max((h for h in hints if h), default=None))
        await jobs.clock.sleep(sleep)
