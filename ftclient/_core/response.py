"""What a successful exchange hands back: the body and how it was obtained."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Response", "ResponseInfo", "carried_info", "keep_info", "keep_slot"]


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

    A result that can carry it (a model: a class with an ``_ftc_info`` slot, set outside its
    frozen fields) keeps it, and so does each item of a page's ``data`` list, so that an item
    taken from a page (``async for job in client.jobs.list()``) answers :func:`response_info`
    as the page does. Any other result is left as it is.
    """
    if getattr(type(obj), "_ftc_info", None) is None:
        return
    keep_slot(obj, "_ftc_info", info)
    items = getattr(obj, "data", None)
    if items.__class__ is list:
        for item in items:  # one slot store each: ~70 ns an item (see benchmarks/bench_decode)
            keep_slot(item, "_ftc_info", info)


def keep_slot(obj: object, name: str, value: object) -> None:
    """Set the slot ``name`` of a model once, outside its frozen fields (the core knows no
    model classes: a result whose class has no such slot is left as it is)."""
    slot: Any = getattr(type(obj), name, None)
    if slot is not None:
        slot.__set__(obj, value)


def carried_info(obj: object) -> ResponseInfo | None:
    """The :class:`ResponseInfo` ``obj`` carries, or None (internal: never raises)."""
    info: ResponseInfo | None = getattr(obj, "_ftc_info", None)  # a model's slot, set or not
    return info
