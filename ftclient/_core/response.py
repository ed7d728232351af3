"""What a successful exchange hands back: the body and how it was obtained."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._value import Value

__all__ = ["Response", "ResponseInfo"]


@attrs.frozen(kw_only=True, repr=False, eq=False)
class ResponseInfo(Value):
    """How a successful response was obtained; see :func:`ftclient.response_info`.

    Attributes:
        status: HTTP status.
        headers: response headers, names lower-cased.
        request_id: the ``x-request-id`` header, if present.
        attempts: attempts made, 1 when the first one succeeded.
        retry_waits: the wait computed before each retry, seconds.
        elapsed: seconds from the first attempt to the end of the last one.
        recovery: what ftclient did on the caller's behalf when an answer was lost, e.g.
            ``("found the job by its idempotency key",)``; empty when the call's own answer
            arrived.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    request_id: str | None
    attempts: int
    retry_waits: tuple[float, ...]
    elapsed: float
    recovery: tuple[str, ...] = ()


@attrs.define
class Response:
    """A successful (2xx) response: its body and how it was obtained (internal: the argument
    of a call's ``decode``; treated as immutable, and not frozen only because one is built per
    call and a frozen class costs about twice as much to build)."""

    info: ResponseInfo
    body: bytes = attrs.field(repr=False)
