"""Fine-tuning jobs: the job object, its nested objects, the create request and the job list."""

from __future__ import annotations

from typing import Literal, TypeAlias

import attrs

from ._enums import TERMINAL_STATUSES, FineTuningJobStatus
from .methods import FineTuneMethod

__all__ = [
    "CreateFineTuningJobRequest",
    "FineTuningIntegration",
    "FineTuningJob",
    "FineTuningJobError",
    "FineTuningJobHyperparameters",
    "ListPaginatedFineTuningJobsResponse",
    "Metadata",
    "WandbIntegration",
]

Metadata: TypeAlias = dict[str, str] | None
"""Up to 16 string key-value pairs attached to an object, or null."""


@attrs.frozen(kw_only=True)
class FineTuningJobError:
    """Why a job failed; the job's ``error`` is ``None`` unless it failed."""

    code: str
    message: str
    param: str | None


@attrs.frozen(kw_only=True)
class FineTuningJobHyperparameters:
    """The (deprecated, see ``method``) job-level hyperparameters; ``None`` means not given."""

    batch_size: Literal["auto"] | int | None = None
    learning_rate_multiplier: Literal["auto"] | float | None = None
    n_epochs: Literal["auto"] | int | None = None


@attrs.frozen(kw_only=True)
class WandbIntegration:
    """Weights and Biases settings: the project runs go to, and optional name, entity, tags."""

    project: str
    name: str | None = None
    entity: str | None = None
    tags: list[str] | None = None


@attrs.frozen(kw_only=True)
class FineTuningIntegration:
    """An integration enabled for a job (only ``wandb`` exists)."""

    type: Literal["wandb"] = "wandb"
    wandb: WandbIntegration


@attrs.frozen(kw_only=True)
class FineTuningJob:
    """A fine-tuning job. Timestamps are Unix seconds, as on the wire.

    The spec's own example responses omit several required fields and send ``null`` for
    ``hyperparameters``; absent nullable fields decode as ``None``, so ``seed`` and
    ``hyperparameters`` are typed nullable here although the schema does not allow null.
    """

    id: str
    created_at: int
    error: FineTuningJobError | None
    fine_tuned_model: str | None
    finished_at: int | None
    hyperparameters: FineTuningJobHyperparameters | None
    model: str
    object: Literal["fine_tuning.job"] = "fine_tuning.job"
    organization_id: str
    result_files: list[str]
    status: FineTuningJobStatus
    trained_tokens: int | None
    training_file: str
    validation_file: str | None
    integrations: list[FineTuningIntegration] | None = None
    seed: int | None
    estimated_finish: int | None = None
    method: FineTuneMethod | None = None
    metadata: Metadata = None

    @property
    def is_terminal(self) -> bool:
        """True once the job has succeeded, failed or been cancelled."""
        return self.status in TERMINAL_STATUSES


@attrs.frozen(kw_only=True)
class CreateFineTuningJobRequest:
    """Body of ``POST /fine_tuning/jobs``."""

    model: str
    training_file: str
    hyperparameters: FineTuningJobHyperparameters | None = None
    suffix: str | None = None
    validation_file: str | None = None
    integrations: list[FineTuningIntegration] | None = None
    seed: int | None = None
    method: FineTuneMethod | None = None
    metadata: Metadata = None


@attrs.frozen(kw_only=True)
class ListPaginatedFineTuningJobsResponse:
    """A page of fine-tuning jobs."""

    data: list[FineTuningJob]
    has_more: bool
    object: Literal["list"] = "list"
