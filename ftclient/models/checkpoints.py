"""Fine-tuning job checkpoints."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "FineTuningJobCheckpoint",
    "FineTuningJobCheckpointMetrics",
    "ListFineTuningJobCheckpointsResponse",
]


@attrs.frozen(kw_only=True)
class FineTuningJobCheckpointMetrics:
    """Metrics at the step of a checkpoint; the API sends only some of them."""

    step: float | None = None
    train_loss: float | None = None
    train_mean_token_accuracy: float | None = None
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None
    full_valid_loss: float | None = None
    full_valid_mean_token_accuracy: float | None = None


@attrs.frozen(kw_only=True)
class FineTuningJobCheckpoint:
    """A model checkpoint saved during a fine-tuning job."""

    id: str
    created_at: int
    fine_tuned_model_checkpoint: str
    step_number: int
    metrics: FineTuningJobCheckpointMetrics
    fine_tuning_job_id: str
    object: Literal["fine_tuning.job.checkpoint"] = "fine_tuning.job.checkpoint"


@attrs.frozen(kw_only=True)
class ListFineTuningJobCheckpointsResponse:
    """A page of checkpoints."""

    data: list[FineTuningJobCheckpoint]
    object: Literal["list"] = "list"
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool
