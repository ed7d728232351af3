"""The fine-tuning webhook events, and the one function that decodes a verified body into one."""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs

from ..errors import InvalidWebhookPayloadError

__all__ = [
    "FineTuningJobCancelledWebhookEvent",
    "FineTuningJobFailedWebhookEvent",
    "FineTuningJobSucceededWebhookEvent",
    "FineTuningJobWebhookData",
    "JobEvent",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "parse",
]


@attrs.frozen(kw_only=True)
class FineTuningJobWebhookData:
    """The ``data`` of a fine-tuning webhook event: the job's id."""

    id: str


@attrs.frozen(kw_only=True)
class _FineTuningJobWebhookEvent:
    """What the three fine-tuning events share: ``data.id`` is the job, ``created_at`` when."""

    id: str
    created_at: int
    data: FineTuningJobWebhookData
    object: str = "event"


@attrs.frozen(kw_only=True)
class FineTuningJobSucceededWebhookEvent(_FineTuningJobWebhookEvent):
    """``fine_tuning.job.succeeded``: the job in ``data.id`` succeeded at ``created_at``."""

    type: Literal["fine_tuning.job.succeeded"] = "fine_tuning.job.succeeded"


@attrs.frozen(kw_only=True)
class FineTuningJobFailedWebhookEvent(_FineTuningJobWebhookEvent):
    """``fine_tuning.job.failed``: the job in ``data.id`` failed at ``created_at``."""

    type: Literal["fine_tuning.job.failed"] = "fine_tuning.job.failed"


@attrs.frozen(kw_only=True)
class FineTuningJobCancelledWebhookEvent(_FineTuningJobWebhookEvent):
    """``fine_tuning.job.cancelled``: the job in ``data.id`` was cancelled at ``created_at``."""

    type: Literal["fine_tuning.job.cancelled"] = "fine_tuning.job.cancelled"


@attrs.frozen(kw_only=True)
class UnknownWebhookEvent:
    """An event type this version does not know (other products, new events): kept as sent."""

    id: str
    type: str
    created_at: int | None
    data: Any
    object: str | None
    raw: dict[str, Any] = attrs.field(repr=False)


JobEvent = (
    FineTuningJobSucceededWebhookEvent
    | FineTuningJobFailedWebhookEvent
    | FineTuningJobCancelledWebhookEvent
)
WebhookEvent = JobEvent | UnknownWebhookEvent

_JOB_EVENTS: dict[str, type[JobEvent]] = {
    "fine_tuning.job.succeeded": FineTuningJobSucceededWebhookEvent,
    "fine_tuning.job.failed": FineTuningJobFailedWebhookEvent,
    "fine_tuning.job.cancelled": FineTuningJobCancelledWebhookEvent,
}


def parse(body: bytes) -> WebhookEvent:
    """Decode an already verified body into its event.

    Raises:
        InvalidWebhookPayloadError: naming the failing field, e.g. ``$.data.id``.
    """
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidWebhookPayloadError("$", "the body is not JSON") from None
    if not isinstance(document, dict):
        raise InvalidWebhookPayloadError("$", "the body is not a JSON object")
    event_id, kind = document.get("id"), document.get("type")
    for path, value in (("$.id", event_id), ("$.type", kind)):
        if not isinstance(value, str):
            raise InvalidWebhookPayloadError(path, "must be a string")
    created = document.get("created_at")
    model = _JOB_EVENTS.get(str(kind))
    if model is None:
        return UnknownWebhookEvent(
            id=str(event_id),
            type=str(kind),
            created_at=created if _is_int(created) else None,
            data=document.get("data"),
            object=document.get("object") if isinstance(document.get("object"), str) else None,
            raw=document,
        )
    if not isinstance(created, int) or isinstance(created, bool):
        raise InvalidWebhookPayloadError("$.created_at", "must be Unix seconds (an integer)")
    data = document.get("data")
    if not isinstance(data, dict):
        raise InvalidWebhookPayloadError("$.data", "must be an object")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise InvalidWebhookPayloadError("$.data.id", "must be the job's id (a string)")
    sent_object = document.get("object")
    return model(
        id=str(event_id),
        created_at=created,
        data=FineTuningJobWebhookData(id=data["id"]),
        object=sent_object if isinstance(sent_object, str) else "event",
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
