"""Fine-tuning jobs: the job object, its nested objects, the create request and the job list.

A job's ``id``, ``object``, ``created_at``, ``model``, ``status`` and ``training_file`` are
required: OpenAI's spec requires them and every response of Azure OpenAI's and the spec's
examples carries them; a response without one is an ``APIResponseValidationError`` naming it.
The others are ``X | None``, absent decoding as ``None``, each for a reason:

* ``organization_id``, ``result_files``, ``seed``, ``error``, ``validation_file``: Azure's
  documented job responses omit them (``organization_id: null``, ``result_files: null`` too);
* ``fine_tuned_model``, ``finished_at``, ``trained_tokens``, ``estimated_finish``: null until
  the job gets there (the spec's nullables), and Azure omits them;
* ``hyperparameters``: deprecated in favour of ``method``, so a server may stop sending it;
* ``integrations``, ``method``, ``metadata``: optional in the spec.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from ._base import Model
from ._enums import TERMINAL_STATUSES, JobStatus
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

    Which fields are required and why the others are optional: see the module docstring.
    ``object`` is any string (an unknown constant is kept). ``status`` is typed
    :data:`~ftclient.models.JobStatus` and holds a :class:`FineTuningJobStatus`: a value a
    server adds later decodes as a pseudo-member that compares equal to its string.
    """

    id: str
    created_at: int
    error: FineTuningJobError | None = None
    fine_tuned_model: str | None = None
    finished_at: int | None = None
    hyperparameters: FineTuningJobHyperparameters | None = None
    model: str
    object: str
    organization_id: str | None = None
    result_files: list[str] | None = None
    status: JobStatus
    trained_tokens: int | None = None
    training_file: str
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
