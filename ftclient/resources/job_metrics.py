"""``client.jobs.metrics`` and ``client.jobs.follow_metrics``: a job's training curve, typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Protocol

from .._checks import MAX_PAGE_SIZE
from .._config import DEFAULT_SETTLE
from .._core.pagination import AsyncPaginator
from .._core.paths import job_path
from ..errors import APIResponseValidationError
from ..models import MetricPoint, MetricSeries
from ..models.metrics import EventMetrics, EventMetricsPage
from ._base import Options, Resource
from .checkpoints import Checkpoints
from .files import Files
from .uploads import Uploads

if TYPE_CHECKING:  # ftclient.polling loads on first use (import time)
    from .._core.runner import Runner
    from ..polling._api import JobReads
    from ..polling.wait import OnUpdate, PollSchedule

    class _Jobs(JobReads, Protocol):
        """What following needs of the class this is a base of (``Jobs``)."""

        _runner: Runner


__all__ = ["JobMetrics"]


class JobMetrics(Resource):
    """The metrics reads of :class:`~ftclient.resources.jobs.Jobs` (a base class of it)."""

    __slots__ = ()

    def _event_metrics(
        self, job_id: str, page_size: int
    ) -> AsyncPaginator[EventMetrics, EventMetricsPage]:
        # The events endpoint, each event read as only its id, type and data.
        path = job_path(job_id, "events")
        return self._paginate(
            "list_events", EventMetricsPage, path, {"limit": page_size}, Options(), after=None
        )

    async def metrics(self, job_id: str, *, page_size: int = MAX_PAGE_SIZE) -> MetricSeries:
        """Every metrics point of a job, oldest first, one per step, checkpoint metrics merged in.

        Reads all the job's event pages (newest first, ``page_size`` events a request) and its
        checkpoint pages, side by side. For a step listed twice the newest event wins; a
        checkpoint's ``full_valid_*`` metrics fill in its step's point (a checkpoint at a step
        with no event gets a point of its own).

        ::

            series = await client.jobs.metrics(job.id)
            print(series.sparkline("train_loss"), series[-1].train_loss)
            pandas.DataFrame(series.to_rows())

        Args:
            job_id: the job.
            page_size: events (and checkpoints) per list request.

        Returns:
            A :class:`~ftclient.models.MetricSeries` (empty before training starts).

        Raises:
            InvalidParameterError: a bad argument, named, before anything is sent.
            APIError: a list request failed after the client's retries (``NotFoundError``: no
                such job).
            PaginationError: pages that cannot be followed.
        """
        checkpoints = Checkpoints(self._runner)
        from ..polling import metrics as _metrics

        return await _metrics.read_metrics(
            self._event_metrics,
            lambda job, size: checkpoints.list(job, limit=size),
            job_id,
            page_size=page_size,
        )

    async def results(self: _Jobs, job_id: str) -> list[MetricPoint]:
        """The job's result files, downloaded and parsed into typed rows, in file order.

        A result file is CSV, or base64 of CSV as newer jobs send it; both are read, and columns
        this version does not know are kept on each row (``row.extra``, ``row.get(name)``).

        ::

            rows = await client.jobs.results(job.id)
            print(rows[-1].step, rows[-1].train_loss)

        Returns:
            One :class:`~ftclient.models.MetricPoint` per row of every result file (none while
            the job has no result file).

        Raises:
            InvalidParameterError: a bad ``job_id``, before anything is sent.
            APIError: a request failed after the client's retries.
            APIResponseValidationError: a result file that is not a results CSV (named).
        """
        from .._wire.results import ResultsFormatError, parse_results  # cattrs on first use

        job = await self.retrieve(job_id)
        files = Files(self._runner, Uploads(self._runner))
        rows: list[MetricPoint] = []
        for file_id in job.result_files or ():
            try:
                rows.extend(parse_results(await files.content(file_id)))
            except ResultsFormatError as exc:
                raise APIResponseValidationError(
                    f"result file {file_id} of {job_id}: {exc}", method="GET", url=file_id
                ) from None
        return rows

    def follow_metrics(
        self: _Jobs,
        job_id: str,
        *,
        poll_interval: float | PollSchedule = 2.0,
        page_size: int = MAX_PAGE_SIZE,
        settle: float = DEFAULT_SETTLE,
        on_job: OnUpdate | None = None,
    ) -> AsyncIterator[MetricPoint]:
        """Yield a job's metrics points as they appear, until the job ends.

        Built on :meth:`follow_events`: every point the server lists is yielded once, those
        that exist already first. Points come in step order; one listed above a step not yet
        listed waits for it up to one poll (a service lists some events late), and whatever
        is held is yielded when the job ends. A step listed twice is yielded once.

        ::

            async for point in client.jobs.follow_metrics(job.id):
                print(point.step, point.train_loss, point.valid_loss)

        Args:
            job_id: the job.
            poll_interval: first interval in seconds, or a :class:`~ftclient.PollSchedule`.
            page_size: events per list request.
            settle: seconds between seeing the job terminal and the final complete read.
            on_job: called (sync or async) with the job retrieved at each poll.

        Raises:
            InvalidParameterError: a bad argument, named, at the call (before iterating).
            APIError: from the iteration, a request that failed after the client's retries.
            PaginationError: from the iteration, event pages that cannot be followed.
        """
        from ..polling import metrics as _metrics

        return _metrics.follow_metrics(
            self,
            job_id,
            poll_interval=poll_interval,
            page_size=page_size,
            settle=settle,
            on_job=on_job,
        )
