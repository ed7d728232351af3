"""Decoding a successful response into a model: JSON, the converter, and response info."""

from __future__ import annotations

from typing import TypeVar

from . import _convert, _meta
from . import _protocol as protocol
from ._response import Response
from .errors import APIResponseValidationError

__all__ = ["decode"]

T = TypeVar("T")


def decode(response: Response, model: type[T], *, method: str, url: str) -> T:
    """Decode a 2xx response into ``model`` and remember how it was obtained.

    Raises:
        APIResponseValidationError: the body is not JSON or does not match ``model``
                (the error names the failing path).
    """
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
    _meta.remember(obj, info)
    return obj
