"""Fine-tuning job events.

An event's ``id``, ``object``, ``created_at``, ``level`` and ``message`` are required (the spec
requires them; OpenAI's and Azure's events carry them). ``type`` and ``data`` are optional in the
spec, and Azure's documented events have no ``data``.
"""

from __future__ import annotations

from typing import Any

import attrs

from ._base import Model
from ._enums import EventLevel, EventType
from ._page import Page
from .metrics import MetricPoint

__all__ = ["FineTuningJobEvent", "ListFineTuningJobEventsResponse"]


@attrs.frozen(kw_only=True)
class FineTuningJobEvent(Model):
    """One event of a fine-tuning job (``created_at`` is Unix seconds).

    ``level`` and ``type`` are typed :data:`~ftclient.models.EventLevel` /
    :data:`~ftclient.models.EventType` and hold :class:`FineTuningJobEventLevel` /
    :class:`FineTuningJobEventType` members (a value added later: a pseudo-member).
    """

    object: str
    id: str
    created_at: int
    level: EventLevel
    message: str
    type: EventType | None = None
    # An object in the schema; the spec's list example sends null. A ``metrics`` event's data
    # with an integer ``step`` decodes as a MetricPoint; any other data stays the mapping sent.
    data: MetricPoint | dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class ListFineTuningJobEventsResponse(Page):
    """A page of job events."""

    object: str = "list"
    data: list[FineTuningJobEvent]
    has_more: bool = False
