"""Graders (a tagged union on ``type``) and the run/validate grader requests and responses."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import attrs

from ._enums import ReasoningEffort, StringCheckOperation, TextSimilarityMetric
from .eval_items import EvalItem

__all__ = [
    "Grader",
    "GraderLabelModel",
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
class GraderStringCheck:
    """Compares ``input`` and ``reference`` with a string ``operation``."""

    type: Literal["string_check"] = "string_check"
    name: str
    input: str
    reference: str
    operation: StringCheckOperation


@attrs.frozen(kw_only=True)
class GraderTextSimilarity:
    """Grades text by a similarity ``evaluation_metric``."""

    type: Literal["text_similarity"] = "text_similarity"
    name: str
    input: str
    reference: str
    evaluation_metric: TextSimilarityMetric


@attrs.frozen(kw_only=True)
class GraderPython:
    """Runs a python ``source`` on the input."""

    type: Literal["python"] = "python"
    name: str
    source: str
    image_tag: str | None = None


@attrs.frozen(kw_only=True)
class ScoreModelSamplingParams:
    """``GraderScoreModel.sampling_params``: every field optional and nullable."""

    seed: int | None = None
    top_p: float | None = None
    temperature: float | None = None
    max_completions_tokens: int | None = None
    reasoning_effort: ReasoningEffort | None = None


@attrs.frozen(kw_only=True)
class GraderScoreModel:
    """Uses a ``model`` to assign a score to the input."""

    type: Literal["score_model"] = "score_model"
    name: str
    model: str
    sampling_params: ScoreModelSamplingParams | None = None
    input: list[EvalItem]
    # The API defaults it to [0, 1].
    range: list[float] | None = None


@attrs.frozen(kw_only=True)
class GraderLabelModel:
    """Uses a ``model`` to assign one of ``labels``; ``passing_labels`` count as a pass."""

    type: Literal["label_model"] = "label_model"
    name: str
    model: str
    input: list[EvalItem]
    labels: list[str]
    passing_labels: list[str]


@attrs.frozen(kw_only=True)
class UnknownGrader:
    """A grader whose ``type`` this SDK does not know; ``raw`` is the mapping as received."""

    type: str
    raw: dict[str, Any]


@attrs.frozen(kw_only=True)
class GraderMulti:
    """Combines the outputs of ``graders`` with the ``calculate_output`` formula."""

    type: Literal["multi"] = "multi"
    name: str
    # The schema says one grader; the spec's own example sends a list. Both decode.
    graders: Grader | list[Grader]
    calculate_output: str


Grader: TypeAlias = (
    GraderStringCheck
    | GraderTextSimilarity
    | GraderPython
    | GraderScoreModel
    | GraderLabelModel
    | GraderMulti
    | UnknownGrader
)
"""Any grader, dispatched on ``type``; an unknown ``type`` decodes as ``UnknownGrader``.

The spec's top-level grader fields (reinforcement method, run, validate) list every grader except
``label_model``, which it allows only inside ``GraderMulti``.
"""


@attrs.frozen(kw_only=True)
class RunGraderRequest:
    """Body of ``POST /fine_tuning/alpha/graders/run``."""

    grader: Grader
    item: dict[str, Any] | None = None
    model_sample: str


@attrs.frozen(kw_only=True)
class RunGraderResponseErrors:
    """``RunGraderResponse.metadata.errors``: which kinds of failure happened."""

    formula_parse_error: bool
    sample_parse_error: bool
    truncated_observation_error: bool
    unresponsive_reward_error: bool
    invalid_variable_error: bool
    other_error: bool
    python_grader_server_error: bool
    python_grader_server_error_type: str | None
    python_grader_runtime_error: bool
    python_grader_runtime_error_details: str | None
    model_grader_server_error: bool
    model_grader_refusal_error: bool
    model_grader_parse_error: bool
    model_grader_server_error_details: str | None


@attrs.frozen(kw_only=True)
class RunGraderResponseMetadata:
    """``RunGraderResponse.metadata``."""

    name: str
    type: str
    errors: RunGraderResponseErrors
    execution_time: float
    scores: dict[str, Any]
    # The schema says integer or null; the spec's example sends an object of token counts.
    token_usage: int | dict[str, Any] | None
    sampled_model_name: str | None


@attrs.frozen(kw_only=True)
class RunGraderResponse:
    """Response of ``POST /fine_tuning/alpha/graders/run``."""

    reward: float
    metadata: RunGraderResponseMetadata
    sub_rewards: dict[str, Any]
    model_grader_token_usage_per_model: dict[str, Any]


@attrs.frozen(kw_only=True)
class ValidateGraderRequest:
    """Body of ``POST /fine_tuning/alpha/graders/validate``."""

    grader: Grader


@attrs.frozen(kw_only=True)
class ValidateGraderResponse:
    """Response of ``POST /fine_tuning/alpha/graders/validate``."""

    grader: Grader | None = None
