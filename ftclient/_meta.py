"""Remembers how each returned object was obtained, without storing anything on the object."""

from __future__ import annotations

import weakref
from typing import Any

from ._transport import ResponseInfo

__all__ = ["remember", "response_info"]

# Keyed by id(): models are frozen and may hold dicts, so they are not reliably hashable, and
# two equal jobs from two responses keep their own info. A finalizer drops the entry with the
# object.
_INFO: dict[int, ResponseInfo] = {}


def remember(obj: Any, info: ResponseInfo) -> None:
    """Attach ``info`` to ``obj`` for :func:`response_info` (no-op for objects without weakrefs)."""
    key = id(obj)
    try:
        weakref.finalize(obj, _INFO.pop, key, None)
    except TypeError:
        return
    _INFO[key] = info


def response_info(obj: Any) -> ResponseInfo | None:
    """Status, headers, request id, attempts and retry waits of the response behind ``obj``.

    Works for objects returned by client methods (jobs, pages, grader results...) and pages
    yielded by ``.pages()``; items taken from a page share their page's info only through the page.

    Args:
        obj: an object returned by an ftclient method.

    Returns:
        The :class:`ResponseInfo`, or None if ``obj`` did not come from a response.
    """
    return _INFO.get(id(obj))
