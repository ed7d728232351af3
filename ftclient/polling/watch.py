"""The engine behind ``wait_many``: observe many jobs in rounds, by list pages or retrieves.

A round observes every pending job once, by whichever costs fewer requests:

- ``jobs.list`` pages of 100, newest first, stopping once every job looked for has been seen,
  once a page is older than the oldest of them, or once more pages would cost more than
  retrieving the ones still missing;
- one ``retrieve`` per job, for the jobs a list cannot reach (never seen in one, or a list that
  fails for good) and wherever retrieving is cheaper than reading down to them.

Each job's page in the last list is remembered, so a round reads only as many pages as pay off.
Rounds follow one :class:`~ftclient.PollSchedule`; a round in which a job finished starts the
schedule over. :meth:`Watch.notify` retrieves a job at once (a webhook said it finished).
:meth:`Watch.add` and :meth:`Watch.remove` change the jobs while the rounds run: a job added is
"unplaced" until the next round's list looks for it, exactly as every job is in the first round,
so adding jobs costs no request beyond the pages that round reads anyway.

The watch is referenced by its tasks, never the other way round from user-facing objects, so
that a consumer that drops its iterator lets the tasks be cancelled at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Coroutine, Iterator
from typing import Any

import attrs

from .._checks import MAX_PAGE_SIZE
from .._config import RetryPolicy
from .._core.protocol import should_retry
from ..errors import APIResponseValidationError, FTClientError
from ..models import FineTuningJob
from ._api import JobReads
from .wait import PollSchedule, hint_of, is_done

__all__ = ["PAGE_SIZE", "WaitResult", "Watch", "transient"]

PAGE_SIZE = MAX_PAGE_SIZE  # the most jobs.list returns per page


@attrs.frozen(kw_only=True)
class WaitResult:
    """What ``wait_many`` yields for one job: the finished job, or why it could not be watched.

    Attributes:
        job_id: the job's id as given.
        job: the job as last seen: terminal (or in ``stop_on``) when ``error`` is None, else the
            last successful poll's job, or None if none succeeded.
        error: None when the job finished; else the error that ended its watch: a non-transient
            API error at once (``NotFoundError`` for an unknown id, ...), or the last of
            ``max_failed_polls`` transient failures in a row.
    """

    job_id: str
    job: FineTuningJob | None
    error: FTClientError | None = None

    @property
    def ok(self) -> bool:
        """True when the job finished (``error`` is None)."""
        return self.error is None


def transient(exc: FTClientError, policy: RetryPolicy) -> bool:
    """Whether a failed poll may succeed later: what the client's ``policy`` retries, or a
    garbled body."""
    return should_retry(exc, policy) or isinstance(exc, APIResponseValidationError)


@attrs.define(eq=False)
class _Tracked:
    job_id: str
    last: FineTuningJob | None = None
    page: int | None = None  # its page in the last list that showed it; None: retrieve it
    placed: bool = False  # a list has looked for it (else the next round's list looks for it)
    failures: int = 0  # failed polls in a row


class Watch:
    """The pending jobs, their results queue and the polling of them (see the module)."""

    def __init__(
        self,
        jobs: JobReads,
        job_ids: list[str],
        *,
        schedule: PollSchedule,
        concurrency: int,
        stop_on: Collection[str],
        max_failed_polls: int,
    ) -> None:
        self._jobs = jobs
        self.pending = {job_id: _Tracked(job_id) for job_id in job_ids}
        self.remaining = len(job_ids)  # not yet handed to the consumer
        self.results: asyncio.Queue[WaitResult | BaseException] = asyncio.Queue()
        self._schedule = schedule
        self._concurrency = concurrency
        self._stop_on = stop_on
        self._max_failed_polls = max_failed_polls
        self._list_usable = True
        self._depth = 0  # the pages this round's plan reads for the jobs already placed
        self._tasks: set[asyncio.Task[None]] = set()  # until each is done
        self._running = False  # the rounds task is alive
        self._iterating = False  # an iteration holds the watch (rounds restart on an add)
        self._owner: object = None
        self._urgent: asyncio.Semaphore | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, owner: object) -> None:
        """Start the rounds (if not running) for ``owner``, the iteration that now holds them."""
        self._owner = owner
        self._iterating = True
        self._resume()

    def _resume(self) -> None:
        if self._iterating and not self._running and self.pending:
            self._running = True
            self._spawn(self._rounds())

    def add(self, job_ids: list[str]) -> list[str]:
        """Watch ``job_ids`` too, from the next round on; return those that were not pending."""
        added = [job_id for job_id in job_ids if job_id not in self.pending]
        for job_id in added:
            self.pending[job_id] = _Tracked(job_id)
        self.remaining += len(added)
        self._resume()  # the rounds stop when nothing is pending: start them again
        return added

    def remove(self, job_id: str) -> bool:
        """Stop watching ``job_id``; False if it is not pending (unknown, or its result is out)."""
        if self.pending.pop(job_id, None) is None:
            return False
        self.remaining -= 1
        return True

    def cancel(self, owner: object = None) -> list[asyncio.Task[None]]:
        """Cancel every task now; return those not finished yet (to await).

        With an ``owner``, only if it still holds them: an iteration dropped after a newer one
        started leaves the newer one's pollers alone.
        """
        if owner is not None and owner is not self._owner:
            return []
        self._running = self._iterating = False
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        return tasks

    def notify(self, job_id: str) -> bool:
        """Retrieve ``job_id`` now, outside the rounds; True if a retrieve was started.

        False when the job is not pending or the rounds are not running (the first round,
        when they start, observes every job anyway).
        """
        if job_id not in self.pending or not self._running:
            return False
        if self._urgent is None:
            self._urgent = asyncio.Semaphore(self._concurrency)
        self._spawn(self._urgent_poll(self.pending[job_id], self._urgent))
        return True

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        exc = None if task.cancelled() else task.exception()
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]  # a worker's failure inside a TaskGroup
        if exc is not None:
            # Not an ftclient error (those are reported per job): a bug; the consumer raises it.
            self.results.put_nowait(exc)

    async def _urgent_poll(self, tracked: _Tracked, gate: asyncio.Semaphore) -> None:
        async with gate:
            await self._retrieve(tracked)

    # -- rounds -----------------------------------------------------------------------------

    async def _rounds(self) -> None:
        current = self._schedule.initial
        try:
            while self.pending:
                before = set(self.pending)
                hint = await self._round()
                if not before <= set(self.pending):
                    current = self._schedule.initial  # jobs that finish tend to finish together
                sleep, current = self._schedule.after(current, hint)
                if self.pending:
                    await self._jobs.clock.sleep(sleep)
        finally:
            self._running = False  # an add() after this starts the rounds again

    async def _round(self) -> float | None:
        """Observe every pending job once; return the server's wait hint, if it gave one."""
        planned = set(self.pending)  # jobs added during the round wait for the next one's list
        targets = self._plan()
        hints: list[float | None] = []
        skip = await self._sweep(targets, hints) if targets else set()
        rest = [t for t in self.pending.values() if t.job_id in planned - skip]
        await self._retrieve_all(rest, hints)
        return max((h for h in hints if h is not None), default=None)

    def _plan(self) -> set[str]:
        """The jobs to look for in the list this round: as many pages as pay off."""
        if not self._list_usable:
            return set()
        unplaced = {t.job_id for t in self.pending.values() if not t.placed}
        known = sorted(
            (t for t in self.pending.values() if t.placed and t.page is not None),
            key=lambda t: t.page or 0,
        )
        # Reading k pages reaches the jobs on pages < k; the others cost one retrieve each.
        best_cost, best_k = len(known), 0
        for index, tracked in enumerate(known):
            pages = (tracked.page or 0) + 1
            cost = pages + len(known) - (index + 1)
            if cost < best_cost:
                best_cost, best_k = cost, pages
        targets = {t.job_id for t in known if (t.page or 0) < best_k}
        self._depth = best_k
        # Unplaced jobs (all of them in the first round, then the ones added) are looked for in
        # the list, unless a lone one would cost a page where one retrieve does.
        if len(unplaced) >= 2 or (unplaced and targets):
            targets |= unplaced
        return targets

    async def _sweep(self, targets: set[str], hints: list[float | None]) -> set[str]:
        """Read list pages for ``targets``; return the jobs not to retrieve in this round."""
        cap = self._schedule.maximum
        unseen = set(targets)
        skip: set[str] = set()
        pages = fresh = 0  # fresh: unplaced jobs seen, listed above the placed ones
        try:
            async for page in self._jobs.list(limit=PAGE_SIZE).pages():
                pages += 1
                hints.append(hint_of(page, cap))
                for job in page.data:
                    tracked = self.pending.get(job.id)
                    if tracked is None:
                        continue
                    fresh += not tracked.placed
                    tracked.page = pages - 1
                    skip.add(job.id)
                    unseen.discard(job.id)
                    self._observe(tracked, job)
                # Past the planned pages (moved down by the new jobs above them), stop once
                # retrieving the jobs still unseen costs less than reading on.
                depth = self._depth + -(-fresh // PAGE_SIZE)
                cheaper = pages >= len(unseen) and pages >= depth
                if not unseen or cheaper or self._below(page.data, unseen):
                    break
        except FTClientError as exc:
            hints.append(hint_of(exc, cap))
            if not transient(exc, self._jobs.retry_policy):
                self._list_usable = False  # e.g. a key that may not list: retrieve everything
                return skip
            for job_id in unseen:  # this round's observation of them failed
                tracked = self.pending.get(job_id)
                if tracked is not None:
                    skip.add(job_id)
                    self._failed(tracked, exc)
            return skip
        for job_id in targets:  # each target's place in the list is known now
            tracked = self.pending.get(job_id)
            if tracked is not None:
                tracked.placed = True
                if job_id in unseen:  # out of the list's reach: retrieved, this round and after
                    tracked.page = None
        return skip

    def _below(self, data: list[FineTuningJob], unseen: set[str]) -> bool:
        """Whether a page ending with ``data[-1]`` is older than every job still looked for."""
        floor = []
        for job_id in unseen:
            last = self.pending[job_id].last if job_id in self.pending else None
            if last is None or last.created_at is None:
                return False  # not seen yet (or undated): it could be anywhere
            floor.append(last.created_at)
        oldest = data[-1].created_at if data else None
        return oldest is not None and bool(floor) and oldest < min(floor)

    async def _retrieve_all(self, tracked: list[_Tracked], hints: list[float | None]) -> None:
        """Retrieve each job, at most ``concurrency`` at a time."""
        queue: Iterator[_Tracked] = iter(tracked)

        async def worker() -> None:
            for item in queue:
                hints.append(await self._retrieve(item))

        async with asyncio.TaskGroup() as group:
            for _ in range(min(self._concurrency, len(tracked))):
                group.create_task(worker())

    async def _retrieve(self, tracked: _Tracked) -> float | None:
        cap = self._schedule.maximum
        if self.pending.get(tracked.job_id) is not tracked:
            return None
        try:
            job = await self._jobs.retrieve(tracked.job_id)
        except FTClientError as exc:
            if self.pending.get(tracked.job_id) is tracked:
                self._failed(tracked, exc)
            return hint_of(exc, cap)
        if self.pending.get(tracked.job_id) is tracked:
            self._observe(tracked, job)
        return hint_of(job, cap)

    # -- outcomes ---------------------------------------------------------------------------

    def _observe(self, tracked: _Tracked, job: FineTuningJob) -> None:
        tracked.last, tracked.failures = job, 0
        if is_done(job, self._stop_on):
            self._report(WaitResult(job_id=tracked.job_id, job=job))

    def _failed(self, tracked: _Tracked, exc: FTClientError) -> None:
        tracked.failures += 1
        if (
            not transient(exc, self._jobs.retry_policy)
            or tracked.failures >= self._max_failed_polls
        ):
            self._report(WaitResult(job_id=tracked.job_id, job=tracked.last, error=exc))

    def _report(self, result: WaitResult) -> None:
        del self.pending[result.job_id]
        self.results.put_nowait(result)
