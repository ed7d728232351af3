"""Polling helpers built on the job operations: wait for one job, follow events, wait for many.

Pure asyncio on top of ``retrieve`` and ``list_events``; no HTTP details here.
"""

from __future__ import annotations

import asyncio
import heapq
import inspect
import random
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable
from typing import TYPE_CHECKING

import attrs

from . import _inputs, _meta
from ._protocol import retry_after
from .errors import InvalidParameterError, WaitTimeoutError
from .models import TERMINAL_STATUSES, FineTuningJob, FineTuningJobEvent

if TYPE_CHECKING:
    from .resources.jobs import Jobs

__all__ = ["JobWaiter", "PollSchedule", "follow_events", "wait"]

OnUpdate = Callable[[FineTuningJob], Awaitable[None] | None]


@attrs.frozen(kw_only=True)
class PollSchedule:
    """How often to poll: starts at ``initial``, grows by ``factor`` up to ``maximum``, ±``jitter``.

    A ``Retry-After``/``retry-after-ms`` header on a poll's response overrides the next interval.
    """

    initial: float = 1.0
    maximum: float = 30.0
    factor: float = 1.25
    jitter: float = 0.1

    def __attrs_post_init__(self) -> None:
        _inputs.seconds(self.initial, "poll_interval.initial")
        _inputs.seconds(self.maximum, "poll_interval.maximum")
        _inputs.seconds(self.factor, "poll_interval.factor", unit="times the interval")
        _inputs.seconds(self.jitter, "poll_interval.jitter", zero=True, unit="of the interval")
        if not 0 < self.initial <= self.maximum:
            raise InvalidParameterError("poll_interval", "must be > 0 and <= the maximum interval")
        if self.factor < 1 or not 0 <= self.jitter < 1:
            raise InvalidParameterError("poll_interval", "factor must be >= 1, jitter in [0, 1)")

    def next(self, current: float, response_of: object = None) -> tuple[float, float]:
        """Return ``(sleep, next_current)`` after a poll whose result was ``response_of``."""
        info = _meta.response_info(response_of) if response_of is not None else None
        hinted = retry_after(info.headers) if info is not None else None
        if hinted is not None:
            return min(hinted, self.maximum), current
        spread = current * self.jitter
        sleep = current + random.uniform(-spread, spread)
        return max(sleep, 0.0), min(current * self.factor, self.maximum)


def schedule_for(poll_interval: float | PollSchedule) -> PollSchedule:
    """Accept seconds (the first interval, growing from there) or a :class:`PollSchedule`."""
    if isinstance(poll_interval, PollSchedule):
        return poll_interval
    first = _inputs.seconds(poll_interval, "poll_interval")
    return PollSchedule(initial=first, maximum=max(30.0, first))


def _check_timeout(timeout: float | None) -> None:
    _inputs.optional_seconds(timeout, "timeout")


async def _notify(on_update: OnUpdate | None, job: FineTuningJob) -> None:
    if on_update is not None:
        result = on_update(job)
        if inspect.isawaitable(result):
            await result


def _is_done(job: FineTuningJob, stop_on: Collection[str]) -> bool:
    return job.status in TERMINAL_STATUSES or job.status in stop_on


async def wait(
    jobs: Jobs,
    job_id: str,
    *,
    poll_interval: float | PollSchedule,
    timeout: float | None,
    on_update: OnUpdate | None,
    stop_on: Collection[str],
) -> FineTuningJob:
    """Poll ``job_id`` until it is terminal (or in ``stop_on``); see ``Jobs.wait``."""
    schedule = schedule_for(poll_interval)
    _check_timeout(timeout)
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    last: FineTuningJob | None = None
    current = schedule.initial
    try:
        async with asyncio.timeout_at(deadline):
            while True:
                job = await jobs.retrieve(job_id)
                last = job
                await _notify(on_update, job)
                if _is_done(job, stop_on):
                    return job
                sleep, current = schedule.next(current, job)
                await asyncio.sleep(sleep)
    except TimeoutError:
        if deadline is None or loop.time() < deadline:
            raise  # a request's own timeout, not ours
        status = last.status if last is not None else "unknown"
        raise WaitTimeoutError(
            f"job {job_id} not finished after {timeout}s (last status: {status})", last=last
        ) from None


async def follow_events(
    jobs: Jobs,
    job_id: str,
    *,
    since: str | None,
    include_existing: bool,
    poll_interval: float | PollSchedule,
    page_size: int,
    on_job: OnUpdate | None = None,
) -> AsyncIterator[FineTuningJobEvent]:
    """Yield a job's events oldest first as they appear; see ``Jobs.follow_events``."""
    schedule = schedule_for(poll_interval)
    seen: OrderedDict[str, None] = OrderedDict()
    newest = since
    if newest is None and not include_existing:
        newest = await _newest_event_id(jobs, job_id)
    current = schedule.initial
    while True:
        # Read the job first: once it is terminal, the events fetched after it are complete.
        job = await jobs.retrieve(job_id)
        await _notify(on_job, job)
        fresh = await _events_newer_than(jobs, job_id, newest, page_size)
        for event in fresh:
            if event.id in seen:
                continue
            seen[event.id] = None
            if len(seen) > 10_000:
                seen.popitem(last=False)
            newest = event.id
            yield event
        if job.status in TERMINAL_STATUSES:
            return
        if fresh:
            current = schedule.initial
        sleep, current = schedule.next(current, job)
        await asyncio.sleep(sleep)


async def _newest_event_id(jobs: Jobs, job_id: str) -> str | None:
    page = await jobs.list_events(job_id, limit=1)
    return page.data[0].id if page.data else None


async def _events_newer_than(
    jobs: Jobs, job_id: str, marker: str | None, page_size: int
) -> list[FineTuningJobEvent]:
    """Events newer than ``marker``, oldest first, however many pages they span."""
    newer: list[FineTuningJobEvent] = []
    async for event in jobs.list_events(job_id, limit=page_size):
        if event.id == marker:
            break
        newer.append(event)
    newer.reverse()
    return newer


@attrs.define
class _Tracked:
    job_id: str
    interval: float
    last: FineTuningJob | None = None


class JobWaiter:
    """Async iterator over jobs as each reaches a terminal state; see ``Jobs.wait_many``.

    At most ``concurrency`` polls are in flight; each job is polled on its own growing schedule.
    Leaving the loop early, an exception or cancellation stops every poller (use
    ``async with`` or :meth:`aclose` to stop them at once rather than at garbage collection).
    """

    def __init__(
        self,
        jobs: Jobs,
        job_ids: Iterable[str],
        *,
        concurrency: int,
        poll_interval: float | PollSchedule,
        timeout: float | None,
        stop_on: Collection[str],
    ) -> None:
        _inputs.positive_int(concurrency, "concurrency")
        _check_timeout(timeout)
        self._jobs = jobs
        self._schedule = schedule_for(poll_interval)
        ids = list(dict.fromkeys(_inputs.identifiers(job_ids, "job_ids")))
        self._pending = {job_id: _Tracked(job_id, self._schedule.initial) for job_id in ids}
        self._concurrency = min(concurrency, max(len(ids), 1))
        self._timeout = timeout
        self._stop_on = stop_on
        self._results: asyncio.Queue[FineTuningJob | BaseException] = asyncio.Queue()
        self._due: list[tuple[float, int, str]] = []
        self._wake = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []
        self._remaining = len(ids)
        self._deadline: float | None = None
        self._counter = 0
        self._closed = False

    def __aiter__(self) -> JobWaiter:
        return self

    async def __aenter__(self) -> JobWaiter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        self._deadline = None if self._timeout is None else now + self._timeout
        for job_id in self._pending:
            self._push(now, job_id)
        self._workers = [loop.create_task(self._worker()) for _ in range(self._concurrency)]

    def _push(self, when: float, job_id: str) -> None:
        self._counter += 1
        heapq.heappush(self._due, (when, self._counter, job_id))
        self._wake.set()

    async def __anext__(self) -> FineTuningJob:
        if self._remaining == 0 or self._closed:
            await self.aclose()
            raise StopAsyncIteration
        if not self._workers:
            self._start()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(self._deadline):
                item = await self._results.get()
        except TimeoutError:
            if self._deadline is None or loop.time() < self._deadline:
                raise
            await self.aclose()
            last = {t.job_id: t.last for t in self._pending.values()}
            raise WaitTimeoutError(
                f"{len(self._pending)} job(s) not finished after {self._timeout}s", last=last
            ) from None
        except BaseException:
            await self.aclose()
            raise
        if isinstance(item, BaseException):
            await self.aclose()
            raise item
        self._remaining -= 1
        return item

    async def _worker(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                while not self._due:
                    self._wake.clear()
                    await self._wake.wait()
                when, _, job_id = self._due[0]
                delay = when - loop.time()
                if delay > 0:
                    self._wake.clear()
                    # Sleep until the earliest poll is due, or until an earlier one is pushed.
                    try:
                        async with asyncio.timeout(delay):
                            await self._wake.wait()
                    except TimeoutError:
                        pass
                    continue
                heapq.heappop(self._due)
                await self._poll(self._pending[job_id], loop.time())
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # surface to the consumer instead of dying silently
            self._results.put_nowait(exc)

    async def _poll(self, tracked: _Tracked, now: float) -> None:
        job = await self._jobs.retrieve(tracked.job_id)
        tracked.last = job
        if _is_done(job, self._stop_on):
            del self._pending[tracked.job_id]
            self._results.put_nowait(job)
            return
        sleep, tracked.interval = self._schedule.next(tracked.interval, job)
        self._push(asyncio.get_running_loop().time() + sleep, tracked.job_id)

    async def aclose(self) -> None:
        """Stop every poller and wait for them to finish. Safe to call twice."""
        self._closed = True
        workers, self._workers = self._workers, []
        for task in workers:
            task.cancel()
        if workers:
            await asyncio.gather(*workers, return_exceptions=True)
