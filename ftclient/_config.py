"""Configuration value objects and environment resolution. No I/O, no event loop."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from types import EllipsisType
from typing import Any, Protocol, TypeAlias, TypeVar, runtime_checkable

import attrs

from . import _checks
from ._base_url import split_base_url, warn_if_cleartext
from ._checks import positive_int
from .errors import InvalidParameterError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_FLOW_CONTROL",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_RETRY_POLICY",
    "DEFAULT_SETTLE",
    "DEFAULT_TIMEOUTS",
    "ClientConfig",
    "Clock",
    "FlowControl",
    "RetryPolicy",
    "Secret",
    "TimeoutArg",
    "Timeouts",
]


@runtime_checkable
class Clock(Protocol):
    """A clock and a sleep: what ``FineTuningClient(clock=...)`` runs everything by.

    The call runner (retry waits, the consistency window, deadlines), the rate gate and the
    polling helpers' intervals all read ``time()`` and wait with ``sleep()``; by default the
    running event loop's clock and ``asyncio.sleep``. A test passes a simulated clock (such as
    :class:`ftclient.testing.SimClock`) whose ``sleep`` moves its time on at once, so that a
    20 s consistency window or a 30 s poll costs no real time.
    """

    def time(self) -> float:
        """Monotonic seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock."""
        ...


DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""Largest response body read (after decompression): a 100-item page is well below 1 MiB."""
DEFAULT_SETTLE = 5.0
"""``jobs.follow_events``: seconds of reading on after the job ends (events listed late)."""

ENV_API_KEY = "OPENAI_API_KEY"
ENV_BASE_URL = "OPENAI_BASE_URL"
ENV_ORGANIZATION = "OPENAI_ORG_ID"
ENV_PROJECT = "OPENAI_PROJECT_ID"


def _positive_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _checks.optional_seconds(value, attribute.name)


def mask(secret: str) -> str:
    """A secret as it may be shown: its first three and last four characters (``sk-...abcd``)."""
    return f"{secret[:3]}...{secret[-4:]}" if len(secret) >= 12 else "***"


class Secret:
    """An API key: its ``repr`` and ``str`` are masked; only the transport's send reveals it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The key itself, for the one header that carries it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({mask(self._value)!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@attrs.frozen(kw_only=True)
class Timeouts:
    """Time limits in seconds; ``None`` disables that limit.

    Args:
        total: the whole call: waiting for a connection slot and the rate gate, every attempt,
            every wait between attempts and every check ftclient makes on the call's behalf.
        connect: setting up one connection (TCP and TLS).
        read: the longest gap between two reads of one response.
    """

    total: float | None = attrs.field(default=600.0, validator=_positive_or_none)
    connect: float | None = attrs.field(default=10.0, validator=_positive_or_none)
    read: float | None = attrs.field(default=600.0, validator=_positive_or_none)

    @classmethod
    def coerce(cls, value: float | Timeouts | None, *, param: str = "timeout") -> Timeouts:
        """Accept seconds (the total limit), a :class:`Timeouts`, or None (no limits)."""
        if isinstance(value, Timeouts):
            return value
        if value is None:
            return cls(total=None, connect=None, read=None)
        total = _checks.seconds(value, param)
        return cls(total=total, connect=min(total, 10.0), read=total)


DEFAULT_TIMEOUTS = Timeouts()

TimeoutArg: TypeAlias = float | Timeouts | None | EllipsisType
"""Per-call timeout: seconds, a Timeouts, None for no limit, or ``...`` for the client's."""


def _non_negative_int(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _checks.non_negative_int(value, attribute.name)


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _checks.seconds(value, attribute.name, zero=True)


def _positive_rate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _checks.seconds(value, attribute.name, unit="requests per second")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How failed attempts are retried.

    Retried: connection errors, timeouts, 408, 409, 429 and 5xx, unless the server says
    ``x-should-retry: false`` (``true`` forces a retry), and never a 429 whose error code is
    ``insufficient_quota``. The wait is the server's ``retry-after-ms`` or ``Retry-After`` when
    given and at most ``max_retry_after``, else exponential: ``base_delay * 2**n`` capped at
    ``max_delay``, drawn at random between half and all of it when ``jitter`` is on.

    Args:
        max_retries: retries after the first attempt (0 disables retrying).
        base_delay: first exponential wait, seconds.
        max_delay: cap of the exponential wait, seconds.
        jitter: randomise exponential waits so that many clients do not retry in step.
        max_retry_after: longest server-requested wait that is obeyed; a longer hint is
            ignored in favour of the exponential wait.
        wait: False switches sleeping off (tests): retries and the client's rate gate move on
            at once; the computed waits are still reported.
        consistency_window: how long, after an answer that was lost (the server may have
            acted), ftclient keeps checking whether the call took effect before it sends it again:
            the API's lists may show a new job only some seconds after it was made. Bounded by
            the call's ``timeout``.
    """

    max_retries: int = attrs.field(default=2, validator=_non_negative_int)
    base_delay: float = attrs.field(default=0.5, validator=_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_non_negative)
    jitter: bool = True
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    wait: bool = True
    retry_statuses: frozenset[int] = frozenset({408, 409, 429})
    consistency_window: float = attrs.field(default=20.0, validator=_non_negative)


DEFAULT_RETRY_POLICY = RetryPolicy()


def _positive_int_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        positive_int(value, attribute.name)


@attrs.frozen(kw_only=True)
class FlowControl:
    """Client-wide flow control settings.

    Args:
        max_in_flight: most requests in flight at once across the client (None: the pool size).
        adaptive: slow the whole client down on 429s and rate-limit headers (on by default,
            because a fan-out of many coroutines otherwise turns one 429 into a retry storm).
        min_rate: the adaptive rate never goes below this many requests per second.
    """

    max_in_flight: int | None = attrs.field(default=None, validator=_positive_int_or_none)
    adaptive: bool = True
    min_rate: float = attrs.field(default=1.0, validator=_positive_rate)


DEFAULT_FLOW_CONTROL = FlowControl()


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything a client was configured with, after environment resolution.

    The API key is a :class:`Secret`, so that it never reaches logs or tracebacks.
    """

    api_key: Secret
    base_url: str
    organization: str | None
    project: str | None
    timeouts: Timeouts
    retry: RetryPolicy
    max_connections: int
    flow: FlowControl = DEFAULT_FLOW_CONTROL
    default_headers: Mapping[str, str] = attrs.field(factory=dict)
    default_query: Mapping[str, str] = attrs.field(factory=dict)
    auth_header: str = "Authorization"
    """``Authorization`` (sent as ``Bearer <key>``) or ``api-key`` (Azure: the key as is)."""
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    token_provider: Callable[[], Awaitable[Any]] | None = None
    """A coroutine function giving a bearer token (Entra ID); then ``api_key`` is empty and the
    token travels as ``Authorization: Bearer <token>``."""


T = TypeVar("T")


def _header_field(value: object, param: str) -> str:
    """A setting sent as a header value (organization, project): stripped, then checked."""
    return _checks.header_value(_checks.text(value, param).strip(), param)


def setting(
    value: object,
    variable: str,
    environ: Mapping[str, str] | None,
    check: Callable[[Any, str], T],
    param: str,
) -> T | None:
    """``value`` if given, else the environment ``variable`` (empty counts as unset), checked.

    An error about the variable's value says where the value came from.
    """
    if value is not None:
        return check(value, param)
    raw = _env(variable, environ)
    if not raw:
        return None
    try:
        return check(raw, param)
    except InvalidParameterError as exc:
        raise InvalidParameterError(exc.param, f"{exc.message} (from {variable})") from None


def _env(name: str, environ: Mapping[str, str] | None) -> str | None:
    # Reads one variable; no frame that can raise ever holds os.environ (whose repr shows the
    # key) as a local.
    return (os.environ if environ is None else environ).get(name)


def resolve_key(
    api_key: Secret | str | None,
    environ: Mapping[str, str] | None = None,
    variable: str = ENV_API_KEY,
) -> Secret:
    """The API key: the argument, else the environment ``variable``; stripped and checked.

    No frame of this check holds the plain key when it raises: only the masked :class:`Secret`.

    Raises:
        InvalidParameterError: no key anywhere, or one that cannot travel in a header.
    """
    if api_key is not None and not isinstance(api_key, str | Secret):
        raise InvalidParameterError("api_key", f"must be a string, got {type(api_key).__name__}")
    secret = Secret(api_key) if isinstance(api_key, str) else api_key
    source = ""
    if secret is None:
        secret = _secret_of(_env(variable, environ))
        source = f" (from {variable})"
    if secret is None or not _stripped(secret).reveal():
        raise InvalidParameterError(
            "api_key",
            f"no API key: pass api_key=... or set the {variable} environment variable "
            "(for the local emulator any non-empty key works)",
        )
    secret = _stripped(secret)
    if not _printable_ascii(secret):
        raise InvalidParameterError(
            "api_key",
            f"must be printable ASCII (no CR, LF, NUL or other control characters){source}",
        )
    return secret


def _stripped(secret: Secret) -> Secret:
    return Secret(secret.reveal().strip()) if isinstance(secret.reveal(), str) else secret


def _printable_ascii(secret: Secret) -> bool:
    value = secret.reveal()
    return isinstance(value, str) and value.isascii() and value.isprintable()


def _secret_of(value: str | None) -> Secret | None:
    return None if value is None else Secret(value)


def resolve_config(
    *,
    api_key: Secret | str | None,
    base_url: str | None,
    organization: str | None,
    project: str | None,
    timeout: float | Timeouts | None,
    max_retries: int | None,
    retry_policy: RetryPolicy | None,
    max_connections: int,
    default_headers: Mapping[str, str] | None,
    flow_control: FlowControl | None = None,
    default_query: Mapping[str, str] | None = None,
    auth_header: str = "Authorization",
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    environ: Mapping[str, str] | None = None,
    key_variable: str = ENV_API_KEY,
    token_provider: Callable[[], Awaitable[Any]] | None = None,
) -> ClientConfig:
    """Merge explicit arguments with ``OPENAI_*`` environment variables and check them.

    With a ``token_provider`` no key is read (one given as well is refused: which would win?).

    Raises:
        InvalidParameterError: no API key anywhere, or a malformed argument.
    """
    if token_provider is not None:
        if api_key is not None:
            raise InvalidParameterError(
                "api_key", "give either api_key or a token provider, not both"
            )
        if not callable(token_provider):
            raise InvalidParameterError(
                "azure_ad_token_provider", "must be a coroutine function returning a token"
            )
        key = Secret("")
    else:
        key = resolve_key(api_key, environ, key_variable)
    org = setting(organization, ENV_ORGANIZATION, environ, _header_field, "organization")
    proj = setting(project, ENV_PROJECT, environ, _header_field, "project")
    if base_url is not None:
        _checks.text(base_url, "base_url")
    # An empty base_url means unset, as an empty variable does; a query it carries (Azure's
    # ?api-version=...) becomes default_query, whose own keys win.
    url, url_query = setting(
        base_url or None, ENV_BASE_URL, environ, split_base_url, "base_url"
    ) or split_base_url(DEFAULT_BASE_URL)
    warn_if_cleartext(url)
    if retry_policy is not None:
        _checks.instance_of(retry_policy, RetryPolicy, "retry_policy", "a RetryPolicy or None")
    if flow_control is not None:
        _checks.instance_of(flow_control, FlowControl, "flow_control", "a FlowControl or None")
    policy = retry_policy if retry_policy is not None else DEFAULT_RETRY_POLICY
    if max_retries is not None:
        policy = attrs.evolve(policy, max_retries=max_retries)
    positive_int(max_connections, "max_connections")
    headers = _checks.check_headers(default_headers, "default_headers")
    positive_int(max_response_bytes, "max_response_bytes")
    return ClientConfig(
        api_key=key,
        base_url=url,
        organization=org,
        project=proj,
        timeouts=Timeouts.coerce(timeout),
        retry=policy,
        max_connections=max_connections,
        flow=flow_control if flow_control is not None else DEFAULT_FLOW_CONTROL,
        default_headers=headers,
        default_query={**url_query, **_checks.query_params(default_query, "default_query")},
        auth_header="Authorization" if token_provider is not None else auth_header,
        max_response_bytes=max_response_bytes,
        token_provider=token_provider,
    )
