"""Fine-tuning job checkpoints.

Every field of a checkpoint is required (the spec requires them all; OpenAI's and Azure's
checkpoints carry them). Inside ``metrics`` every value is optional: the spec requires none,
and a job without a validation file has no ``valid_*`` ones.
"""

from __future__ import annotations

import attrs

from ._base import Model
from ._page import Page

__all__ = [
    "FineTuningJobCheckpoint",
    "FineTuningJobCheckpointMetrics",
    "ListFineTuningJobCheckpointsResponse",
]


@attrs.frozen(kw_only=True)
class FineTuningJobCheckpointMetrics(Model):
    """Metrics at the step of a checkpoint; the API sends only some of them."""

    step: float | None = None
    train_loss: float | None = None
    train_mean_token_accuracy: float | None = None
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None
    full_valid_loss: float | None = None
    full_valid_mean_token_accuracy: float | None = None


@attrs.frozen(kw_only=True)
class FineTuningJobCheckpoint(Model):
    """A model checkpoint saved during a fine-tuning job."""

    id: str
    created_at: int
    fine_tuned_model_checkpoint: str
    step_number: int
    metrics: FineTuningJobCheckpointMetrics
    fine_tuning_job_id: str
    object: str


@attrs.frozen(kw_only=True)
class ListFineTuningJobCheckpointsResponse(Page):
    """A page of checkpoints."""

    data: list[FineTuningJobCheckpoint]
    object: str = "list"
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False
