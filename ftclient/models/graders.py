"""Graders (a tagged union on ``type``) and the run/validate grader requests and responses.

A response is decoded as the service sends it, not as the schema requires: a grader field the
schema requires may be absent (``None``), an unknown ``type`` is an :class:`UnknownGrader`. What a
request must hold is checked against the spec before it is sent, not by these classes.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import attrs

from ._base import Model
from ._enums import ReasoningEffort, StringCheckOperation, TextSimilarityMetric
from .eval_items import EvalItem

__all__ = [
    "Grader",
    "GraderLabelModel",
    "GraderLambda",
    "GraderMulti",
    "GraderPython",
    "GraderScoreModel",
    "GraderStringCheck",
    "GraderTextSimilarity",
    "RunGraderRequest",
    "RunGraderResponse",
    "RunGraderResponseErrors",
    "RunGraderResponseMetadata",
    "ScoreModelSamplingParams",
    "UnknownGrader",
    "ValidateGraderRequest",
    "ValidateGraderResponse",
]


@attrs.frozen(kw_only=True)
class GraderStringCheck(Model):
    """Compares ``input`` and ``reference`` with a string ``operation``."""

    type: Literal["string_check"] = "string_check"
    name: str | None = None
    input: str | None = None
    reference: str | None = None
    operation: StringCheckOperation | None = None


@attrs.frozen(kw_only=True)
class GraderTextSimilarity(Model):
    """Grades text by a similarity ``evaluation_metric``."""

    type: Literal["text_similarity"] = "text_similarity"
    name: str | None = None
    input: str | None = None
    reference: str | None = None
    evaluation_metric: TextSimilarityMetric | None = None


@attrs.frozen(kw_only=True)
class GraderPython(Model):
    """Runs a python ``source`` on the input."""

    type: Literal["python"] = "python"
    name: str | None = None
    source: str | None = None
    image_tag: str | None = None


@attrs.frozen(kw_only=True)
class ScoreModelSamplingParams(Model):
    """``GraderScoreModel.sampling_params``: every field optional and nullable."""

    seed: int | None = None
    top_p: float | None = None
    temperature: float | None = None
    max_completions_tokens: int | None = None
    reasoning_effort: ReasoningEffort | None = None


@attrs.frozen(kw_only=True)
class GraderScoreModel(Model):
    """Uses a ``model`` to assign a score to the input."""

    type: Literal["score_model"] = "score_model"
    name: str | None = None
    model: str | None = None
    sampling_params: ScoreModelSamplingParams | None = None
    input: list[EvalItem] | None = None
    # The API defaults it to [0, 1].
    range: list[float] | None = None


@attrs.frozen(kw_only=True)
class GraderLabelModel(Model):
    """Uses a ``model`` to assign one of ``labels``; ``passing_labels`` count as a pass."""

    type: Literal["label_model"] = "label_model"
    name: str | None = None
    model: str | None = None
    input: list[EvalItem] | None = None
    labels: list[str] | None = None
    passing_labels: list[str] | None = None


@attrs.frozen(kw_only=True)
class GraderLambda(Model):
    """Amazon Bedrock's grader: an AWS Lambda ``function`` (its ARN) scores each sample.

    Not in the OpenAPI document: Bedrock adds it for reinforcement fine-tuning. On the wire it is
    ``{"type": "lambda", "lambda": {"function": "<ARN>"}}``; ``lambda`` being a Python keyword,
    the ARN is this class's ``function`` field and the converter nests it.
    """

    type: Literal["lambda"] = "lambda"
    name: str | None = None
    function: str | None = None


@attrs.frozen(kw_only=True)
class UnknownGrader(Model):
    """A grader whose ``type`` this SDK does not know (or that has none); ``raw`` is the mapping
    as received, and is what is sent back."""

    type: str | None
    raw: dict[str, Any]


@attrs.frozen(kw_only=True)
class GraderMulti(Model):
    """Combines the outputs of ``graders`` with the ``calculate_output`` formula."""

    type: Literal["multi"] = "multi"
    name: str | None = None
    # The service follows neither the schema (one grader) nor the spec's example (a list): it
    # sends and expects a map of name -> grader, the names being the variables of
    # ``calculate_output`` (an OpenAI maintainer on openai/openai-java#647). All three decode into
    # the map; the single and list forms are keyed by each grader's name (its index if it has no
    # name or repeats one). ``ftclient.to_dict`` still returns the form that arrived.
    graders: dict[str, Grader] | None = None
    calculate_output: str | None = None


Grader: TypeAlias = (
    GraderStringCheck
    | GraderTextSimilarity
    | GraderPython
    | GraderScoreModel
    | GraderLabelModel
    | GraderMulti
    | GraderLambda
    | UnknownGrader
)
"""Any grader, dispatched on ``type``; an unknown ``type`` decodes as ``UnknownGrader``.

The spec's top-level grader fields (reinforcement method, run, validate) list every grader except
``label_model``, which it allows only inside ``GraderMulti``. ``GraderLambda`` is Bedrock's
addition, accepted on the reinforcement method.
"""


@attrs.frozen(kw_only=True)
class RunGraderRequest(Model):
    """Body of ``POST /fine_tuning/alpha/graders/run``."""

    grader: Grader
    item: dict[str, Any] | None = None
    model_sample: str


@attrs.frozen(kw_only=True)
class RunGraderResponseErrors(Model):
    """``RunGraderResponse.metadata.errors``: which kinds of failure happened.

    The schema requires every flag; the service omits some, so an absent (or null) flag is False.
    """

    formula_parse_error: bool = False
    sample_parse_error: bool = False
    truncated_observation_error: bool = False
    unresponsive_reward_error: bool = False
    invalid_variable_error: bool = False
    other_error: bool = False
    python_grader_server_error: bool = False
    python_grader_server_error_type: str | None = None
    python_grader_runtime_error: bool = False
    python_grader_runtime_error_details: str | None = None
    model_grader_server_error: bool = False
    model_grader_refusal_error: bool = False
    model_grader_parse_error: bool = False
    model_grader_server_error_details: str | None = None


@attrs.frozen(kw_only=True)
class RunGraderResponseMetadata(Model):
    """``RunGraderResponse.metadata``."""

    name: str | None = None
    type: str | None = None
    errors: RunGraderResponseErrors | None = None
    execution_time: float | None = None
    scores: dict[str, Any] | None = None
    # The schema says integer or null; the spec's example sends an object of token counts.
    token_usage: int | dict[str, Any] | None = None
    sampled_model_name: str | None = None


@attrs.frozen(kw_only=True)
class RunGraderResponse(Model):
    """Response of ``POST /fine_tuning/alpha/graders/run``.

    ``reward`` (the answer) is required; the rest of this alpha endpoint's answer is decoded as
    sent, each part optional while its shape moves (the spec's example already differs from its
    schema: ``token_usage``).
    """

    reward: float
    metadata: RunGraderResponseMetadata | None = None
    sub_rewards: dict[str, Any] | None = None
    model_grader_token_usage_per_model: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class ValidateGraderRequest(Model):
    """Body of ``POST /fine_tuning/alpha/graders/validate``."""

    grader: Grader


@attrs.frozen(kw_only=True)
class ValidateGraderResponse(Model):
    """Response of ``POST /fine_tuning/alpha/graders/validate``."""

    grader: Grader | None = None
