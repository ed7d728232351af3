"""``client.jobs``: create, list, retrieve, cancel, pause and resume jobs; list their events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._checks import check_metadata
from .._checks import idempotency_key as check_key
from .._core.pagination import AsyncPaginator
from .._core.paths import JOBS_PATH, job_path
from .._core.protocol import NO_METADATA, NoMetadata
from .._wire.requests import request_body
from ..models import (
    FineTuneMethod,
    FineTuningIntegration,
    FineTuningJob,
    FineTuningJobEvent,
    FineTuningJobHyperparameters,
    ListFineTuningJobEventsResponse,
    ListPaginatedFineTuningJobsResponse,
)
from ._base import Options, TimeoutArg
from ._fleet import FleetOps
from ._guards import (
    CreateJobGuard,
    NoResend,
    TransitionGuard,
    create_advice,
    new_key,
    with_idempotency_key,
)
from .job_metrics import JobMetrics
from .job_watching import JobWatching

if TYPE_CHECKING:
    from ..params import FineTuneMethodParam, IntegrationParam, JobHyperparametersParam

__all__ = ["Jobs"]

# The statuses that show an earlier, lost attempt of each transition took effect.
_TRANSITION_DONE = {
    "cancel": frozenset({"cancelled"}),
    "pause": frozenset({"paused"}),
    "resume": frozenset({"running", "queued", "validating_files", "succeeded", "failed"}),
}


class Jobs(JobMetrics, JobWatching, FleetOps):
    """Fine-tuning jobs; waiting and following are :class:`.job_watching.JobWatching`'s, the
    training metrics :class:`.job_metrics.JobMetrics`'s.

    Every API method takes the keyword-only options ``timeout=`` (seconds or
    :class:`~ftclient.Timeouts` for the whole call, checks and retries included; ``None``: no
    limit), ``max_retries=`` (this call's retries in place of the client's),
    ``extra_headers=``, ``extra_query=`` and ``extra_body=`` (merged into the JSON body), sent
    as given (:class:`~ftclient.resources._base.Options`).
    """

    __slots__ = ()
    _name = "jobs"

    async def create(
        self,
        *,
        model: str,
        training_file: str,
        method: FineTuneMethodParam | FineTuneMethod | None = None,
        hyperparameters: JobHyperparametersParam | FineTuningJobHyperparameters | None = None,
        suffix: str | None = None,
        validation_file: str | None = None,
        integrations: Sequence[IntegrationParam | FineTuningIntegration] | None = None,
        seed: int | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        deduplicate: bool = True,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Create a fine-tuning job (``POST /fine_tuning/jobs``), never twice.

        The job is tagged with this call's idempotency key, in
        ``metadata["ftclient_idempotency_key"]`` and the ``Idempotency-Key`` header. After an
        answer that was lost (the connection dropped or timed out after sending, or a 5xx), the
        key is looked up for up to ``RetryPolicy.consistency_window`` (the API's list may show a
        new job late) and the job found is returned; only if none appears is the create sent
        again, and then any second job made with the key is cancelled and the first returned
        (``response_info(job).recovery`` says so). With ``deduplicate=False``, or when
        ``metadata`` already holds 16 keys and leaves no room for the tag, a create that may have
        acted is not sent again: its error is raised. When ``timeout`` runs out first,
        :class:`~ftclient.APITimeoutError` names the key to pass as ``idempotency_key`` to
        collect the job later.

        Args:
            model: base model to fine-tune, e.g. ``"gpt-4o-mini"``.
            training_file: id of an uploaded JSONL file with purpose ``fine-tune``.
            method: ``FineTuneMethod`` or mapping: supervised, dpo or reinforcement settings.
            hyperparameters: deprecated top-level hyperparameters (prefer ``method``).
            suffix: up to 64 characters added to the fine-tuned model's name.
            validation_file: id of an uploaded validation file.
            integrations: e.g. ``[{"type": "wandb", "wandb": {"project": "p"}}]``.
            seed: reproducibility seed, 0 to 2147483647.
            metadata: up to 16 string pairs attached to the job.
            idempotency_key: the key that identifies this create across retries, and across
                your own retries of the whole call: when you pass one, a job already tagged with
                it is looked up first and returned instead of creating another (whatever the
                other arguments), and a second one made because the list lagged is cancelled;
                default: a random key, no look-up.
            deduplicate: tag the job and look it up before ambiguous retries (default True).

        Returns:
            The created :class:`~ftclient.models.FineTuningJob`.

        Raises:
            InvalidParameterError: a bad argument, named by path, before anything is sent.
            APIStatusError: the API refused the request.
            APIConnectionError: no usable response after the retries.
        """
        options = Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries)
        check_metadata(metadata)
        key = check_key(idempotency_key) if idempotency_key is not None else new_key()
        user_metadata = dict(metadata) if metadata is not None else None
        tagged = with_idempotency_key(user_metadata, key) if deduplicate else None
        body = request_body(
            "CreateFineTuningJobRequest",
            {
                "model": model,
                "training_file": training_file,
                "method": method,
                "hyperparameters": hyperparameters,
                "suffix": suffix,
                "validation_file": validation_file,
                "integrations": integrations,
                "seed": seed,
                "metadata": tagged if tagged is not None else metadata,
            },
        )
        guard = (
            CreateJobGuard(key, explicit=idempotency_key is not None)
            if tagged is not None
            else NoResend(
                "not sent again: the job may have been made, and without its idempotency tag "
                "(deduplicate=False, or 16 metadata keys leave no room) ftclient cannot check",
                advice=create_advice(key),
            )
        )
        call = self._call(
            "create",
            FineTuningJob,
            "POST",
            JOBS_PATH,
            options,
            body=body,
            guard=guard,
            idempotency_key=key,
        )
        return await self._runner.run(call)

    async def retrieve(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Get a job by id (``GET /fine_tuning/jobs/{id}``).

        Raises:
            NotFoundError: no such job.
        """
        path = job_path(job_id)
        options = Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries)
        return await self._request("retrieve", FineTuningJob, "GET", path, options)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        metadata: Mapping[str, str] | NoMetadata | None = None,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[FineTuningJob, ListPaginatedFineTuningJobsResponse]:
        """List jobs, newest first, across all pages (``GET /fine_tuning/jobs``).

        Args:
            limit: page size (the API's default is 20).
            after: start after this job id.
            metadata: only jobs whose metadata contains all these pairs (sent as
                ``metadata[k]=v``), or :data:`ftclient.NO_METADATA` for jobs without metadata.

        Returns:
            An :class:`~ftclient.AsyncPaginator` (iterate it; ``await`` it for the first page).
        """
        if metadata is not None and metadata is not NO_METADATA:
            check_metadata(metadata)
        return self._paginate(
            "list",
            ListPaginatedFineTuningJobsResponse,
            JOBS_PATH,
            {"limit": limit, "metadata": metadata},
            Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries),
            after=after,
        )

    async def _transition(self, action: str, job_id: str, options: Options) -> FineTuningJob:
        return await self._request(
            action,
            FineTuningJob,
            "POST",
            job_path(job_id, action),
            options,
            guard=TransitionGuard(job_path(job_id), _TRANSITION_DONE[action]),
        )

    async def cancel(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Cancel a job (``POST /fine_tuning/jobs/{id}/cancel``); returns the updated job."""
        options = Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries)
        return await self._transition("cancel", job_id, options)

    async def pause(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Pause a running job (``POST /fine_tuning/jobs/{id}/pause``); returns the updated job."""
        options = Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries)
        return await self._transition("pause", job_id, options)

    async def resume(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Resume a paused job (``POST /fine_tuning/jobs/{id}/resume``); returns the updated job."""
        options = Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries)
        return await self._transition("resume", job_id, options)

    def list_events(
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
    ) -> AsyncPaginator[FineTuningJobEvent, ListFineTuningJobEventsResponse]:
        """List a job's events, newest first, across all pages (``GET .../events``).

        Args:
            job_id: the job.
            limit: page size (the API's default is 20).
            after: start after this event id.
        """
        return self._paginate(
            "list_events",
            ListFineTuningJobEventsResponse,
            job_path(job_id, "events"),
            {"limit": limit},
            Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries),
            after=after,
        )
