"""``client.checkpoints``: list a job's checkpoints, pick the best one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _checks
from .._checks import MAX_PAGE_SIZE
from .._core.pagination import AsyncPaginator
from .._core.paths import job_path
from ..errors import InvalidParameterError
from ..models import FineTuningJobCheckpoint, ListFineTuningJobCheckpointsResponse
from ..models.metrics import best_checkpoint
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
        max_retries: int | None = None,
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
            Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries),
            after=after,
        )

    async def best(
        self,
        job_id: str,
        *,
        by: str = "valid_loss",
        mode: str | None = None,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> FineTuningJobCheckpoint | None:
        """The checkpoint to deploy: the best of the job's checkpoints by one metric.

        Reads every checkpoint page (100 a request). A metric named ``*loss*`` is best lowest,
        ``*accuracy*`` highest; for another metric (any numeric key of a checkpoint's
        ``metrics``, those this SDK does not model included) say which with ``mode``.
        Checkpoints without the metric are passed over; ties go to the earlier step.

        ::

            best = await client.checkpoints.best(job.id, by="full_valid_loss")
            print(best.fine_tuned_model_checkpoint if best else "no checkpoint has it")

        Args:
            job_id: the job.
            by: the metric, e.g. ``"valid_loss"``, ``"full_valid_mean_token_accuracy"``.
            mode: ``"min"`` or ``"max"``; default from the metric's name.

        Returns:
            The checkpoint, or None when none has a number for ``by``.

        Raises:
            InvalidParameterError: a bad argument (an unknown ``mode``, or none for a metric
                whose name says neither loss nor accuracy), named, before anything is sent.
            APIError: a list request failed after the client's retries.
        """
        _checks.identifier(job_id, "job_id")
        _checks.instance_of(by, str, "by", "a metric name (str)")
        if mode is None:
            mode = "min" if "loss" in by else "max" if "accuracy" in by else None
            if mode is None:
                raise InvalidParameterError("mode", f"say 'min' or 'max' for the metric {by!r}")
        elif mode not in ("min", "max"):
            raise InvalidParameterError("mode", f"must be 'min' or 'max', got {mode!r}")
        pages = self.list(
            job_id,
            limit=MAX_PAGE_SIZE,
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return best_checkpoint(await pages.to_list(), by, mode)
