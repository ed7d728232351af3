"""``jobs.wait_many``: the async iterable that hands out each job's outcome as it is known.

The polling itself is ``_watch.Watch``. This module is the consumer's side: argument checks,
the overall timeout, and a lifecycle in which leaving the loop stops every poller at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from .. import _checks
from ..errors import InvalidParameterError, WaitTimeoutError
from ._api import JobReads
from .wait import PollSchedule, check_job_ids, schedule_for
from .watch import WaitResult, Watch

__all__ = ["JobWaiter", "WaitResult"]

_CLOSED = WaitResult(job_id="", job=None)  # put by aclose(): ends a waiting iteration


class JobWaiter:
    """Async iterable of :class:`WaitResult`, one per job, as each job's outcome is known.

    Created by :meth:`Jobs.wait_many <ftclient.resources.jobs.Jobs.wait_many>`; see it for how
    jobs are polled and what is raised. Polling starts when iteration starts. Leaving the
    ``async for`` loop (``break``, an exception, cancellation) stops every poller at once, with
    or without ``async with``: the pollers belong to the loop's iterator, which is closed as soon
    as the loop drops it. Iterating again resumes watching the jobs not yet yielded (results
    that arrived meanwhile come first). :meth:`aclose` (or leaving ``async with``) ends it for good.

    A long-lived waiter: :meth:`add` and :meth:`remove` change the jobs while it runs, and with
    ``keep_open=True`` the iteration outlives its last pending job, waiting for more to be added
    until :meth:`aclose`.
    """

    def __init__(
        self,
        jobs: JobReads,
        job_ids: object,
        *,
        concurrency: object,
        poll_interval: float | PollSchedule,
        timeout: object,
        stop_on: object,
        max_failed_polls: object,
        keep_open: object = False,
    ) -> None:
        ids = check_job_ids(job_ids)
        if not isinstance(keep_open, bool):
            raise InvalidParameterError("keep_open", "must be True or False")
        limit = _checks.optional_seconds(timeout, "timeout")
        self._watch = Watch(
            jobs,
            ids,
            schedule=schedule_for(poll_interval),
            concurrency=_checks.positive_int(concurrency, "concurrency"),
            stop_on=_checks.statuses(stop_on),
            max_failed_polls=_checks.positive_int(max_failed_polls, "max_failed_polls"),
        )
        self._timeout = limit
        self._deadline: float | None = None
        self._closed = False
        self._keep_open = keep_open

    def __aiter__(self) -> AsyncIterator[WaitResult]:
        return _results(self._watch, self, asyncio.get_running_loop())

    async def __aenter__(self) -> JobWaiter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def pending(self) -> frozenset[str]:
        """Ids of the jobs whose outcome is not known yet."""
        return frozenset(self._watch.pending)

    def notify(self, job_id: str) -> bool:
        """Retrieve ``job_id`` now instead of at its next poll, e.g. when a webhook said it ended.

        ::

            event = ftclient.webhooks.unwrap(body, headers, secret=secret)
            waiter.notify(event.data.id)

        Polling stays on as the safety net for lost deliveries.

        Args:
            job_id: a watched job; any other id is ignored.

        Returns:
            True if a retrieve was started; False if the job is not pending or iteration has
            not started (the first round observes every job anyway).
        """
        return self._watch.notify(job_id) if isinstance(job_id, str) else False

    def add(self, job_ids: Iterable[str]) -> int:
        """Watch more jobs, e.g. ones created after iteration started.

        They are looked for in the next round's list pages along with the others, as if they
        had been there from the start: adding costs no request beyond that round's pages.

        Args:
            job_ids: a collection of job ids (a lone string is refused); ids already pending
                are ignored.

        Returns:
            How many of them were not pending before.

        Raises:
            InvalidParameterError: not a collection of ids, or a bad id, named by index.
        """
        if self._closed:
            raise InvalidParameterError("job_ids", "cannot be added to a closed waiter")
        return len(self._watch.add(check_job_ids(job_ids)))

    def remove(self, job_id: str) -> bool:
        """Stop watching ``job_id``; no result will be yielded for it.

        Args:
            job_id: a pending job.

        Returns:
            True if it was pending; False otherwise (unknown, or its result already known).
        """
        return self._watch.remove(job_id) if isinstance(job_id, str) else False

    async def aclose(self) -> None:
        """Stop every poller and wait for them to finish; later iterations yield nothing."""
        self._closed = True
        self._watch.results.put_nowait(_CLOSED)  # wakes an iteration waiting for a result
        tasks = self._watch.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, loop: asyncio.AbstractEventLoop, owner: object) -> float | None:
        if self._deadline is None and self._timeout is not None:
            self._deadline = loop.time() + self._timeout
        self._watch.start(owner)
        return self._deadline

    def _timed_out(self) -> WaitTimeoutError:
        pending = self._watch.pending
        return WaitTimeoutError(
            f"{len(pending)} job(s) not finished after {self._timeout}s",
            last={job_id: tracked.last for job_id, tracked in pending.items()},
        )


async def _results(
    watch: Watch, waiter: JobWaiter, loop: asyncio.AbstractEventLoop
) -> AsyncIterator[WaitResult]:
    # The pollers reference the watch only; this generator owns them. Dropped by the consumer's
    # loop, it is finalized at once (asyncio's async-generator hook) and its finally cancels them.
    if waiter._closed:
        return
    owner = object()  # this iteration; a later one takes the pollers over
    deadline = waiter._start(loop, owner)
    try:
        while (watch.remaining > 0 or waiter._keep_open) and not waiter._closed:
            try:
                async with asyncio.timeout_at(deadline):
                    item = await watch.results.get()
            except TimeoutError:  # only ours: nothing else here can time out
                raise waiter._timed_out() from None
            if item is _CLOSED:
                break
            if isinstance(item, BaseException):
                raise item
            watch.remaining -= 1
            yield item
    finally:
        tasks = watch.cancel(owner)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
