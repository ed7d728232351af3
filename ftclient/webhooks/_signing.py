"""Standard Webhooks signatures: make them (:func:`sign`), check them (:func:`verify_signature`).

Sans-I/O: bytes and header pairs in, a verdict out. :func:`check` is the one rule every entry
point uses (``verify_signature``, ``unwrap`` and both framework handlers), so every header and
body byte sequence ends the same way everywhere: accepted, or
:class:`~ftclient.InvalidWebhookSignatureError` saying why.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import time
from collections.abc import Mapping

from .. import _checks
from ..errors import InvalidParameterError, InvalidWebhookSignatureError
from ._events import WebhookEvent, parse

__all__ = [
    "DEFAULT_TOLERANCE",
    "SECRET_ENV",
    "check",
    "header_pairs",
    "secret_key",
    "sign",
    "unwrap",
    "verify_signature",
]

DEFAULT_TOLERANCE = 300  # seconds a timestamp may be off, either way
SECRET_ENV = "OPENAI_WEBHOOK_SECRET"  # read when no secret is passed, as openai-python does
_PREFIX = "whsec_"
# Unix seconds as the service writes them: ASCII digits, no sign, no leading zero, no blanks.
# At most 12 digits (up to the year 33658): a longer number is no time any sender means, and
# would overflow a float (a few hundred digits) or int() itself (over 4,300).
_UNIX_SECONDS = re.compile(r"0|[1-9][0-9]{0,11}")
_NAMES = ("webhook-id", "webhook-timestamp", "webhook-signature")

HeaderPairs = list[tuple[object, object]]


def secret_key(secret: object) -> bytes:
    """The HMAC key of ``secret``, or of ``$OPENAI_WEBHOOK_SECRET`` when ``secret`` is None.

    Raises:
        InvalidParameterError: ``secret`` (or the variable) is not a ``whsec_`` base64 secret
            or non-empty bytes; or it is None and the variable is not set.
    """
    origin = ""
    if secret is None:
        secret = os.environ.get(SECRET_ENV)
        if not secret:
            raise InvalidParameterError("secret", f"not given, and ${SECRET_ENV} is not set")
        origin = f" (read from ${SECRET_ENV})"
    if isinstance(secret, bytes):
        key = secret
    else:
        text = _checks.text(secret, "secret").removeprefix(_PREFIX)
        try:
            key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameterError(
                "secret",
                f"must be the whsec_... secret (base64 after the prefix) or raw bytes{origin}",
            ) from None
    if not key:
        raise InvalidParameterError("secret", f"must not be empty{origin}")
    return key


def header_pairs(headers: object) -> HeaderPairs:
    """The ``(name, value)`` pairs of a headers mapping (a multi-map keeps its repeats).

    Raises:
        InvalidParameterError: ``headers`` is not a mapping.
    """
    if not isinstance(headers, Mapping):
        raise InvalidParameterError("headers", "must be a mapping of the request's headers")
    return list(headers.items())


def _body(payload: object) -> bytes:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        return bytes(payload)
    return _checks.text(payload, "payload").encode()


def _header(pairs: HeaderPairs, name: str) -> str:
    # any capitalisation, in a plain dict as in aiohttp's case-insensitive multi-map
    values = {v for k, v in pairs if isinstance(v, str) and str(k).lower() == name}
    if len(values) > 1:
        # which one was signed is the sender's secret: taking either could verify a forgery
        # that another reader refuses (standardwebhooks reads the last, aiohttp's get the first)
        raise InvalidWebhookSignatureError(f"the {name} header is given twice, with two values")
    value = values.pop() if values else ""
    if not value:
        raise InvalidWebhookSignatureError(f"the {name} header is missing")
    return value


def _expected(key: bytes, msg_id: bytes, stamp: str, body: bytes) -> bytes:
    digest = hmac.new(key, msg_id + b"." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    return b"v1," + base64.b64encode(digest)


def check(body: bytes, pairs: HeaderPairs, key: bytes, limit: float, now: float) -> None:
    """Accept the delivery (return) or say why not; every input ends as one of the two.

    Args:
        body: the body exactly as received.
        pairs: the request's header ``(name, value)`` pairs, repeats included.
        key: the HMAC key (see :func:`secret_key`).
        limit: seconds the timestamp may be away from ``now``.
        now: the current Unix time.

    Raises:
        InvalidWebhookSignatureError: a header missing, repeated with two values or malformed,
            a timestamp outside ``limit``, or no ``v1`` signature that matches.
    """
    msg_id, stamp, signatures = (_header(pairs, name) for name in _NAMES)
    if not _UNIX_SECONDS.fullmatch(stamp):
        raise InvalidWebhookSignatureError(f"webhook-timestamp is not Unix seconds: {stamp!r:.40}")
    age = now - int(stamp)
    if age > limit:
        raise InvalidWebhookSignatureError(
            f"webhook-timestamp is {age:.0f}s old, more than the tolerance of {limit:g}s"
        )
    if -age > limit:
        raise InvalidWebhookSignatureError(
            f"webhook-timestamp is {-age:.0f}s in the future, more than the tolerance of {limit:g}s"
        )
    try:
        signed_id = msg_id.encode()
    except UnicodeEncodeError:  # bytes that were not UTF-8, as aiohttp decodes them
        raise InvalidWebhookSignatureError("webhook-id is not UTF-8 text") from None
    expected = _expected(key, signed_id, stamp, body)
    # Space-separated, as the scheme writes them; each compared whole with the one canonical
    # form (other versions such as v1a, and other spellings of the same bytes, never match).
    for candidate in signatures.split(" "):
        if candidate.isascii() and hmac.compare_digest(candidate.encode(), expected):
            return
    raise InvalidWebhookSignatureError("no v1 signature in webhook-signature matches the payload")


def _timestamp(value: object) -> str:
    seconds = _checks.seconds(value, "timestamp", zero=True)
    stamp = str(int(seconds))
    if not _UNIX_SECONDS.fullmatch(stamp):
        raise InvalidParameterError(
            "timestamp", f"must be Unix seconds below 10**12, got {seconds:.4g}"
        )
    return stamp


def sign(
    payload: bytes | str,
    *,
    secret: str | bytes | None = None,
    msg_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``payload``, as the service sends them.

    ::

        headers = webhooks.sign(body)  # now, a fresh webhook-id, $OPENAI_WEBHOOK_SECRET

    Args:
        payload: the body exactly as sent.
        secret: the ``whsec_...`` secret (or the raw key bytes); default
            ``$OPENAI_WEBHOOK_SECRET``.
        msg_id: the delivery's id, the same on every retry of one event; default a fresh
            ``msg_<32 hex digits>``.
        timestamp: Unix seconds of this attempt; default now.

    Returns:
        ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``.

    Raises:
        InvalidParameterError: a secret that is not ``whsec_`` base64 or bytes (or none given
            and ``$OPENAI_WEBHOOK_SECRET`` unset), a blank ``msg_id`` or one with a control
            character, or a ``timestamp`` that
            is not finite Unix seconds below ``10**12``.
    """
    key = secret_key(secret)
    body = _body(payload)
    msg_id = "msg_" + os.urandom(16).hex() if msg_id is None else msg_id
    # The id travels as the webhook-id header: the one header value check applies.
    checked_id = _checks.header_value(_checks.identifier(msg_id, "msg_id"), "msg_id")
    stamp = str(int(time.time())) if timestamp is None else _timestamp(timestamp)
    return {
        "webhook-id": checked_id,
        "webhook-timestamp": stamp,
        "webhook-signature": _expected(key, checked_id.encode(), stamp, body).decode(),
    }


def verify_signature(
    payload: bytes | str,
    headers: Mapping[str, str],
    *,
    secret: str | bytes | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check that ``payload`` was signed with ``secret`` and recently; parse nothing.

    Args:
        payload: the request body exactly as received (bytes, or the decoded text).
        headers: the request's headers (any mapping; names are matched case-insensitively).
        secret: the endpoint's ``whsec_...`` secret (or the raw key bytes); default
            ``$OPENAI_WEBHOOK_SECRET``.
        tolerance: seconds the ``webhook-timestamp`` may be away from ``now``, either way.
        now: the current Unix time (default: the system clock); for tests.

    Raises:
        InvalidWebhookSignatureError: a header missing, given twice with two values or
            malformed (a ``webhook-timestamp`` that is not plain decimal digits, a
            ``webhook-id`` that is not UTF-8), no ``v1`` signature that matches (any of
            several passes, as during a secret rotation), or a timestamp more than
            ``tolerance`` seconds old or in the future.
        InvalidParameterError: a bad ``secret``, ``tolerance``, ``now``, ``payload`` or
            ``headers`` argument (``now`` must be finite Unix seconds: NaN would disable the
            age check).
    """
    key = secret_key(secret)
    limit = _checks.seconds(tolerance, "tolerance", zero=True)
    current = time.time() if now is None else _checks.seconds(now, "now", zero=True)
    check(_body(payload), header_pairs(headers), key, limit, current)


def unwrap(
    payload: bytes | str,
    headers: Mapping[str, str],
    *,
    secret: str | bytes | None = None,
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
