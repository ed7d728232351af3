"""``client.jobs.wait``, ``follow_events`` and ``wait_many``: where ftclient.polling begins."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable
from typing import TYPE_CHECKING

from .._checks import MAX_PAGE_SIZE
from .._config import DEFAULT_SETTLE
from ..models import FineTuningJob, FineTuningJobEvent
from ._base import Resource

if TYPE_CHECKING:  # ftclient.polling loads on first use (import time)
    from ..polling._api import JobReads
    from ..polling.wait import OnUpdate, PollSchedule
    from ..polling.waiter import JobWaiter

    _Jobs = JobReads  # what the polling helpers read: the class this is a base of (``Jobs``)

__all__ = ["JobWatching"]


class JobWatching(Resource):
    """Waiting for jobs and following them (a base class of :class:`.jobs.Jobs`)."""

    __slots__ = ()

    async def wait(
        self: _Jobs,
        job_id: str,
        *,
        poll_interval: float | PollSchedule = 5.0,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        stop_on: Collection[str] = (),
    ) -> FineTuningJob:
        """Poll a job until it is ``succeeded``, ``failed`` or ``cancelled``, and return it.

        ``paused`` and unknown statuses keep waiting unless listed in ``stop_on``. Intervals start
        at ``poll_interval`` and grow gently (x1.25, jittered, at most 30 s); a ``Retry-After``
        hint of at most the schedule's maximum on a poll's response sets the next interval.

        Args:
            job_id: the job.
            poll_interval: first interval in seconds, or a :class:`~ftclient.PollSchedule`.
            timeout: give up after this many seconds (None waits forever).
            on_update: called (sync or async) with the job after every poll.
            stop_on: extra statuses to return on, e.g. ``{"paused"}``.

        Raises:
            InvalidParameterError: a bad argument, named, before anything is sent.
            WaitTimeoutError: ``timeout`` passed; ``.last`` is the last job seen.
            APIError: a poll failed after the client's retries (``NotFoundError``: no such job).
        """
        from ..polling.wait import wait  # ftclient.polling loads on first use (import time)

        return await wait(
            self,
            job_id,
            poll_interval=poll_interval,
            timeout=timeout,
            on_update=on_update,
            stop_on=stop_on,
        )

    def follow_events(
        self: _Jobs,
        job_id: str,
        *,
        since: str | None = None,
        include_existing: bool = True,
        poll_interval: float | PollSchedule = 2.0,
        page_size: int = MAX_PAGE_SIZE,
        settle: float = DEFAULT_SETTLE,
        on_job: OnUpdate | None = None,
    ) -> AsyncIterator[FineTuningJobEvent]:
        """Yield a job's events as they appear, until the job is terminal and its events settled.

        Every event the server lists for the job while it is followed is yielded exactly once,
        whatever order the server stores them in: new ones oldest first at each poll; one stored
        late behind events already yielded (an older ``created_at``) at the latest by the
        complete read at the end, made ``settle`` seconds after the job is terminal (the
        service lists some events a moment after the job ends). Resume after a restart by
        passing the last event id you processed as ``since``.

        Args:
            job_id: the job.
            since: yield only events listed above (newer than) this event id; an id the job
                does not list yields every event.
            include_existing: with no ``since``, also yield the events that already exist.
            poll_interval: first interval in seconds, or a :class:`~ftclient.PollSchedule`.
            page_size: events per list request.
            settle: seconds between seeing the job terminal and the final complete read.
            on_job: called (sync or async) with the job retrieved at each poll, e.g. to show
                its status next to the events.

        Raises:
            InvalidParameterError: a bad argument, named, at the call (before iterating).
            APIError: from the iteration, a request that failed after the client's retries.
            PaginationError: from the iteration, event pages that cannot be followed (a
                repeated cursor, or ``has_more`` with none).
        """
        from ..polling.follow import follow_events

        return follow_events(
            self,
            job_id,
            since=since,
            include_existing=include_existing,
            poll_interval=poll_interval,
            page_size=page_size,
            settle=settle,
            on_job=on_job,
        )

    def wait_many(
        self: _Jobs,
        job_ids: Iterable[str],
        *,
        concurrency: int = 64,
        poll_interval: float | PollSchedule = 2.0,
        timeout: float | None = None,
        stop_on: Collection[str] = (),
        max_failed_polls: int = 10,
        keep_open: bool = False,
    ) -> JobWaiter:
        """Watch many jobs; yield a :class:`~ftclient.WaitResult` for each as its outcome is known.

        ::

            async with client.jobs.wait_many(ids) as results:
                async for result in results:
                    if result.ok:
                        print(result.job_id, result.job.status)
                    else:
                        print(result.job_id, "could not be watched:", result.error)

        Every pending job is observed once per round, by whichever costs fewer requests:
        ``jobs.list`` pages (100 jobs each, newest first, only as deep as the jobs it looks for)
        or one retrieve per job (jobs the list cannot reach, or few jobs). Rounds start every
        ``poll_interval`` and grow like :class:`~ftclient.PollSchedule`; a round in which a job
        finished starts over at ``poll_interval``. Feed webhook events with
        :meth:`~ftclient.JobWaiter.notify` to learn of a job at once, polling being the safety
        net. One job's failure never stops the others.

        Args:
            job_ids: the jobs (a collection of ids; duplicates are watched once).
            concurrency: most retrieves in flight at the same time.
            poll_interval: first interval between rounds, or a :class:`~ftclient.PollSchedule`.
            timeout: give up after this many seconds overall (None: never).
            stop_on: extra statuses that count as finished, e.g. ``{"paused"}``.
            max_failed_polls: transient failures in a row after which a job is given up on.
            keep_open: keep iterating when no job is pending, for jobs added later with
                :meth:`~ftclient.JobWaiter.add`, until :meth:`~ftclient.JobWaiter.aclose`.

        Returns:
            A :class:`~ftclient.JobWaiter`; polling starts when you iterate it. Add jobs to it
            (:meth:`~ftclient.JobWaiter.add`) or drop them (:meth:`~ftclient.JobWaiter.remove`)
            while it runs.

        Raises:
            InvalidParameterError: at the call, a bad argument, named (a lone string as
                ``job_ids`` included), before anything is sent.
            WaitTimeoutError: from the iteration, when ``timeout`` passes; ``.last`` maps each
                pending id to the last job seen (or None).

            Nothing else is raised for a job's sake. A job's error is in its result's
            ``error``: a non-transient error at once (``NotFoundError`` for an unknown id,
            ``AuthenticationError``, ``InvalidParameterError`` for an id that cannot be sent);
            a transient one (what the client's ``RetryPolicy`` retries, by default connection
            errors, 408, 409, 429 and 5xx, or an undecodable body; each after those retries)
            keeps the job pending and polled on schedule, and is reported only after
            ``max_failed_polls`` failures in a row. An exception that is
            not an ftclient error (a bug) ends the iteration with that exception.
        """
        from ..polling.waiter import JobWaiter

        return JobWaiter(
            self,
            job_ids,
            concurrency=concurrency,
            poll_interval=poll_interval,
            timeout=timeout,
            stop_on=stop_on,
            max_failed_polls=max_failed_polls,
            keep_open=keep_open,
        )
