"""Polling helpers built on the job operations: the poll schedule, argument checks, ``wait``.

Pure asyncio on top of ``retrieve``; no HTTP details here. ``wait_many`` lives in ``polling.watch``
and ``follow_events`` in ``polling.follow``; both take their schedule and checks from here.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from collections.abc import Awaitable, Callable, Collection, Mapping

import attrs

from .. import _checks
from .._core.protocol import server_wait
from .._core.response import carried_info
from ..errors import APIStatusError, InvalidParameterError, WaitTimeoutError
from ..models import TERMINAL_STATUSES, FineTuningJob
from ._api import JobReads

__all__ = [
    "OnUpdate",
    "PollSchedule",
    "check_job_ids",
    "hint_of",
    "is_done",
    "notify",
    "schedule_for",
    "wait",
]

OnUpdate = Callable[[FineTuningJob], Awaitable[None] | None]


@attrs.frozen(kw_only=True)
class PollSchedule:
    """How often to poll: starts at ``initial``, grows by ``factor`` up to ``maximum``, ±``jitter``.

    A ``Retry-After``/``retry-after-ms`` hint of at most ``maximum`` seconds on a poll's response
    sets the next interval instead (a longer one is not obeyed: the schedule goes on).
    """

    initial: float = 1.0
    maximum: float = 30.0
    factor: float = 1.25
    jitter: float = 0.1

    def __attrs_post_init__(self) -> None:
        _checks.seconds(self.initial, "poll_interval.initial")
        _checks.seconds(self.maximum, "poll_interval.maximum")
        _checks.seconds(self.factor, "poll_interval.factor", unit="times the interval")
        _checks.seconds(self.jitter, "poll_interval.jitter", zero=True, unit="of the interval")
        if not self.initial <= self.maximum:  # both > 0, checked above
            raise InvalidParameterError("poll_interval", "must be > 0 and <= the maximum interval")
        if self.factor < 1 or not 0 <= self.jitter < 1:
            raise InvalidParameterError("poll_interval", "factor must be >= 1, jitter in [0, 1)")

    def next(self, current: float, response_of: object = None) -> tuple[float, float]:
        """Return ``(sleep, next_current)`` after a poll whose result was ``response_of``."""
        return self.after(current, hint_of(response_of, self.maximum))

    def after(self, current: float, hint: float | None) -> tuple[float, float]:
        """Return ``(sleep, next_current)`` given the server's accepted ``hint`` (or None)."""
        if hint is not None:
            return hint, current
        spread = current * self.jitter
        sleep = current + random.uniform(-spread, spread)
        return max(sleep, 0.0), min(current * self.factor, self.maximum)


def hint_of(obj: object, cap: float) -> float | None:
    """The server's wait hint on the response behind ``obj`` (a model or an API error), if obeyed.

    One rule, ``_protocol.server_wait``: the hint when it is at most ``cap``, else None.
    """
    headers: Mapping[str, str] | None
    if isinstance(obj, APIStatusError):
        headers = obj.headers
    else:
        info = carried_info(obj) if obj is not None else None
        headers = info.headers if info is not None else None
    return server_wait(headers, cap) if headers is not None else None


def schedule_for(poll_interval: float | PollSchedule) -> PollSchedule:
    """Accept seconds (the first interval, growing from there) or a :class:`PollSchedule`.

    Raises:
        InvalidParameterError: ``poll_interval`` is neither positive finite seconds nor a schedule.
    """
    if isinstance(poll_interval, PollSchedule):
        return poll_interval
    first = _checks.seconds(poll_interval, "poll_interval")
    return PollSchedule(initial=first, maximum=max(30.0, first))


def check_job_ids(job_ids: object) -> list[str]:
    """``job_ids`` without duplicates, in their first order.

    Raises:
        InvalidParameterError: not a collection of ids (a lone string included), or a bad id.
    """
    return list(dict.fromkeys(_checks.identifiers(job_ids, "job_ids")))


async def notify(on_update: OnUpdate | None, job: FineTuningJob) -> None:
    """Call ``on_update`` (sync or async) with ``job``, if there is one."""
    if on_update is not None:
        result = on_update(job)
        if inspect.isawaitable(result):
            await result


def is_done(job: FineTuningJob, stop_on: Collection[str]) -> bool:
    """Whether ``job`` is terminal or in one of the ``stop_on`` statuses."""
    return job.status in TERMINAL_STATUSES or job.status in stop_on


async def wait(
    jobs: JobReads,
    job_id: str,
    *,
    poll_interval: float | PollSchedule,
    timeout: float | None,
    on_update: OnUpdate | None,
    stop_on: object,
) -> FineTuningJob:
    """Poll ``job_id`` until it is terminal (or in ``stop_on``); see ``client.jobs.wait``."""
    _checks.identifier(job_id, "job_id")
    schedule = schedule_for(poll_interval)
    limit = _checks.optional_seconds(timeout, "timeout")
    statuses = _checks.statuses(stop_on)
    _checks.callback(on_update, "on_update")
    loop = asyncio.get_running_loop()
    deadline = None if limit is None else loop.time() + limit
    last: FineTuningJob | None = None
    current = schedule.initial
    try:
        async with asyncio.timeout_at(deadline):
            while True:
                job = await jobs.retrieve(job_id)
                last = job
                await notify(on_update, job)
                if is_done(job, statuses):
                    return job
                sleep, current = schedule.next(current, job)
                await jobs.clock.sleep(sleep)
    except TimeoutError:
        if deadline is None or loop.time() < deadline:
            raise  # a request's own timeout, not ours
        status = last.status if last is not None else "unknown"
        raise WaitTimeoutError(
            f"job {job_id} not finished after {timeout}s (last status: {status})", last=last
        ) from None
