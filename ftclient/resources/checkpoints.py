"""``client.checkpoints``: list a job's checkpoints."""

from __future__ import annotations

from collections.abc import Mapping

from .._pagination import AsyncPaginator
from .._protocol import path_segment
from ..models import FineTuningJobCheckpoint, ListFineTuningJobCheckpointsResponse
from ._base import Resource, TimeoutArg

__all__ = ["Checkpoints"]


class Checkpoints(Resource):
    """Checkpoints of fine-tuning jobs."""

    __slots__ = ()

    def list(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[FineTuningJobCheckpoint, ListFineTuningJobCheckpointsResponse]:
        """List a job's checkpoints, newest first, across all pages (``GET .../checkpoints``).

        Args:
            job_id: the job.
            limit: page size (the API's default is 10).
            after: start after this checkpoint id.

        Returns:
            An :class:`~ftclient.AsyncPaginator`; pages carry ``first_id`` and ``last_id``.
        """
        return self._paginate(
            ListFineTuningJobCheckpointsResponse,
            f"/fine_tuning/jobs/{path_segment(job_id, 'job_id')}/checkpoints",
            {"limit": limit},
            after=after,
            timeout=timeout,
            extra_headers=extra_headers,
        )
