"""Fine-tuning jobs: the job object, its nested objects, the create request and the job list.

Decoding follows the service over the spec: every field except ``id`` may be absent or null (the
spec's examples and Azure-style deployments omit or null ``organization_id``, ``result_files``,
``seed``, ``hyperparameters``...), so each is ``X | None`` and absent decodes as ``None``.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from ._base import Model
from ._enums import TERMINAL_STATUSES, FineTuningJobStatus
from ._page import Page
from .methods import AutoFloat, AutoInt, FineTuneMethod

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
class FineTuningJobError(Model):
    """Why a job failed; the job's ``error`` is ``None`` unless it failed."""

    code: str | None = None
    message: str | None = None
    param: str | None = None


@attrs.frozen(kw_only=True)
class FineTuningJobHyperparameters(Model):
    """The (deprecated, see ``method``) job-level hyperparameters; ``None`` means not given."""

    batch_size: AutoInt | None = None
    learning_rate_multiplier: AutoFloat | None = None
    n_epochs: AutoInt | None = None


@attrs.frozen(kw_only=True)
class WandbIntegration(Model):
    """Weights and Biases settings: the project runs go to, and optional name, entity, tags."""

    project: str | None = None
    name: str | None = None
    entity: str | None = None
    tags: list[str] | None = None


@attrs.frozen(kw_only=True)
class FineTuningIntegration(Model):
    """An integration enabled for a job.

    The spec knows only ``wandb``; a job may carry another ``type`` (Azure sends integrations with
    a ``type`` alone), so ``type`` is any string and ``wandb`` may be absent.
    """

    type: str = "wandb"
    wandb: WandbIntegration | None = None


@attrs.frozen(kw_only=True)
class FineTuningJob(Model):
    """A fine-tuning job. Timestamps are Unix seconds, as on the wire.

    Only ``id`` is required; see the module docstring. ``object`` is any string (an unknown
    constant is kept), ``status`` an open enum (``"paused"``, Azure's ``"pending"`` survive).
    """

    id: str
    created_at: int | None = None
    error: FineTuningJobError | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    hyperparameters: FineTuningJobHyperparameters | None = None
    model: str | None = None
    object: str = "fine_tuning.job"
    organization_id: str | None = None
    result_files: list[str] | None = None
    status: FineTuningJobStatus | None = None
    trained_tokens: int | None = None
    training_file: str | None = None
    validation_file: str | None = None
    integrations: list[FineTuningIntegration] | None = None
    seed: int | None = None
    estimated_finish: int | None = None
    method: FineTuneMethod | None = None
    metadata: Metadata = None

    @property
    def is_terminal(self) -> bool:
        """True once the job has succeeded, failed or been cancelled."""
        return self.status in TERMINAL_STATUSES


@attrs.frozen(kw_only=True)
class CreateFineTuningJobRequest(Model):
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
class ListPaginatedFineTuningJobsResponse(Page):
    """A page of fine-tuning jobs."""

    data: list[FineTuningJob]
    has_more: bool = False
    object: str = "list"
