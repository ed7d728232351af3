"""What the polling helpers need of the jobs resource: three reads, as a protocol.

Polling sits below the resources: ``client.jobs`` hands itself to these helpers, and they see
only this much of it, so nothing here imports the resource layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from .._config import Clock, RetryPolicy
from .._core.pagination import AsyncPaginator
from ..models import (
    FineTuningJob,
    FineTuningJobEvent,
    ListFineTuningJobEventsResponse,
    ListPaginatedFineTuningJobsResponse,
)

__all__ = ["JobReads"]


class JobReads(Protocol):
    """The reads of ``client.jobs`` that waiting, following and watching are built on."""

    @property
    def clock(self) -> Clock:
        """The client's clock: the helpers wait out their intervals on it."""
        ...

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client's retry policy: what it retries is what a poll counts as transient."""
        ...

    async def retrieve(self, job_id: str) -> FineTuningJob:
        """One job."""
        ...

    def list(
        self, *, limit: int | None = None, metadata: Mapping[str, str] | None = None
    ) -> AsyncPaginator[FineTuningJob, ListPaginatedFineTuningJobsResponse]:
        """Jobs, newest first (those whose metadata holds every pair of ``metadata``)."""
        ...

    def list_events(
        self, job_id: str, *, limit: int | None = None
    ) -> AsyncPaginator[FineTuningJobEvent, ListFineTuningJobEventsResponse]:
        """A job's events, newest first."""
        ...
