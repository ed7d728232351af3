"""The fleet operations of ``client.jobs``: ``submit_many``, ``cancel_many`` and ``watch``.

A mixin of :class:`~ftclient.resources.jobs.Jobs`, kept apart so that each file stays about one
thing; everything here goes through the public operations of ``client.jobs`` (``create`` and its
guard, ``list``, ``cancel``, ``wait_many``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from .. import _checks
from .._core.pagination import AsyncPaginator
from .._core.runner import Runner
from ..errors import BadRequestError, InvalidParameterError
from ..models import TERMINAL_STATUSES, FineTuningJob, ListPaginatedFineTuningJobsResponse
from ._guards import IDEMPOTENCY_METADATA_KEY
from ._submit import Submitted, _Quota, _Run, _Slots, check_specs, key_of, submit_many

if TYPE_CHECKING:  # ftclient.polling loads on first use (import time)
    from ..params import JobSpecParam
    from ..polling._api import JobReads
    from ..polling.changes import JobChange
    from ..polling.wait import PollSchedule
    from ..polling.waiter import JobWaiter

__all__ = ["FleetOps", "Submitted"]

_LIST_PAGE = _checks.MAX_PAGE_SIZE
Paginate = Callable[..., AsyncPaginator[FineTuningJob, ListPaginatedFineTuningJobsResponse]]


class FleetOps:
    """``submit_many``, ``cancel_many`` and ``watch`` (mixed into ``client.jobs``)."""

    __slots__ = ()
    _runner: Runner
    create: Callable[..., Awaitable[FineTuningJob]]
    cancel: Callable[..., Awaitable[FineTuningJob]]
    retrieve: Callable[..., Awaitable[FineTuningJob]]
    wait_many: Callable[..., JobWaiter]
    list: Paginate

    def submit_many(
        self,
        specs: Iterable[JobSpecParam],
        *,
        max_active: int | None = None,
        max_active_per_model: int | None = None,
        concurrency: int = 8,
        timeout: float | None = None,
        poll_interval: float = 30.0,
    ) -> AsyncIterator[Submitted]:
        """Create a job for each spec, at most one live job per spec, across runs and workers.

        ::

            async for done in client.jobs.submit_many(specs, max_active=3):
                print(done.key, done.job.id if done.ok else done.error)

        Each spec is the keyword arguments of one :meth:`create`. Its key (its
        ``idempotency_key``, else a digest of its canonical JSON) travels with its job in
        ``metadata["ftclient_idempotency_key"]``: the service is the journal, so a second run,
        a restarted worker or several workers on overlapping lists never leave a spec with two
        live jobs. Specs that already have a job are yielded first (``existing=True``) and not
        sent; after each create :meth:`create`'s guard looks the key up until the list shows the
        job, and a duplicate a racing worker made while the list lagged is cancelled before it
        trains.
        A quota refusal (a 429 the client's retries did not absorb: a daily creation limit, a
        limit on active jobs) pauses every create until the service's ``Retry-After`` (else
        60 s, doubling up to an hour), within ``timeout``; any other refusal is that spec's
        result and the others go on.

        Args:
            specs: mappings of :meth:`create` arguments (``model`` and ``training_file`` at
                least; ``idempotency_key`` to name the key yourself).
            max_active: most of this call's jobs active (not terminal) at once.
            max_active_per_model: most of this call's jobs active at once per base model.
            concurrency: most creates in flight at once.
            timeout: seconds after which a spec still waiting for a quota is given up, with
                the refusal as its ``error`` (None: wait as long as the service asks).
            poll_interval: how often the active jobs are polled to free their slots.

        Returns:
            An async iterator of :class:`Submitted`, one per spec, as each is settled.

        Raises:
            InvalidParameterError: at the call, a bad argument or spec, named by index.
        """
        checked = check_specs(specs)
        limits = (
            _optional_int(max_active, "max_active"),
            _optional_int(max_active_per_model, "max_active_per_model"),
        )
        workers = _checks.positive_int(concurrency, "concurrency")
        limit = _checks.optional_seconds(timeout, "timeout")
        interval = _checks.seconds(poll_interval, "poll_interval")
        return self._submit(checked, limits, workers, limit, interval)

    async def _submit(
        self,
        checked: Any,
        limits: tuple[int | None, int | None],
        workers: int,
        limit: float | None,
        interval: float,
    ) -> AsyncIterator[Submitted]:
        runner = self._runner
        slots = _Slots(*limits)
        waiter = None
        if limits != (None, None):
            waiter = self.wait_many([], keep_open=True, poll_interval=interval)
        run = _Run(
            create=self.create,
            lookup=self._lookup,
            cancel=self.cancel,
            sleep=runner.sleep,
            clock=runner.clock,
            deadline=None if limit is None else runner.clock() + limit,
            slots=slots,
            quota=_Quota(runner.clock),
            watching=(lambda job: None) if waiter is None else (lambda j: waiter.add([j.id])),
        )
        freeing = None if waiter is None else asyncio.create_task(_free(waiter, slots))
        try:
            async for item in submit_many(run, checked, concurrency=workers):
                yield item
        finally:
            if waiter is not None and freeing is not None:
                await waiter.aclose()
                freeing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await freeing

    def watch(
        self,
        *,
        metadata: Mapping[str, str] | None = None,
        poll_interval: float | PollSchedule = 30.0,
        existing: bool = True,
    ) -> AsyncIterator[JobChange]:
        """Yield every status change of every job matching ``metadata``, new jobs included.

        ::

            async for job, previous in client.jobs.watch(metadata={"fleet": "sweep-3"}):
                print(job.id, previous, "->", job.status)

        Nothing is kept between runs: the first round yields every matching job the service
        lists (``previous`` None), so a restarted worker picks up from what the service shows.
        Later rounds read list pages only down to the oldest job still active (and to the
        first job already known, past the new ones): an idle round costs one request, whatever
        the number of jobs. Jobs created after the watch started, by any process, are yielded
        when first listed. It runs until you stop iterating.

        Args:
            metadata: only jobs whose metadata holds all these pairs (None: every job).
            poll_interval: first interval between rounds, or a :class:`~ftclient.PollSchedule`
                (it starts over after a round with changes).
            existing: with False, the first round only learns the jobs already there; they
                are yielded from their next change on.

        Returns:
            An async iterator of :class:`~ftclient.JobChange` ``(job, previous)`` tuples.

        Raises:
            InvalidParameterError: at the call, a bad argument, named.
            APIError: from the iteration, a list that failed after the client's retries.
        """
        if metadata is not None:
            _checks.check_metadata(metadata)
        from ..polling.changes import watch_jobs
        from ..polling.wait import schedule_for

        schedule = schedule_for(poll_interval)
        if not isinstance(existing, bool):
            raise InvalidParameterError("existing", "must be True or False")
        return watch_jobs(
            cast("JobReads", self), metadata=metadata, schedule=schedule, existing=existing
        )

    async def cancel_many(
        self,
        *,
        metadata: Mapping[str, str],
        dry_run: bool = True,
        concurrency: int = 8,
    ) -> Sequence[FineTuningJob]:
        """Cancel every active job whose metadata holds ``metadata``: first say which, then do it.

        ::

            print([job.id for job in await client.jobs.cancel_many(metadata=tag)])
            await client.jobs.cancel_many(metadata=tag, dry_run=False)

        Each job is cancelled once (a lost answer is checked, not resent blindly); a job that
        ended meanwhile is returned as it ended.

        Args:
            metadata: the filter (required, at least one pair: nothing cancels every job).
            dry_run: only list the jobs that would be cancelled (the default).
            concurrency: most cancels in flight at once.

        Returns:
            The jobs that were active: as listed with ``dry_run``, else as each cancel left them.

        Raises:
            InvalidParameterError: a bad or empty ``metadata``, before anything is sent.
            APIError: a list or a cancel that failed after the client's retries.
        """
        _checks.check_metadata(metadata)
        if not metadata:
            raise InvalidParameterError("metadata", "must hold at least one pair")
        if not isinstance(dry_run, bool):
            raise InvalidParameterError("dry_run", "must be True or False")
        gate = asyncio.Semaphore(_checks.positive_int(concurrency, "concurrency"))
        active = [
            job
            async for job in self.list(limit=_LIST_PAGE, metadata=metadata)
            if job.status not in TERMINAL_STATUSES and _holds(job, metadata)
        ]
        if dry_run:
            return active
        unique = list({job.id: job for job in active}.values())  # a page may repeat a job
        return await asyncio.gather(*(self._cancel_one(job.id, gate) for job in unique))

    async def _cancel_one(self, job_id: str, gate: asyncio.Semaphore) -> FineTuningJob:
        async with gate:
            try:
                return await self.cancel(job_id)
            except BadRequestError:  # it ended meanwhile: show how
                return await self.retrieve(job_id)

    async def _lookup(self, key: str | None) -> Any:
        """The jobs carrying ``key`` (one page, newest first), or with None every job."""
        if key is None:
            return [job async for job in self.list(limit=_LIST_PAGE)]
        page = await self.list(limit=_LIST_PAGE, metadata={IDEMPOTENCY_METADATA_KEY: key})
        return [job for job in page.data if key_of(job) == key]  # a server may ignore filters


def _holds(job: FineTuningJob, metadata: Mapping[str, str]) -> bool:
    """Whether the job carries every pair (a server may ignore the list's filter)."""
    tags = job.metadata if isinstance(job.metadata, Mapping) else {}
    return all(tags.get(key) == value for key, value in metadata.items())


async def _free(waiter: JobWaiter, slots: _Slots) -> None:
    async for result in waiter:
        await slots.release(result.job_id)


def _optional_int(value: object, param: str) -> int | None:
    return None if value is None else _checks.positive_int(value, param)
