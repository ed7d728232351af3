"""Pure functions of the HTTP protocol: no I/O, no event loop.

Headers, path and query encoding, JSON decoding, status -> exception, Retry-After parsing
and retry decisions all live here so that they can be tested without a server. The backoff
waits are the runner's (``runner.retry_waits``), the one place they are computed.
"""

from __future__ import annotations

import email.utils
import json
import platform
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote

from .. import errors
from .._checks import identifier
from .._config import ClientConfig, RetryPolicy, Secret
from .._version import __version__

try:  # optional speed-up (the "fast" extra); the standard library is the default path
    import orjson

    _loads: Any = orjson.loads
except ImportError:  # pragma: no cover - exercised when orjson is absent
    _loads = json.loads

__all__ = [
    "NO_METADATA",
    "NoMetadata",
    "auth_header",
    "base_headers",
    "capped_wait",
    "error_from_response",
    "loads",
    "path_segment",
    "query_pairs",
    "retry_after",
    "server_wait",
    "should_retry",
    "user_agent",
]


class NoMetadata:
    """Sentinel for ``jobs.list(metadata=NO_METADATA)``: only jobs that have no metadata."""

    _instance: NoMetadata | None = None

    def __new__(cls) -> NoMetadata:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_METADATA"


NO_METADATA: Final = NoMetadata()


def user_agent(http_library: str) -> str:
    """The ``User-Agent``: ftclient's, Python's and the HTTP library's versions, e.g.
    ``ftclient/0.9.0 Python/3.11.7 aiohttp/3.14.1`` (the transport names its library)."""
    return f"ftclient/{__version__} Python/{platform.python_version()} {http_library}"


def loads(body: bytes) -> Any:
    """Decode a JSON body (orjson when installed, else the standard library).

    Raises:
        ValueError: not JSON, including JSON nested too deeply to decode (the standard library
            raises RecursionError there; orjson a ValueError).
    """
    try:
        return _loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def auth_header(config: ClientConfig, token: Secret | None = None) -> tuple[str, str]:
    """The header that carries the key: ``Authorization: Bearer <key>`` or Azure's ``api-key``;
    with a ``token`` (from a token provider), ``Authorization: Bearer <token>``.

    Only the transport's send calls this, at the last moment, so that no frame or object that a
    traceback, a log or a repr can show ever holds the key.
    """
    if token is not None:
        return "Authorization", f"Bearer {token.reveal()}"
    key = config.api_key.reveal()
    if config.auth_header.lower() == "authorization":
        return "Authorization", f"Bearer {key}"
    return config.auth_header, key


def base_headers(config: ClientConfig, agent: str) -> dict[str, str]:
    """Headers sent with every request of a client, except the key (see :func:`auth_header`).

    Args:
        config: the client's configuration.
        agent: the ``User-Agent`` (:func:`user_agent`).
    """
    headers = {
        "User-Agent": agent,
        "Accept": "application/json",
    }
    if config.organization:
        headers["OpenAI-Organization"] = config.organization
    if config.project:
        headers["OpenAI-Project"] = config.project
    headers.update(config.default_headers)  # checked when the client was built
    return headers


_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_~:-][A-Za-z0-9._~:-]*")


def path_segment(value: object, param: str) -> str:
    """Percent-encode one path parameter so that no id can reach another endpoint.

    Everything but unreserved characters and ``:`` (checkpoint model names such as
    ``ft:gpt-4o-mini:org::abc`` keep it readable) is encoded, and ``.``/``..`` are encoded so
    that no client or proxy folds them into a parent path.

    Raises:
        InvalidParameterError: not a non-blank UTF-8 string.
    """
    if isinstance(value, str) and _PLAIN_SEGMENT.fullmatch(value):
        return value  # the usual id: nothing to encode, and not "." or ".."
    encoded = quote(identifier(value, param), safe=":")
    if encoded in (".", ".."):
        encoded = encoded.replace(".", "%2E")
    return encoded


def query_pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Encode query parameters: skip None, ``metadata`` as deepObject ``metadata[k]=v``."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if value is None:
            continue
        if value is NO_METADATA:
            pairs.append((name, "null"))
        elif isinstance(value, Mapping):
            pairs.extend((f"{name}[{key}]", str(item)) for key, item in value.items())
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))
    return pairs


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
EXCERPT_CHARS: Final = 200

_STATUS_ERRORS: Final[dict[int, type[errors.APIStatusError]]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
}


def _excerpt(body: bytes) -> str:
    text = body[: EXCERPT_CHARS * 8].decode("utf-8", "replace")
    text = _SPACE.sub(" ", _TAG.sub(" ", text)).strip()
    return text[:EXCERPT_CHARS] + ("..." if len(text) > EXCERPT_CHARS else "")


def error_from_response(
    status: int, headers: Mapping[str, str], body: bytes, *, method: str, url: str
) -> errors.APIStatusError:
    """Turn an error response into the matching :class:`~ftclient.errors.APIStatusError`.

    A JSON body ``{"error": {"message", "type", "param", "code"}}`` fills the fields; any other
    body (an HTML page from a proxy) yields the same class with a short text excerpt.
    """
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = errors.InternalServerError if status >= 500 else errors.APIStatusError
    fields: dict[str, Any] = {}
    decoded: Any = None
    try:
        decoded = loads(body) if body else None
    except ValueError:
        decoded = None
    detail = decoded.get("error") if isinstance(decoded, dict) else None
    if isinstance(detail, dict):
        fields = {k: detail.get(k) for k in ("message", "type", "code", "param")}
        fields = {k: (v if isinstance(v, str) else None) for k, v in fields.items()}
        message = fields.pop("message") or f"HTTP {status}"
    elif isinstance(detail, str):
        message = detail
    else:
        excerpt = _excerpt(body)
        message = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
        decoded = excerpt if decoded is None else decoded
    return cls(
        message,
        status=status,
        request_id=headers.get("x-request-id"),
        headers=headers,
        body=decoded,
        method=method,
        url=url,
        retry_after=retry_after(headers),
        **fields,
    )


def _seconds(value: float) -> float | None:
    """``value`` if it is a usable wait: finite and not negative."""
    return value if 0.0 <= value < float("inf") else None  # NaN fails both comparisons


def retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: ``retry-after-ms``, else ``Retry-After``.

    ``Retry-After`` may be seconds (integer or decimal) or an HTTP date (one in the past means
    now: 0). Negative, NaN and infinite values are no hint. Use :func:`server_wait` to obey one.

    Returns:
        The seconds, uncapped, or None when absent, unparsable, negative, NaN or infinite.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            value = _seconds(float(raw_ms) / 1000.0)
        except ValueError:
            value = None
        if value is not None:
            return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return _seconds(float(raw))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_tz(raw)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - (time.time() if now is None else now)
    except (ValueError, OverflowError):  # a date beyond what the platform's time can hold
        return None
    return _seconds(max(seconds, 0.0))


def capped_wait(seconds: float | None, cap: float) -> float | None:
    """THE rule for every wait a server's headers imply: obeyed only from 0 to ``cap`` seconds.

    ``Retry-After`` and ``retry-after-ms`` (through :func:`server_wait`), the rate gate's
    ``x-ratelimit-reset-requests`` and the pace its ``x-ratelimit-*-requests`` headers imply
    (seconds per request) all pass through here, so that nothing a server says can hold the
    client longer than ``cap`` (``RetryPolicy.max_retry_after``, or a poll schedule's maximum).

    Returns:
        ``seconds``, or None (not obeyed: the caller acts as on no hint) when it is None, NaN,
        negative, infinite or above ``cap``.
    """
    if seconds is None or not 0.0 <= seconds <= cap:  # NaN fails the comparison too
        return None
    return seconds


def server_wait(
    headers: Mapping[str, str], cap: float, *, now: float | None = None
) -> float | None:
    """A server's ``retry-after-ms``/``Retry-After`` hint, if :func:`capped_wait` obeys it.

    Retries, the rate gate and the polling helpers all call this. A hint above ``cap`` (a daily
    limit's ``Retry-After: 86400``, a hostile ``1e12``) is not obeyed: None, as for no hint; the
    caller decides what that means (the runner raises a 429 at once, see ``retry_after``).
    """
    return capped_wait(retry_after(headers, now=now), cap)


def should_retry(exc: BaseException, policy: RetryPolicy) -> bool:
    """Whether an attempt that raised ``exc`` may be retried under ``policy``."""
    if isinstance(exc, errors.APIConnectionError):
        return True
    if not isinstance(exc, errors.APIStatusError):
        return False
    hint = exc.headers.get("x-should-retry")
    if hint == "true":
        return True
    if hint == "false":
        return False
    if exc.status == 429 and exc.code == "insufficient_quota":
        return False
    return exc.status in policy.retry_statuses or exc.status >= 500


def headers_of(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case header names into a plain dict (last value wins)."""
    return {name.lower(): value for name, value in items}


def merge_headers(base: Mapping[str, str], over: Mapping[str, str]) -> Mapping[str, str]:
    """``base`` with ``over`` on top: a name in ``over`` replaces ``base``'s, whatever its case
    (HTTP header names are case-insensitive; two spellings would both be sent)."""
    if not over:
        return base
    names = {name.lower() for name in over}
    return {**{n: v for n, v in base.items() if n.lower() not in names}, **over}
