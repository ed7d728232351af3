"""Models built by hand in tests, with only the fields every known server sends (the required
ones): what a caller building a model must give since those fields are required."""

from __future__ import annotations

from typing import Any

from ftclient import models

BARE_JOB: dict[str, Any] = {
    "id": "ftjob-1",
    "object": "fine_tuning.job",
    "created_at": 1,
    "model": "m",
    "status": "queued",
    "training_file": "file-t",
}
"""A job document with the required fields alone."""


def job(**changes: Any) -> models.FineTuningJob:
    """A job built from :data:`BARE_JOB` with ``changes``."""
    return models.FineTuningJob(**{**BARE_JOB, **changes})


def checkpoint(step: int, **metrics: float) -> models.FineTuningJobCheckpoint:
    """A checkpoint of job ``ftjob-1`` at ``step`` with ``metrics``."""
    return models.FineTuningJobCheckpoint(
        id=f"ftckpt-{step}",
        object="fine_tuning.job.checkpoint",
        created_at=1,
        fine_tuned_model_checkpoint=f"ft:m:ckpt-step-{step}",
        fine_tuning_job_id="ftjob-1",
        step_number=step,
        metrics=models.FineTuningJobCheckpointMetrics(step=step, **metrics),
    )


def event(**fields: Any) -> models.FineTuningJobEvent:
    """An event: ``fields`` over an info-level one."""
    base = {"object": "fine_tuning.job.event", "id": "ftevent-1", "created_at": 1}
    return models.FineTuningJobEvent(**{**base, "level": "info", "message": "hi", **fields})
