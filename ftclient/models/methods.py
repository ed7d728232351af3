"""Fine-tuning methods (supervised, DPO, reinforcement) and their hyperparameters.

Every hyperparameter is optional: ``None`` means "not given", and the API then uses ``"auto"``.
"""

from __future__ import annotations

from typing import Literal

import attrs

from ._enums import FineTuneMethodType, ReinforcementReasoningEffort
from .graders import Grader

__all__ = [
    "FineTuneDPOHyperparameters",
    "FineTuneDPOMethod",
    "FineTuneMethod",
    "FineTuneReinforcementHyperparameters",
    "FineTuneReinforcementMethod",
    "FineTuneSupervisedHyperparameters",
    "FineTuneSupervisedMethod",
]


@attrs.frozen(kw_only=True)
class FineTuneSupervisedHyperparameters:
    """Hyperparameters of a supervised job."""

    batch_size: Literal["auto"] | int | None = None
    learning_rate_multiplier: Literal["auto"] | float | None = None
    n_epochs: Literal["auto"] | int | None = None


@attrs.frozen(kw_only=True)
class FineTuneDPOHyperparameters:
    """Hyperparameters of a DPO job."""

    beta: Literal["auto"] | float | None = None
    batch_size: Literal["auto"] | int | None = None
    learning_rate_multiplier: Literal["auto"] | float | None = None
    n_epochs: Literal["auto"] | int | None = None


@attrs.frozen(kw_only=True)
class FineTuneReinforcementHyperparameters:
    """Hyperparameters of a reinforcement job."""

    batch_size: Literal["auto"] | int | None = None
    learning_rate_multiplier: Literal["auto"] | float | None = None
    n_epochs: Literal["auto"] | int | None = None
    reasoning_effort: ReinforcementReasoningEffort | None = None
    compute_multiplier: Literal["auto"] | float | None = None
    eval_interval: Literal["auto"] | int | None = None
    eval_samples: Literal["auto"] | int | None = None


@attrs.frozen(kw_only=True)
class FineTuneSupervisedMethod:
    """Configuration of the supervised method."""

    hyperparameters: FineTuneSupervisedHyperparameters | None = None


@attrs.frozen(kw_only=True)
class FineTuneDPOMethod:
    """Configuration of the DPO method."""

    hyperparameters: FineTuneDPOHyperparameters | None = None


@attrs.frozen(kw_only=True)
class FineTuneReinforcementMethod:
    """Configuration of the reinforcement method: a grader and hyperparameters."""

    grader: Grader
    hyperparameters: FineTuneReinforcementHyperparameters | None = None


@attrs.frozen(kw_only=True)
class FineTuneMethod:
    """The method used for fine-tuning: ``type`` names which of the other fields applies."""

    type: FineTuneMethodType
    supervised: FineTuneSupervisedMethod | None = None
    dpo: FineTuneDPOMethod | None = None
    reinforcement: FineTuneReinforcementMethod | None = None
