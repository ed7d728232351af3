"""Cursor pagination over a collection kept oldest first with an ``id -> position`` index.

A page after any cursor is found in O(1) and walked in either direction; callers keep deleted
items in place (as tombstones, skipped by ``keep``) so that a cursor naming one still works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from ._errors import EmulatorError

__all__ = ["paginate"]

T = TypeVar("T")


def paginate(
    items: Sequence[T],
    index: Mapping[str, int],
    *,
    after: str | None,
    limit: int,
    descending: bool = True,
    keep: Callable[[T], bool] | None = None,
) -> tuple[list[T], bool]:
    """Return one page of ``items`` (stored oldest first) and whether more follow.

    Args:
        items: the collection, oldest first.
        index: position of each item's id in ``items``.
        after: id of the last item of the previous page, or ``None`` for the first page.
        limit: page size (0 gives an empty page).
        descending: newest first (the API's default) or oldest first.
        keep: optional filter; items it rejects are skipped and not counted.

    Returns:
        ``(page, has_more)``.

    Raises:
        EmulatorError: 404 with ``param: "after"`` when ``after`` is not a known id.
    """
    if after is None:
        position = len(items) if descending else -1
    elif after in index:
        position = index[after]
    else:
        raise EmulatorError(
            404,
            f"No object found with id {after!r} to page after.",
            param="after",
            code="not_found",
        )
    step = -1 if descending else 1
    page: list[T] = []
    position += step
    while 0 <= position < len(items):
        item = items[position]
        if keep is None or keep(item):
            if len(page) == limit:
                return page, True
            page.append(item)
        position += step
    return page, False
