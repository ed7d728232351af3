"""Verify and parse the fine-tuning webhook events, as the service signs them.

The service signs each delivery with the Standard Webhooks scheme: headers ``webhook-id``,
``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (space-separated
``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``; several during a secret rotation), with a
``whsec_``-prefixed base64 secret. Named as openai-python names them, so code can move::

    from ftclient import webhooks

    event = webhooks.unwrap(body, request.headers, secret=os.environ["OPENAI_WEBHOOK_SECRET"])
    if isinstance(event, webhooks.FineTuningJobSucceededWebhookEvent):
        print("job", event.data.id, "succeeded")

:func:`aiohttp_handler` turns a callback into an ``aiohttp.web`` handler that answers 400 to
anything that does not verify (the service retries non-2xx answers; a forged request is not
retried by anyone). :func:`sign` produces the headers, for tests and for the emulator.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs

from . import _inputs
from .errors import InvalidParameterError, InvalidWebhookPayloadError, InvalidWebhookSignatureError

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "DEFAULT_TOLERANCE",
    "FineTuningJobCancelledWebhookEvent",
    "FineTuningJobFailedWebhookEvent",
    "FineTuningJobSucceededWebhookEvent",
    "FineTuningJobWebhookData",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "aiohttp_handler",
    "sign",
    "unwrap",
    "verify_signature",
]

DEFAULT_TOLERANCE = 300  # seconds a timestamp may be off, either way
_PREFIX = "whsec_"


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


def _key(secret: object) -> bytes:
    if isinstance(secret, bytes):
        key = secret
    else:
        text = _inputs.text(secret, "secret").removeprefix(_PREFIX)
        try:
            key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameterError(
                "secret", "must be the whsec_... secret (base64 after the prefix) or raw bytes"
            ) from None
    if not key:
        raise InvalidParameterError("secret", "must not be empty")
    return key


def _signature(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return hmac.new(key, signed, hashlib.sha256).digest()


def _header(headers: Mapping[str, str], name: str) -> str:
    if not isinstance(headers, Mapping):
        raise InvalidParameterError("headers", "must be a mapping of the request's headers")
    # any capitalisation, in a plain dict as in aiohttp's case-insensitive headers
    value = next((v for k, v in headers.items() if str(k).lower() == name), None)
    if not isinstance(value, str) or not value.strip():
        raise InvalidWebhookSignatureError(f"the {name} header is missing")
    return value.strip()


def _body(payload: object) -> bytes:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    return _inputs.text(payload, "payload").encode()


def sign(
    payload: bytes | str, *, secret: str | bytes, msg_id: str, timestamp: int
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``payload``, as the service sends them.

    Args:
        payload: the body exactly as sent.
        secret: the ``whsec_...`` secret (or the raw key bytes).
        msg_id: the delivery's id (the same on every retry of one event).
        timestamp: Unix seconds of this attempt.

    Returns:
        ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``.

    Raises:
        InvalidParameterError: a secret that is not ``whsec_`` base64 or bytes, an empty
            ``msg_id`` or one with a control character, or a ``timestamp`` that is not finite
            Unix seconds.
    """
    _inputs.seconds(timestamp, "timestamp", zero=True)
    stamp = str(int(timestamp))
    # The id travels as the webhook-id header: the one header value check applies.
    checked_id = _inputs.header_value(_inputs.identifier(msg_id, "msg_id"), "msg_id")
    digest = _signature(_key(secret), checked_id, stamp, _body(payload))
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def verify_signature(
    payload: bytes | str,
    headers: Mapping[str, str],
    *,
    secret: str | bytes,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check that ``payload`` was signed with ``secret`` and recently; parse nothing.

    Args:
        payload: the request body exactly as received (bytes, or the decoded text).
        headers: the request's headers (any mapping; names are matched case-insensitively).
        secret: the endpoint's ``whsec_...`` secret (or the raw key bytes).
        tolerance: seconds the ``webhook-timestamp`` may be away from ``now``, either way.
        now: the current Unix time (default: the system clock); for tests.

    Raises:
        InvalidWebhookSignatureError: a header missing or malformed, no ``v1`` signature that
            matches (any of several passes, as during a secret rotation), or a timestamp more
            than ``tolerance`` seconds old or in the future.
        InvalidParameterError: a bad ``secret``, ``tolerance``, ``now`` or ``headers`` argument
            (``now`` must be finite Unix seconds: NaN would disable the age check).
    """
    key = _key(secret)
    limit = _inputs.seconds(tolerance, "tolerance", zero=True)
    body = _body(payload)
    msg_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not stamp.isascii() or not stamp.isdigit():
        raise InvalidWebhookSignatureError(f"webhook-timestamp is not Unix seconds: {stamp!r:.40}")
    current = time.time() if now is None else _inputs.seconds(now, "now", zero=True)
    age = current - int(stamp)
    if age > limit:
        raise InvalidWebhookSignatureError(
            f"webhook-timestamp is {age:.0f}s old, more than the tolerance of {limit:g}s"
        )
    if -age > limit:
        raise InvalidWebhookSignatureError(
            f"webhook-timestamp is {-age:.0f}s in the future, more than the tolerance of {limit:g}s"
        )
    expected = _signature(key, msg_id, stamp, body)
    for candidate in signatures.split():
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue  # other schemes (v1a: asymmetric) are not ours to check
        try:
            given = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(expected, given):
            return
    raise InvalidWebhookSignatureError("no v1 signature in webhook-signature matches the payload")


def unwrap(
    payload: bytes | str,
    headers: Mapping[str, str],
    *,
    secret: str | bytes,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEvent:
    """Verify ``payload`` (see :func:`verify_signature`) and return the typed event.

    Returns:
        A ``FineTuningJob{Succeeded,Failed,Cancelled}WebhookEvent``, or an
        :class:`UnknownWebhookEvent` for any other ``type`` (kept as sent).

    Raises:
        InvalidWebhookSignatureError: the signature does not verify (see verify_signature).
        InvalidWebhookPayloadError: a verified body that is not an event: not a JSON object,
            no string ``id``/``type``, or a fine-tuning event without ``created_at``/``data.id``.
        InvalidParameterError: a bad argument.
    """
    verify_signature(payload, headers, secret=secret, tolerance=tolerance, now=now)
    return parse(_body(payload))


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


OnEvent = Callable[[WebhookEvent], Awaitable[None] | None]


def aiohttp_handler(
    on_event: OnEvent, *, secret: str | bytes, tolerance: float = DEFAULT_TOLERANCE
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An ``aiohttp.web`` handler that verifies each delivery and passes its event on.

    ::

        app.router.add_post("/webhooks/openai", webhooks.aiohttp_handler(on_event, secret=s))

    Answers 200 once ``on_event`` (sync or async) has returned; 400 with the reason for a
    request that does not verify or parse (``on_event`` is not called). An exception from
    ``on_event`` propagates (aiohttp answers 500), so the service delivers the event again.

    Raises:
        InvalidParameterError: at once, a bad ``secret``, ``tolerance`` or ``on_event``.
    """
    from aiohttp import web

    _key(secret)
    _inputs.seconds(tolerance, "tolerance", zero=True)
    if not callable(on_event):
        raise InvalidParameterError("on_event", "must be a callable taking the event")

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        try:
            event = unwrap(body, request.headers, secret=secret, tolerance=tolerance)
        except (InvalidWebhookSignatureError, InvalidWebhookPayloadError) as exc:
            return web.Response(status=400, text=f"{exc}\n")
        result = on_event(event)
        if inspect.isawaitable(result):
            await result
        return web.Response(status=200, text="ok\n")

    return handle
