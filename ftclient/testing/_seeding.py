"""Seed data for tests: jobs that already reached a given state, as if created earlier, files,
permissions; and the emulator's helpers that look at jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._clock import SimulatedClock
from ._errors import EmulatorError
from ._files import FileStore, seed_fields
from ._jobspec import parse_create_request
from ._lifecycle import Job
from ._state import EmulatorState

__all__ = ["SEED_STATUSES", "SeedData", "seed_job"]

SEED_STATUSES = (
    "validating_files",
    "queued",
    "running",
    "paused",
    "succeeded",
    "failed",
    "cancelled",
)
_TRAINING = ("running", "paused")
DEFAULT_BODY = {"model": "gpt-4o-mini", "training_file": "file-seed"}


def seed_job(
    state: EmulatorState,
    now: float,
    status: str,
    *,
    step: int | None,
    error: Mapping[str, Any] | None,
    fields: Mapping[str, Any],
) -> Job:
    """Create a job that is in ``status`` at ``now``; see ``FineTuningEmulator.add_job``.

    Raises:
        ValueError: an unknown status, a step outside the job's training, an ``error`` for a
            status other than failed, or a create body the API would refuse.
    """
    if status not in SEED_STATUSES:
        raise ValueError(f"status must be one of {', '.join(SEED_STATUSES)}; got {status!r}")
    if error is not None and status != "failed":
        raise ValueError("error= only applies to status='failed'")
    if step is not None and status not in (*_TRAINING, "failed", "cancelled"):
        raise ValueError(f"step= does not apply to status={status!r}")
    unknown = sorted(set(error or {}) - {"code", "message", "param"})
    if unknown:
        raise ValueError(f"error= takes code, message and param; got {unknown}")
    try:
        request = parse_create_request({**DEFAULT_BODY, **fields})
    except EmulatorError as exc:
        raise ValueError(f"{exc.param or 'body'}: {exc.message}") from None
    job = state.create_job(request, now)
    if step is not None and not 0 <= step < job.total_steps:
        state.discard_last_job(job)
        last = job.total_steps - 1
        raise ValueError(f"step must be from 0 to {last} for this job, got {step}")
    if status in ("queued", "succeeded"):
        reached = status
    elif status in _TRAINING or step is not None:
        reached = "running"
    else:  # failed or cancelled while validating, or just created
        reached = "validating_files"
    job.backdate(job.active_time_of(reached, step or 0))
    job.sync(now)
    if status == "paused":
        job.pause(now)
    elif status == "cancelled":
        job.cancel(now)
    elif status == "failed":
        given = error or {}
        job.fail(
            now,
            code=given.get("code", "server_error"),
            message=given.get("message", "The job failed due to an internal error."),
            param=given.get("param"),
        )
    return job


class SeedData:
    """The emulator's helpers for tests: look at jobs, seed jobs, permissions and files.

    A base of :class:`~ftclient.testing.FineTuningEmulator`, kept apart from its serving code.
    """

    state: EmulatorState
    clock: SimulatedClock

    @property
    def jobs(self) -> dict[str, Job]:
        """Every job by id (use :meth:`job_json` for its current document)."""
        return self.state.jobs

    def job_json(self, job_id: str) -> dict[str, Any]:
        """Return the job's ``FineTuningJob`` document as of the current simulated time.

        Raises:
            KeyError: no such job.
        """
        job = self.state.jobs[job_id]
        job.sync(self.clock.now())
        return job.to_json()

    def fail_job(
        self,
        job_id: str,
        *,
        code: str = "server_error",
        message: str = "The job failed due to an internal error.",
        param: str | None = None,
    ) -> dict[str, Any]:
        """Fail a job now, as if training had broken.

        Args:
            job_id: the job to fail.
            code: ``error.code`` of the job.
            message: ``error.message`` (also logged as an ``error`` event).
            param: ``error.param``.

        Returns:
            The failed job's document.

        Raises:
            KeyError: no such job.
            ValueError: the job already finished.
        """
        job = self.state.jobs[job_id]
        try:
            job.fail(self.clock.now(), code=code, message=message, param=param)
        except EmulatorError as exc:
            raise ValueError(exc.message) from None
        return job.to_json()

    def add_job(
        self,
        status: str = "validating_files",
        *,
        step: int | None = None,
        error: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Add a job that is in ``status`` now, as if it had been created earlier (seed data).

        Its history (events, metrics, checkpoints) is stamped when it would have happened; it
        goes on from there as the clock moves, like any job.

        Args:
            status: ``validating_files``, ``queued``, ``running``, ``paused``, ``succeeded``
                (with every checkpoint), ``failed`` or ``cancelled``.
            step: training steps done (``running``, ``paused``; for ``failed`` and
                ``cancelled``, where training stopped; by default they stop while validating).
            error: for ``failed``: ``code``, ``message``, ``param`` (default ``server_error``).
            **fields: the create request's fields (``model`` defaults to ``gpt-4o-mini``,
                ``training_file`` to ``file-seed``), e.g. ``suffix``, ``metadata``, ``method``.

        Returns:
            The job's ``FineTuningJob`` document.

        Raises:
            ValueError: an unknown status, a step outside the job's training, an ``error``
                with another status, or fields the API would refuse.
        """
        job = seed_job(self.state, self.clock.now(), status, step=step, error=error, fields=fields)
        return job.to_json()

    def add_permissions(self, checkpoint: str, project_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Share a checkpoint (or a succeeded job's model) with projects (seed data).

        Returns:
            One ``FineTuningCheckpointPermission`` document per distinct project.

        Raises:
            ValueError: no such checkpoint, or an empty or blank project id.
        """
        try:
            return self.state.create_permissions(checkpoint, list(project_ids), self.clock.now())
        except EmulatorError as exc:
            raise ValueError(exc.message) from None

    @property
    def files(self) -> FileStore:
        """Every file (``emu.files.get(file_id, emu.clock.now())``, ``len(emu.files)``)."""
        return self.state.files

    def seed_file(
        self,
        content: bytes | str,
        *,
        filename: str = "train.jsonl",
        purpose: str = "fine-tune",
        file_id: str | None = None,
    ) -> dict[str, Any]:
        """Add a processed file, as if uploaded earlier (seed data).

        Args:
            content: its bytes (a ``str`` is encoded as UTF-8), e.g.
                :data:`~ftclient.testing.SAMPLE_TRAINING_DATA`.
            filename: its name.
            purpose: one of ``OpenAIFile.purpose`` (``fine-tune`` by default).
            file_id: the id to give it (e.g. the ``file-abc`` an older test passes); by
                default a generated ``file-...``.

        Returns:
            The file's ``OpenAIFile`` document (its ``id`` is what a job takes).

        Raises:
            ValueError: an unknown purpose, an empty filename or a ``file_id`` in use.
        """
        seed_fields(purpose, filename)
        data = content.encode() if isinstance(content, str) else bytes(content)
        now = self.clock.now()
        stored = self.state.files.add(
            data, filename=filename, purpose=purpose, now=now, file_id=file_id, processed=True
        )
        return stored.to_json(now)
