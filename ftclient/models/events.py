"""Fine-tuning job events."""

from __future__ import annotations

from typing import Any

import attrs

from ._base import Model
from ._enums import FineTuningJobEventLevel, FineTuningJobEventType
from ._page import Page
from .metrics import MetricPoint

__all__ = ["FineTuningJobEvent", "ListFineTuningJobEventsResponse"]


@attrs.frozen(kw_only=True)
class FineTuningJobEvent(Model):
    """One event of a fine-tuning job (``created_at`` is Unix seconds)."""

    object: str = "fine_tuning.job.event"
    id: str
    created_at: int | None = None
    level: FineTuningJobEventLevel | None = None
    message: str | None = None
    type: FineTuningJobEventType | None = None
    # An object in the schema; the spec's list example sends null. A ``metrics`` event's data
    # with an integer ``step`` decodes as a MetricPoint; any other data stays the mapping sent.
    data: MetricPoint | dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class ListFineTuningJobEventsResponse(Page):
    """A page of job events."""

    object: str = "list"
    data: list[FineTuningJobEvent]
    has_more: bool = False
