"""Decoding a successful response into a model, and reading back what a decoded object carries.

Results are explicit: ``decode`` sets two slots of the top-level model once (the document comes
from the converter, on every nested model too; the :class:`ResponseInfo` on the result itself).
:func:`response_info`, :func:`to_dict` and :func:`to_json` read
them; there is no side table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar, overload

from .._core import protocol
from .._core.response import Response, ResponseInfo, carried_info, keep_info
from ..errors import APIResponseValidationError, InvalidParameterError
from ..models._base import Model

__all__ = ["decode", "decoder", "response_info", "to_dict", "to_json"]

T = TypeVar("T")


def decode(response: Response, model: type[T], *, method: str, url: str) -> T:
    """Decode a 2xx response into ``model``; the result keeps its document and ``response.info``.

    Raises:
        APIResponseValidationError: the body is not JSON or not the kind of document ``model``
            is (the error names the failing path).
    """
    # The converter (and cattrs) load with the first response, not at ``import ftclient``.
    from . import convert as _convert

    info = response.info
    try:
        data = protocol.loads(response.body)
    except ValueError as exc:
        raise APIResponseValidationError(
            f"response body is not valid JSON ({exc})",
            status=info.status,
            request_id=info.request_id,
            method=method,
            url=url,
        ) from None
    try:
        obj = _convert.structure(data, model)
    except _convert.DecodeError as exc:
        raise APIResponseValidationError(
            f"response does not match {model.__name__}: {exc.path}: {exc.message}",
            path=exc.path,
            status=info.status,
            request_id=info.request_id,
            method=method,
            url=url,
        ) from None
    keep_info(obj, info)
    return obj


def decoder(model: type[T], method: str, path: str) -> Callable[[Response], T]:
    """The ``decode`` of a call whose answer is one ``model`` (what a ``Call`` carries)."""

    def run(response: Response) -> T:
        return decode(response, model, method=method, url=path)

    return run


def to_dict(obj: Any) -> Any:
    """The JSON object behind a model, ready for ``json.dumps``.

    For an object decoded from a response (or nested in one): the object as it arrived, fields
    this SDK does not model included. For an object you built: exactly the JSON ftclient would
    send for it. Lists and dicts of models are converted item by item; plain values pass through.
    The result is a fresh copy: changing it changes nothing else.

    Args:
        obj: a model instance, or a list/dict of them.

    Returns:
        JSON-ready data (dicts, lists, str, int, float, bool, None).
    """
    from .convert import unstructure

    return unstructure(obj)


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """:func:`to_dict` of ``obj`` as a JSON string.

    Args:
        obj: a model instance, or a list/dict of them.
        indent: passed to ``json.dumps`` (None: one line).

    Returns:
        The JSON text.
    """
    return json.dumps(to_dict(obj), indent=indent, ensure_ascii=False)


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
