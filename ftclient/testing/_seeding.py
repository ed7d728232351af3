"""Seed data for tests: jobs that already reached a given state, as if created earlier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import EmulatorError
from ._jobspec import parse_create_request
from ._lifecycle import Job
from ._state import EmulatorState

__all__ = ["SEED_STATUSES", "seed_job"]

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
