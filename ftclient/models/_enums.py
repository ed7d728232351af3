"""Open string enums: a value the spec does not list still decodes and round-trips unchanged."""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "TERMINAL_STATUSES",
    "AudioFormat",
    "EvalItemRole",
    "FineTuneMethodType",
    "FineTuningJobEventLevel",
    "FineTuningJobEventType",
    "FineTuningJobStatus",
    "OpenStrEnum",
    "PermissionOrder",
    "ReasoningEffort",
    "ReinforcementReasoningEffort",
    "StringCheckOperation",
    "TextSimilarityMetric",
]


class OpenStrEnum(enum.StrEnum):
    """A ``StrEnum`` that turns an unknown string into a pseudo-member instead of failing.

    The pseudo-member compares and hashes equal to its string and unstructures back to it, so a
    value the server adds after this SDK was released (``"paused"``, ``"pending"``) survives a round
    trip. It is not listed by iteration.
    """

    @classmethod
    def _missing_(cls, value: Any) -> OpenStrEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        # Cached so the same unknown value is the same object; the set of values a server sends is
        # small, so the cache stays small.
        cached: OpenStrEnum = cls._value2member_map_.setdefault(value, member)  # type: ignore[assignment]
        return cached

    @property
    def is_known(self) -> bool:
        """True if the value is one this SDK declares (not a pseudo-member)."""
        return type(self)._member_map_.get(self._name_) is self


class FineTuningJobStatus(OpenStrEnum):
    """``FineTuningJob.status``."""

    VALIDATING_FILES = "validating_files"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Not in the schema's enum; the spec's own pause example response returns it.
    PAUSED = "paused"


TERMINAL_STATUSES: frozenset[FineTuningJobStatus] = frozenset(
    {FineTuningJobStatus.SUCCEEDED, FineTuningJobStatus.FAILED, FineTuningJobStatus.CANCELLED}
)
"""Statuses after which a job never changes again."""


class FineTuningJobEventLevel(OpenStrEnum):
    """``FineTuningJobEvent.level``."""

    INFO = "info"
    WARN = "warn"
    ERROR = "error"


class FineTuningJobEventType(OpenStrEnum):
    """``FineTuningJobEvent.type``."""

    MESSAGE = "message"
    METRICS = "metrics"


class FineTuneMethodType(OpenStrEnum):
    """``FineTuneMethod.type``."""

    SUPERVISED = "supervised"
    DPO = "dpo"
    REINFORCEMENT = "reinforcement"


class ReinforcementReasoningEffort(OpenStrEnum):
    """``FineTuneReinforcementHyperparameters.reasoning_effort`` (spec default ``default``)."""

    DEFAULT = "default"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ReasoningEffort(OpenStrEnum):
    """The ``ReasoningEffort`` schema: reasoning effort of a grader model (nullable where used)."""

    NONE = "none"
    MINIMAL = "minimal"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    XHIGH = "xhigh"
    MAX = "max"


class StringCheckOperation(OpenStrEnum):
    """``GraderStringCheck.operation``."""

    EQ = "eq"
    NE = "ne"
    LIKE = "like"
    ILIKE = "ilike"


class TextSimilarityMetric(OpenStrEnum):
    """``GraderTextSimilarity.evaluation_metric``."""

    COSINE = "cosine"
    FUZZY_MATCH = "fuzzy_match"
    BLEU = "bleu"
    GLEU = "gleu"
    METEOR = "meteor"
    ROUGE_1 = "rouge_1"
    ROUGE_2 = "rouge_2"
    ROUGE_3 = "rouge_3"
    ROUGE_4 = "rouge_4"
    ROUGE_5 = "rouge_5"
    ROUGE_L = "rouge_l"


class EvalItemRole(OpenStrEnum):
    """``EvalItem.role``."""

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    DEVELOPER = "developer"


class AudioFormat(OpenStrEnum):
    """``InputAudio.input_audio.format``."""

    MP3 = "mp3"
    WAV = "wav"


class PermissionOrder(OpenStrEnum):
    """The ``order`` query parameter of the checkpoint permission list (spec default descending)."""

    ASCENDING = "ascending"
    DESCENDING = "descending"
