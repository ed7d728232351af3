"""What a successful exchange hands back: the body and how it was obtained."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Response", "ResponseInfo", "keep_info", "keep_slot", "response_info"]


@attrs.frozen(kw_only=True)
class ResponseInfo:
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


@attrs.frozen
class Response:
    """A successful (2xx) response: its body and how it was obtained (internal: the argument
    of a call's ``decode``)."""

    info: ResponseInfo
    body: bytes = attrs.field(repr=False)


def keep_info(obj: object, info: ResponseInfo) -> None:
    """Record on a result how it was obtained (what :func:`response_info` returns).

    A result that can carry it (a model: a class with an ``_ftc_info`` slot, set once outside
    its frozen fields) keeps it; any other result is left as it is.
    """
    keep_slot(obj, "_ftc_info", info)


def keep_slot(obj: object, name: str, value: object) -> None:
    """Set the slot ``name`` of a model once, outside its frozen fields (the core knows no
    model classes: a result whose class has no such slot is left as it is)."""
    slot: Any = getattr(type(obj), name, None)
    if slot is not None:
        slot.__set__(obj, value)


def response_info(obj: object) -> ResponseInfo | None:
    """Status, headers, request id, attempts and retry waits of the response behind ``obj``.

    Works for objects returned by client methods (jobs, pages, grader results...) and pages
    yielded by ``.pages()``; items taken from a page share their page's info only through the page.

    Args:
        obj: an object returned by an ftclient method.

    Returns:
        The :class:`ResponseInfo`, or None if ``obj`` did not come from a response.
    """
    info: ResponseInfo | None = getattr(obj, "_ftc_info", None)  # a model's slot, set or not
    return info
