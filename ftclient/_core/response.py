"""What a successful exchange hands back: the body and how it was obtained."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, overload

import attrs

from ..errors import InvalidParameterError
from ..models._base import Model, set_info

__all__ = ["Response", "ResponseInfo", "carried_info", "keep_info", "response_info"]


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
    slot: Any = getattr(type(obj), "_ftc_info", None)
    if slot is None:
        return
    slot.__set__(obj, info)
    items = getattr(obj, "data", None)
    if items.__class__ is list:
        for item in items:  # one slot store each: ~40 ns an item (see benchmarks/bench_decode)
            if isinstance(item, Model):
                set_info(item, info)


def carried_info(obj: object) -> ResponseInfo | None:
    """The :class:`ResponseInfo` ``obj`` carries, or None (internal: never raises)."""
    info: ResponseInfo | None = getattr(obj, "_ftc_info", None)  # a model's slot, set or not
    return info


@overload
def response_info(obj: Model) -> ResponseInfo: ...
@overload
def response_info(obj: object) -> ResponseInfo | None: ...
def response_info(obj: object) -> ResponseInfo | None:
    """Status, headers, request id, attempts and retry waits of the response behind ``obj``.

    Works for every model a client method returns (jobs, pages, checkpoints, grader results...),
    each page yielded by ``.pages()`` and each item of a page, so for a model it is typed
    :class:`ResponseInfo`, never None.

    Args:
        obj: an object returned by an ftclient method.

    Returns:
        The :class:`ResponseInfo`; None for an object that is not a model (``None``, a list).

    Raises:
        InvalidParameterError: ``obj`` is a model that no response gave as a whole: built by
            hand, or a part of a result (``job.error``: ask ``job``; a ``MetricPoint`` of
            ``follow_metrics`` or ``results``: an event's data or a result file's row). It is
            raised rather than None returned, so the type a model gets stays true.
    """
    info = carried_info(obj)
    if info is None and isinstance(obj, Model):
        raise InvalidParameterError(
            "obj",
            f"a {type(obj).__name__} that no response gave (built by hand, or nested in a "
            "returned object: ask the object the method returned) has no response info",
        )
    return info
