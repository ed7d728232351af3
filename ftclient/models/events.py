"""Fine-tuning job events."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from ._enums import FineTuningJobEventLevel, FineTuningJobEventType

__all__ = ["FineTuningJobEvent", "ListFineTuningJobEventsResponse"]


@attrs.frozen(kw_only=True)
class FineTuningJobEvent:
    """One event of a fine-tuning job (``created_at`` is Unix seconds)."""

    object: Literal["fine_tuning.job.event"] = "fine_tuning.job.event"
    id: str
    created_at: int
    level: FineTuningJobEventLevel
    message: str
    type: FineTuningJobEventType | None = None
    # An object in the schema; the spec's list example sends null.
    data: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class ListFineTuningJobEventsResponse:
    """A page of job events."""

    object: Literal["list"] = "list"
    data: list[FineTuningJobEvent]
    has_more: bool
