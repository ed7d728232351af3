"""Remembers how each returned object was obtained, without storing anything on the object."""

from __future__ import annotations

import weakref
from typing import Any

from ._response import ResponseInfo

__all__ = ["remember", "response_info"]


class _Ref(weakref.ref):  # type: ignore[type-arg]  # referent type varies
    """A weak reference that carries the info and its own key, so its callback needs no closure.

    A plain ``weakref.ref`` with a callback costs a tenth of a ``weakref.finalize`` (which keeps
    a registry and an atexit hook), and one is made for every object a client returns.
    """

    __slots__ = ("info", "key")

    info: ResponseInfo
    key: int


# Keyed by id(): models are frozen and may hold dicts, so they are not reliably hashable, and
# two equal jobs from two responses keep their own info. The reference's callback drops the
# entry with the object.
_INFO: dict[int, _Ref] = {}


def _forget(ref: _Ref) -> None:
    if _INFO.get(ref.key) is ref:  # not a newer entry for an object that reused the id
        del _INFO[ref.key]


def remember(obj: Any, info: ResponseInfo) -> None:
    """Attach ``info`` to ``obj`` for :func:`response_info` (no-op for objects without weakrefs)."""
    try:
        ref = _Ref(obj, _forget)
    except TypeError:
        return
    ref.info = info
    ref.key = key = id(obj)
    _INFO[key] = ref


def response_info(obj: Any) -> ResponseInfo | None:
    """Status, headers, request id, attempts and retry waits of the response behind ``obj``.

    Works for objects returned by client methods (jobs, pages, grader results...) and pages
    yielded by ``.pages()``; items taken from a page share their page's info only through the page.

    Args:
        obj: an object returned by an ftclient method.

    Returns:
        The :class:`ResponseInfo`, or None if ``obj`` did not come from a response.
    """
    ref = _INFO.get(id(obj))
    return ref.info if ref is not None and ref() is obj else None
