"""Open string enums: a value the spec does not list still decodes and round-trips unchanged.

The status-like fields users compare (a job's ``status``, an event's ``level`` and ``type``, a
file's and an Upload's ``status``) are annotated with a ``Literal`` alias of the values known
servers send (:data:`JobStatus`, ...), because mypy's strict equality flags a misspelt
``job.status == "succeded"`` only against a union of string literals; an enum or ``str``
overlaps every string. At run time the value is still the open enum's member (or a
pseudo-member for a value added later) where there is an enum, the string where there is none:
:data:`LITERAL_CLASSES` says which, and the converter decodes each alias by it.

Fields a caller also sets when building a request model keep the open enum as their type
(``FineTuneMethod.type``, a grader's ``operation`` or ``evaluation_metric``, ``reasoning_effort``):
a ``Literal`` would refuse the enum members callers pass (``FineTuneMethod(type=
FineTuneMethodType.DPO)``), and their misspellings in a request are the request types' business.
A comparison of such a field with a misspelt string is therefore not flagged.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

__all__ = [
    "LITERAL_CLASSES",
    "TERMINAL_STATUSES",
    "AudioFormat",
    "EvalItemRole",
    "EventLevel",
    "EventType",
    "FileStatus",
    "FineTuneMethodType",
    "FineTuningJobEventLevel",
    "FineTuningJobEventType",
    "FineTuningJobStatus",
    "JobStatus",
    "OpenStrEnum",
    "PermissionOrder",
    "ReasoningEffort",
    "ReinforcementReasoningEffort",
    "StringCheckOperation",
    "TextSimilarityMetric",
    "UploadStatus",
]


class OpenStrEnum(enum.StrEnum):
    """A ``StrEnum`` that turns an unknown string into a pseudo-member instead of failing.

    The pseudo-member compares and hashes equal to its string and unstructures back to it, so a
    value the server adds after this SDK was released (``"paused"``, ``"pending"``) survives a round
    trip. It is not listed by iteration.
    """

    if TYPE_CHECKING:
        # What is true at run time (str's equality and hash), said to the type checker: a member
        # compares equal to its string, so ``job.status == FineTuningJobStatus.SUCCEEDED``
        # (a ``Literal`` union against a member) is no non-overlapping comparison.
        def __eq__(self, other: object) -> bool: ...
        def __hash__(self) -> int: ...

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
    # Azure OpenAI's documented create and resume responses.
    PENDING = "pending"
    RESUMING = "resuming"


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


JobStatus: TypeAlias = Literal[
    "validating_files",
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
    "paused",
    "pending",
    "resuming",
]
"""``FineTuningJob.status`` for the type checker; the value is a :class:`FineTuningJobStatus`."""

EventLevel: TypeAlias = Literal["info", "warn", "error"]
"""``FineTuningJobEvent.level``; the value is a :class:`FineTuningJobEventLevel`."""

EventType: TypeAlias = Literal["message", "metrics"]
"""``FineTuningJobEvent.type``; the value is a :class:`FineTuningJobEventType`."""

FileStatus: TypeAlias = Literal[
    "uploaded", "processed", "error", "pending", "running", "deleting", "deleted"
]
"""``FileObject.status``: the spec's three, and Azure's ``pending``/``running`` (being
imported), ``deleting``/``deleted``. The value is the string sent."""

UploadStatus: TypeAlias = Literal["pending", "completed", "cancelled", "expired"]
"""``Upload.status``; the value is the string sent."""

LITERAL_CLASSES: dict[Any, type[str]] = {
    JobStatus: FineTuningJobStatus,
    EventLevel: FineTuningJobEventLevel,
    EventType: FineTuningJobEventType,
    FileStatus: str,
    UploadStatus: str,
}
"""What a value of each alias is at run time: any string the server sends is accepted, as the
open enum's member (or pseudo-member) or as the string itself; the alias only types it."""
