"""``client.checkpoints``: list a job's checkpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core.pagination import AsyncPaginator
from .._core.paths import job_path
from ..models import FineTuningJobCheckpoint, ListFineTuningJobCheckpointsResponse
from ._base import Options, Resource, TimeoutArg

__all__ = ["Checkpoints"]


class Checkpoints(Resource):
    """Checkpoints of fine-tuning jobs."""

    __slots__ = ()
    _name = "checkpoints"

    def list(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
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
            "list",
            ListFineTuningJobCheckpointsResponse,
            job_path(job_id, "checkpoints"),
            {"limit": limit},
            Options(timeout, extra_headers, extra_query, extra_body),
            after=after,
        )
