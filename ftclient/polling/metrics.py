"""A job's training metrics: read whole (``jobs.metrics``) or followed (``jobs.follow_metrics``).

Both read the ``metrics`` events, whose data the converter types as
:class:`~ftclient.models.MetricPoint`. The whole read also lists the checkpoints, whose metrics
(the ``full_valid_*`` ones only they carry) are merged into their steps' points.

Following builds on ``follow_events``, which yields every event the server lists exactly once
however late it is stored. Points come in step order: one listed above a missing step is held
until the missing one is listed, or for one more poll (a step the server never lists does not
stall the stream), and every held point is yielded when the job ends. One point per step: a
step listed again is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from .. import _checks
from .._core.pagination import AsyncPaginator
from ..models import (
    FineTuningJob,
    FineTuningJobCheckpoint,
    ListFineTuningJobCheckpointsResponse,
    MetricPoint,
    MetricSeries,
)
from ..models.metrics import EventMetrics, EventMetricsPage
from ._api import JobReads
from .follow import follow_events
from .wait import OnUpdate, PollSchedule, notify

__all__ = ["ListCheckpoints", "ListEventMetrics", "follow_metrics", "read_metrics"]

ListCheckpoints = Callable[
    [str, int], AsyncPaginator[FineTuningJobCheckpoint, ListFineTuningJobCheckpointsResponse]
]
ListEventMetrics = Callable[[str, int], AsyncPaginator[EventMetrics, EventMetricsPage]]


async def read_metrics(
    list_events: ListEventMetrics,
    list_checkpoints: ListCheckpoints,
    job_id: str,
    *,
    page_size: int,
) -> MetricSeries:
    """Every metrics point of the job, with its checkpoints' metrics merged in.

    The events and the checkpoints are read side by side, ``page_size`` items a request.

    Raises:
        InvalidParameterError: a bad argument, named, before anything is sent.
    """
    _checks.identifier(job_id, "job_id")
    _checks.positive_int(page_size, "page_size")

    async def points() -> list[MetricPoint]:
        found = []
        async for page in list_events(job_id, page_size).pages():  # not item by item
            found += [e.data for e in page.data if e.data.__class__ is MetricPoint]
        return found

    async with asyncio.TaskGroup() as group:
        listed = group.create_task(points())
        checkpoints = group.create_task(list_checkpoints(job_id, page_size).to_list())
    return MetricSeries.build(job_id, listed.result(), checkpoints.result())


def follow_metrics(
    jobs: JobReads,
    job_id: str,
    *,
    poll_interval: float | PollSchedule,
    page_size: int,
    settle: float,
    on_job: OnUpdate | None = None,
) -> AsyncIterator[MetricPoint]:
    """Check the arguments now; return the iterator of the job's points (see the module).

    Raises:
        InvalidParameterError: a bad argument, named.
    """
    _checks.callback(on_job, "on_job")
    polls = [0]

    async def tick(job: FineTuningJob) -> None:
        polls[0] += 1
        await notify(on_job, job)

    events = follow_events(
        jobs,
        job_id,
        since=None,
        include_existing=True,
        poll_interval=poll_interval,
        page_size=page_size,
        settle=settle,
        on_job=tick,
    )
    return _in_order(events, lambda: polls[0])


async def _in_order(
    events: AsyncIterator[object], poll: Callable[[], int]
) -> AsyncIterator[MetricPoint]:
    held: dict[int, tuple[int, MetricPoint]] = {}  # step -> (the poll it was seen at, point)
    done: set[int] = set()
    last = 0
    async for event in events:
        point = getattr(event, "data", None)
        if not isinstance(point, MetricPoint) or point.step in done:
            continue
        held[point.step] = (poll(), point)  # a step listed twice in a poll: the newer one
        while held:
            step = min(held)
            seen_at, ready = held[step]
            if step > last + 1 and seen_at >= poll():  # a gap, and it had no poll to fill
                break
            del held[step]
            done.add(step)
            last = max(last, step)
            yield ready
    for step in sorted(held):
        yield held[step][1]
