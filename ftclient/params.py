"""Typed request parameters: the shapes of the mappings passed to ``jobs.create``, ``graders``...

Each ``TypedDict`` here describes a nested parameter as the API's contract fixes it, so that a
type checker flags a misspelt key or value in the caller's code::

    from ftclient.params import FineTuneMethodParam

    method: FineTuneMethodParam = {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}}
    await client.jobs.create(model="gpt-4o-mini", training_file="file-abc", method=method)

They are for the checker only: at run time a parameter is a plain ``dict``, checked against the
OpenAPI document before it is sent (``InvalidParameterError`` naming the path), and a key the
document does not name still goes out as given. Wherever a mapping is accepted, the library's
models are too (``ftclient.models.FineTuneMethod``...); an ``UnknownGrader`` model carries a
grader ``type`` these types do not know. Required keys and literal values are those the run-time
check requires; Bedrock's ``lambda`` grader is the one provider addition, accepted where
Bedrock accepts it (the reinforcement method).
"""

# No ``from __future__ import annotations``: on Python 3.11 a TypedDict with string annotations
# reports every key as required or none (``__required_keys__``), whatever ``Required`` says.
from collections.abc import Mapping, Sequence
from typing import Literal, Required, TypeAlias, TypedDict

from .models import (
    EvalItem,
    FineTuneDPOHyperparameters,
    FineTuneMethod,
    FineTuneReinforcementHyperparameters,
    FineTuneSupervisedHyperparameters,
    FineTuningIntegration,
    FineTuningJobHyperparameters,
    Grader,
)

__all__ = [
    "DpoHyperparametersParam",
    "DpoMethodParam",
    "EvalItemContentParam",
    "EvalItemParam",
    "FileExpirationParam",
    "FineTuneMethodParam",
    "GraderParam",
    "InputAudioDataParam",
    "InputAudioParam",
    "InputImageParam",
    "InputTextParam",
    "IntegrationParam",
    "JobHyperparametersParam",
    "JobSpecParam",
    "LabelModelGraderParam",
    "LambdaFunctionParam",
    "LambdaGraderParam",
    "MultiGraderParam",
    "OutputTextParam",
    "PromptCacheBreakpointParam",
    "PythonGraderParam",
    "ReinforcementGraderParam",
    "ReinforcementHyperparametersParam",
    "ReinforcementMethodParam",
    "SamplingParamsParam",
    "ScoreModelGraderParam",
    "StringCheckGraderParam",
    "SubGraderParam",
    "SupervisedHyperparametersParam",
    "SupervisedMethodParam",
    "TextSimilarityGraderParam",
    "WandbParam",
]

AutoInt: TypeAlias = Literal["auto"] | int
AutoFloat: TypeAlias = Literal["auto"] | float
# A JSON array of strings; not Sequence[str], which a bare string also is.
Strings: TypeAlias = list[str] | tuple[str, ...]


# Hyperparameters: every key optional; an absent one is "auto" for the service.


class SupervisedHyperparametersParam(TypedDict, total=False):
    """``method.supervised.hyperparameters``."""

    batch_size: AutoInt
    learning_rate_multiplier: AutoFloat
    n_epochs: AutoInt


class DpoHyperparametersParam(TypedDict, total=False):
    """``method.dpo.hyperparameters``."""

    beta: AutoFloat
    batch_size: AutoInt
    learning_rate_multiplier: AutoFloat
    n_epochs: AutoInt


class ReinforcementHyperparametersParam(TypedDict, total=False):
    """``method.reinforcement.hyperparameters``."""

    batch_size: AutoInt
    learning_rate_multiplier: AutoFloat
    n_epochs: AutoInt
    reasoning_effort: Literal["default", "low", "medium", "high"]
    compute_multiplier: AutoFloat
    eval_interval: AutoInt
    eval_samples: AutoInt


class JobHyperparametersParam(TypedDict, total=False):
    """The deprecated top-level ``hyperparameters`` of ``jobs.create`` (prefer ``method``)."""

    batch_size: AutoInt
    learning_rate_multiplier: AutoFloat
    n_epochs: AutoInt


# Grader inputs: the messages a model grader is prompted with.


class PromptCacheBreakpointParam(TypedDict):
    """Marks the end of a reusable prompt prefix."""

    mode: Literal["explicit"]


class InputTextParam(TypedDict, total=False):
    """A text input (``type: input_text``)."""

    type: Required[Literal["input_text"]]
    text: Required[str]
    prompt_cache_breakpoint: PromptCacheBreakpointParam


class OutputTextParam(TypedDict):
    """A text output of the model (``type: output_text``)."""

    type: Literal["output_text"]
    text: str


class InputImageParam(TypedDict, total=False):
    """An image input (``type: input_image``); ``detail``: high, low or auto."""

    type: Required[Literal["input_image"]]
    image_url: Required[str]
    detail: str


class InputAudioDataParam(TypedDict):
    """The payload of an audio input: base64 ``data`` and its ``format``."""

    data: str
    format: Literal["mp3", "wav"]


class InputAudioParam(TypedDict):
    """An audio input (``type: input_audio``)."""

    type: Literal["input_audio"]
    input_audio: InputAudioDataParam


_ContentItem: TypeAlias = str | InputTextParam | OutputTextParam | InputImageParam | InputAudioParam
EvalItemContentParam: TypeAlias = _ContentItem | Sequence[_ContentItem]
"""A message's ``content``: text (template strings allowed), one content item, or a list."""


class EvalItemParam(TypedDict, total=False):
    """A message a model grader is prompted with."""

    role: Required[Literal["user", "assistant", "system", "developer"]]
    content: Required[EvalItemContentParam]
    type: Literal["message"]


_Messages: TypeAlias = Sequence[EvalItemParam | EvalItem]


# Graders, each tagged by ``type``.


class StringCheckGraderParam(TypedDict):
    """Compares ``input`` with ``reference`` by ``operation``."""

    type: Literal["string_check"]
    name: str
    input: str
    reference: str
    operation: Literal["eq", "ne", "like", "ilike"]


class TextSimilarityGraderParam(TypedDict):
    """Grades ``input`` against ``reference`` by a similarity ``evaluation_metric``."""

    type: Literal["text_similarity"]
    name: str
    input: str
    reference: str
    evaluation_metric: Literal[
        "cosine",
        "fuzzy_match",
        "bleu",
        "gleu",
        "meteor",
        "rouge_1",
        "rouge_2",
        "rouge_3",
        "rouge_4",
        "rouge_5",
        "rouge_l",
    ]


class PythonGraderParam(TypedDict, total=False):
    """Runs the python ``source`` on each sample."""

    type: Required[Literal["python"]]
    name: Required[str]
    source: Required[str]
    image_tag: str


class SamplingParamsParam(TypedDict, total=False):
    """``sampling_params`` of a score model grader; every key optional and nullable."""

    seed: int | None
    top_p: float | None
    temperature: float | None
    max_completions_tokens: int | None
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None


class ScoreModelGraderParam(TypedDict, total=False):
    """A ``model`` scores each sample (``range`` defaults to [0, 1])."""

    type: Required[Literal["score_model"]]
    name: Required[str]
    model: Required[str]
    input: Required[_Messages]
    sampling_params: SamplingParamsParam
    range: Sequence[float]


class LabelModelGraderParam(TypedDict):
    """A ``model`` picks one of ``labels``; ``passing_labels`` count as a pass (multi only)."""

    type: Literal["label_model"]
    name: str
    model: str
    input: _Messages
    labels: Strings
    passing_labels: Strings


SubGraderParam: TypeAlias = (
    StringCheckGraderParam
    | TextSimilarityGraderParam
    | PythonGraderParam
    | ScoreModelGraderParam
    | LabelModelGraderParam
)
"""A grader inside a multi grader's ``graders``."""


class MultiGraderParam(TypedDict):
    """Combines ``graders`` with the ``calculate_output`` formula.

    ``graders`` maps each name (a variable of the formula) to a grader, the form the service
    expects (the spec's single grader and list still pass the run-time check).
    """

    type: Literal["multi"]
    name: str
    graders: Mapping[str, SubGraderParam | Grader]
    calculate_output: str


GraderParam: TypeAlias = (
    StringCheckGraderParam
    | TextSimilarityGraderParam
    | PythonGraderParam
    | ScoreModelGraderParam
    | MultiGraderParam
)
"""The ``grader`` of ``graders.run`` and ``graders.validate``."""


class LambdaFunctionParam(TypedDict):
    """The AWS Lambda function of a lambda grader: its ARN."""

    function: str


LambdaGraderParam = TypedDict(
    "LambdaGraderParam",
    # Functional form: ``lambda`` is a Python keyword.
    {"type": Required[Literal["lambda"]], "lambda": Required[LambdaFunctionParam], "name": str},
    total=False,
)
"""Amazon Bedrock's grader: a Lambda function scores each sample (reinforcement method only)."""

ReinforcementGraderParam: TypeAlias = GraderParam | LambdaGraderParam
"""The ``grader`` of the reinforcement method: any top-level grader, or Bedrock's lambda."""


# Methods.


class SupervisedMethodParam(TypedDict, total=False):
    """``method.supervised``."""

    hyperparameters: SupervisedHyperparametersParam | FineTuneSupervisedHyperparameters


class DpoMethodParam(TypedDict, total=False):
    """``method.dpo``."""

    hyperparameters: DpoHyperparametersParam | FineTuneDPOHyperparameters


class ReinforcementMethodParam(TypedDict, total=False):
    """``method.reinforcement``: a grader (required) and hyperparameters."""

    grader: Required[ReinforcementGraderParam | Grader]
    hyperparameters: ReinforcementHyperparametersParam | FineTuneReinforcementHyperparameters


class FineTuneMethodParam(TypedDict, total=False):
    """``method``: ``type`` names which of the other keys applies."""

    type: Required[Literal["supervised", "dpo", "reinforcement"]]
    supervised: SupervisedMethodParam
    dpo: DpoMethodParam
    reinforcement: ReinforcementMethodParam


# Integrations and files.


class WandbParam(TypedDict, total=False):
    """Weights and Biases settings: the ``project`` (required) runs go to."""

    project: Required[str]
    name: str | None
    entity: str | None
    tags: Strings


class IntegrationParam(TypedDict):
    """An integration of ``jobs.create``: ``wandb``, the only one the API knows."""

    type: Literal["wandb"]
    wandb: WandbParam


class FileExpirationParam(TypedDict):
    """``expires_after`` of ``files.create`` and ``uploads.create``: 3600 to 2592000 seconds."""

    anchor: Literal["created_at"]
    seconds: int


class JobSpecParam(TypedDict, total=False):
    """One spec of ``jobs.submit_many``: the keyword arguments of one ``jobs.create``."""

    model: Required[str]
    training_file: Required[str]
    method: FineTuneMethodParam | FineTuneMethod
    hyperparameters: JobHyperparametersParam | FineTuningJobHyperparameters
    suffix: str
    validation_file: str
    integrations: Sequence[IntegrationParam | FineTuningIntegration]
    seed: int
    metadata: Mapping[str, str]
    idempotency_key: str
