"""``client.jobs``: create, list, retrieve, cancel, pause and resume jobs; list their events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._checks import MAX_PAGE_SIZE, check_metadata
from .._checks import idempotency_key as check_key
from .._config import DEFAULT_SETTLE
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

if TYPE_CHECKING:
    from ..params import FineTuneMethodParam, IntegrationParam, JobHyperparametersParam
    from ..polling.wait import OnUpdate, PollSchedule
    from ..polling.waiter import JobWaiter

__all__ = ["Jobs"]

# The statuses that show an earlier, lost attempt of each transition took effect.
_TRANSITION_DONE = {
    "cancel": frozenset({"cancelled"}),
    "pause": frozenset({"paused"}),
    "resume": frozenset({"running", "queued", "validating_files", "succeeded", "failed"}),
}


class Jobs(JobMetrics, FleetOps):
    """Fine-tuning jobs; their training metrics are :class:`.job_metrics.JobMetrics`'s.

    Every API method takes the keyword-only options ``timeout=`` (seconds or
    :class:`~ftclient.Timeouts` for the whole call, checks and retries included; ``None``: no
    limit), ``extra_headers=``, ``extra_query=`` and ``extra_body=`` (merged into the JSON body),
    sent as given.
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
        options = Options(timeout, extra_headers, extra_query, extra_body)
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
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Get a job by id (``GET /fine_tuning/jobs/{id}``).

        Raises:
            NotFoundError: no such job.
        """
        path = job_path(job_id)
        options = Options(timeout, extra_headers, extra_query, extra_body)
        return await self._request("retrieve", FineTuningJob, "GET", path, options)

    def list(
        self,
        *,
        limit: int | None = None,
        after: str | None = None,
        metadata: Mapping[str, str] | NoMetadata | None = None,
        timeout: TimeoutArg = ...,
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
            Options(timeout, extra_headers, extra_query, extra_body),
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
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Cancel a job (``POST /fine_tuning/jobs/{id}/cancel``); returns the updated job."""
        options = Options(timeout, extra_headers, extra_query, extra_body)
        return await self._transition("cancel", job_id, options)

    async def pause(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Pause a running job (``POST /fine_tuning/jobs/{id}/pause``); returns the updated job."""
        options = Options(timeout, extra_headers, extra_query, extra_body)
        return await self._transition("pause", job_id, options)

    async def resume(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> FineTuningJob:
        """Resume a paused job (``POST /fine_tuning/jobs/{id}/resume``); returns the updated job."""
        options = Options(timeout, extra_headers, extra_query, extra_body)
        return await self._transition("resume", job_id, options)

    def list_events(
        self,
        job_id: str,
        *,
        limit: int | None = None,
        after: str | None = None,
        timeout: TimeoutArg = ...,
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
            Options(timeout, extra_headers, extra_query, extra_body),
            after=after,
        )

    async def wait(
        self,
        job_id: str,
        *,
        poll_interval: float | PollSchedule = 5.0,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        stop_on: Collection[str] = (),
    ) -> FineTuningJob:
        """Poll a job until it is ``succeeded``, ``failed`` or ``cancelled``, and return it.

        ``paused`` and unknown statuses keep waiting unless listed in ``stop_on``. Intervals start
        at ``poll_interval`` and grow gently (x1.25, jittered, at most 30 s); a ``Retry-After``
        hint of at most the schedule's maximum on a poll's response sets the next interval.

        Args:
            job_id: the job.
            poll_interval: first interval in seconds, or a :class:`~ftclient.PollSchedule`.
            timeout: give up after this many seconds (None waits forever).
            on_update: called (sync or async) with the job after every poll.
            stop_on: extra statuses to return on, e.g. ``{"paused"}``.

        Raises:
            InvalidParameterError: a bad argument, named, before anything is sent.
            WaitTimeoutError: ``timeout`` passed; ``.last`` is the last job seen.
            APIError: a poll failed after the client's retries (``NotFoundError``: no such job).
        """
        from ..polling.wait import wait  # ftclient.polling loads on first use (import time)

        return await wait(
            self,
            job_id,
            poll_interval=poll_interval,
            timeout=timeout,
            on_update=on_update,
            stop_on=stop_on,
        )

    def follow_events(
        self,
        job_id: str,
        *,
        since: str | None = None,
        include_existing: bool = True,
        poll_interval: float | PollSchedule = 2.0,
        page_size: int = MAX_PAGE_SIZE,
        settle: float = DEFAULT_SETTLE,
        on_job: OnUpdate | None = None,
    ) -> AsyncIterator[FineTuningJobEvent]:
        """Yield a job's events as they appear, until the job is terminal and its events settled.

        Every event the server lists for the job while it is followed is yielded exactly once,
        whatever order the server stores them in: new ones oldest first at each poll; one stored
        late behind events already yielded (an older ``created_at``) at the latest by the
        complete read at the end, made ``settle`` seconds after the job is terminal (the
        service lists some events a moment after the job ends). Resume after a restart by
        passing the last event id you processed as ``since``.

        Args:
            job_id: the job.
            since: yield only events listed above (newer than) this event id; an id the job
                does not list yields every event.
            include_existing: with no ``since``, also yield the events that already exist.
            poll_interval: first interval in seconds, or a :class:`~ftclient.PollSchedule`.
            page_size: events per list request.
            settle: seconds between seeing the job terminal and the final complete read.
            on_job: called (sync or async) with the job retrieved at each poll, e.g. to show
                its status next to the events.

        Raises:
            InvalidParameterError: a bad argument, named, at the call (before iterating).
            APIError: from the iteration, a request that failed after the client's retries.
            PaginationError: from the iteration, event pages that cannot be followed (a
                repeated cursor, or ``has_more`` with none).
        """
        from ..polling.follow import follow_events

        return follow_events(
            self,
            job_id,
            since=since,
            include_existing=include_existing,
            poll_interval=poll_interval,
            page_size=page_size,
            settle=settle,
            on_job=on_job,
        )

    def wait_many(
        self,
        job_ids: Iterable[str],
        *,
        concurrency: int = 64,
        poll_interval: float | PollSchedule = 2.0,
        timeout: float | None = None,
        stop_on: Collection[str] = (),
        max_failed_polls: int = 10,
        keep_open: bool = False,
    ) -> JobWaiter:
        """Watch many jobs; yield a :class:`~ftclient.WaitResult` for each as its outcome is known.

        ::

            async with client.jobs.wait_many(ids) as results:
                async for result in results:
                    if result.ok:
                        print(result.job_id, result.job.status)
                    else:
                        print(result.job_id, "could not be watched:", result.error)

        Every pending job is observed once per round, by whichever costs fewer requests:
        ``jobs.list`` pages (100 jobs each, newest first, only as deep as the jobs it looks for)
        or one retrieve per job (jobs the list cannot reach, or few jobs). Rounds start every
        ``poll_interval`` and grow like :class:`~ftclient.PollSchedule`; a round in which a job
        finished starts over at ``poll_interval``. Feed webhook events with
        :meth:`~ftclient.JobWaiter.notify` to learn of a job at once, polling being the safety
        net. One job's failure never stops the others.

        Args:
            job_ids: the jobs (a collection of ids; duplicates are watched once).
            concurrency: most retrieves in flight at the same time.
            poll_interval: first interval between rounds, or a :class:`~ftclient.PollSchedule`.
            timeout: give up after this many seconds overall (None: never).
            stop_on: extra statuses that count as finished, e.g. ``{"paused"}``.
            max_failed_polls: transient failures in a row after which a job is given up on.
            keep_open: keep iterating when no job is pending, for jobs added later with
                :meth:`~ftclient.JobWaiter.add`, until :meth:`~ftclient.JobWaiter.aclose`.

        Returns:
            A :class:`~ftclient.JobWaiter`; polling starts when you iterate it. Add jobs to it
            (:meth:`~ftclient.JobWaiter.add`) or drop them (:meth:`~ftclient.JobWaiter.remove`)
            while it runs.

        Raises:
            InvalidParameterError: at the call, a bad argument, named (a lone string as
                ``job_ids`` included), before anything is sent.
            WaitTimeoutError: from the iteration, when ``timeout`` passes; ``.last`` maps each
                pending id to the last job seen (or None).

            Nothing else is raised for a job's sake. A job's error is in its result's
            ``error``: a non-transient error at once (``NotFoundError`` for an unknown id,
            ``AuthenticationError``, ``InvalidParameterError`` for an id that cannot be sent);
            a transient one (what the client's ``RetryPolicy`` retries, by default connection
            errors, 408, 409, 429 and 5xx, or an undecodable body; each after those retries)
            keeps the job pending and polled on schedule, and is reported only after
            ``max_failed_polls`` failures in a row. An exception that is
            not an ftclient error (a bug) ends the iteration with that exception.
        """
        from ..polling.waiter import JobWaiter

        return JobWaiter(
            self,
            job_ids,
            concurrency=concurrency,
            poll_interval=poll_interval,
            timeout=timeout,
            stop_on=stop_on,
            max_failed_polls=max_failed_polls,
            keep_open=keep_open,
        )
