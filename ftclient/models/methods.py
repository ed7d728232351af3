"""Fine-tuning methods (supervised, DPO, reinforcement) and their hyperparameters.

Every hyperparameter is optional: ``None`` means "not given", and the API then uses ``"auto"``.
"""

from __future__ import annotations

from typing import TypeAlias

import attrs

from ._base import Model
from ._enums import MethodTypeValue, ReinforcementEffortValue
from .graders import Grader

__all__ = [
    "AutoFloat",
    "AutoInt",
    "FineTuneDPOHyperparameters",
    "FineTuneDPOMethod",
    "FineTuneMethod",
    "FineTuneReinforcementHyperparameters",
    "FineTuneReinforcementMethod",
    "FineTuneSupervisedHyperparameters",
    "FineTuneSupervisedMethod",
]

AutoInt: TypeAlias = int | str
"""An integer or ``"auto"``. The spec allows only ``"auto"`` as a string; a response's other
string (a deployment's variant of it) is kept as sent instead of failing the response."""

AutoFloat: TypeAlias = float | str
"""A number or ``"auto"`` (see :data:`AutoInt`); an integer is a valid number (Azure sends them)."""


@attrs.frozen(kw_only=True)
class FineTuneSupervisedHyperparameters(Model):
    """Hyperparameters of a supervised job."""

    batch_size: AutoInt | None = None
    learning_rate_multiplier: AutoFloat | None = None
    n_epochs: AutoInt | None = None


@attrs.frozen(kw_only=True)
class FineTuneDPOHyperparameters(Model):
    """Hyperparameters of a DPO job."""

    beta: AutoFloat | None = None
    batch_size: AutoInt | None = None
    learning_rate_multiplier: AutoFloat | None = None
    n_epochs: AutoInt | None = None


@attrs.frozen(kw_only=True)
class FineTuneReinforcementHyperparameters(Model):
    """Hyperparameters of a reinforcement job."""

    batch_size: AutoInt | None = None
    learning_rate_multiplier: AutoFloat | None = None
    n_epochs: AutoInt | None = None
    reasoning_effort: ReinforcementEffortValue | None = None
    compute_multiplier: AutoFloat | None = None
    eval_interval: AutoInt | None = None
    eval_samples: AutoInt | None = None


@attrs.frozen(kw_only=True)
class FineTuneSupervisedMethod(Model):
    """Configuration of the supervised method."""

    hyperparameters: FineTuneSupervisedHyperparameters | None = None


@attrs.frozen(kw_only=True)
class FineTuneDPOMethod(Model):
    """Configuration of the DPO method."""

    hyperparameters: FineTuneDPOHyperparameters | None = None


@attrs.frozen(kw_only=True)
class FineTuneReinforcementMethod(Model):
    """Configuration of the reinforcement method: a grader and hyperparameters.

    ``grader`` is required in a request; a response without one decodes with ``None``.
    """

    grader: Grader | None = None
    hyperparameters: FineTuneReinforcementHyperparameters | None = None


@attrs.frozen(kw_only=True)
class FineTuneMethod(Model):
    """The method used for fine-tuning: ``type`` names which of the other fields applies.

    A method ``type`` this SDK does not know decodes as a pseudo-member of the open enum; its
    settings stay in the document (:func:`ftclient.to_dict`).
    """

    type: MethodTypeValue | None = None
    supervised: FineTuneSupervisedMethod | None = None
    dpo: FineTuneDPOMethod | None = None
    reinforcement: FineTuneReinforcementMethod | None = None
