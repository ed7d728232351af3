"""Verify and parse the fine-tuning webhook events, as the service signs them.

The service signs each delivery with the Standard Webhooks scheme: headers ``webhook-id``,
``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (space-separated
``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``; several during a secret rotation), with a
``whsec_``-prefixed base64 secret. Named as openai-python names them, so code can move; like
it, the secret is read from ``$OPENAI_WEBHOOK_SECRET`` when none is passed::

    from ftclient import webhooks

    event = webhooks.unwrap(body, request.headers)
    if isinstance(event, webhooks.FineTuningJobSucceededWebhookEvent):
        print("job", event.data.id, "succeeded")

:func:`aiohttp_handler` (an ``aiohttp.web`` handler) and :func:`asgi_handler` (a plain ASGI
application, for FastAPI, Starlette or any ASGI server) turn a callback into an endpoint that
answers 400 to anything that does not verify (the service retries non-2xx answers; a forged
request is not retried by anyone). :func:`sign` produces the headers, for tests and for the
emulator.

Every header and body byte sequence ends as a verdict: the event, or
:class:`~ftclient.InvalidWebhookSignatureError` / :class:`~ftclient.InvalidWebhookPayloadError`
(a 400 from the handlers). A ``webhook-timestamp`` must be plain decimal digits (``+17...``,
``017...``, ``1.7e9`` or blanks around it are refused, where the ``standardwebhooks`` package
reads them as a float), and a header given twice with two values is refused.
"""

from ._events import (
    FineTuningJobCancelledWebhookEvent,
    FineTuningJobFailedWebhookEvent,
    FineTuningJobSucceededWebhookEvent,
    FineTuningJobWebhookData,
    JobEvent,
    UnknownWebhookEvent,
    WebhookEvent,
    parse,
)
from ._handlers import DEFAULT_MAX_BODY, ASGIHandler, OnEvent, aiohttp_handler, asgi_handler
from ._signing import DEFAULT_TOLERANCE, SECRET_ENV, sign, unwrap, verify_signature

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_TOLERANCE",
    "SECRET_ENV",
    "ASGIHandler",
    "FineTuningJobCancelledWebhookEvent",
    "FineTuningJobFailedWebhookEvent",
    "FineTuningJobSucceededWebhookEvent",
    "FineTuningJobWebhookData",
    "UnknownWebhookEvent",
    "WebhookEvent",
    "aiohttp_handler",
    "asgi_handler",
    "sign",
    "unwrap",
    "verify_signature",
]
# Not in __all__, kept importable as before the split into a package.
_ = (JobEvent, OnEvent, parse)
