"""The async paginator: follows ``after`` cursors one page at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Sequence
from typing import Any, Generic, Protocol, TypeVar

from .._checks import check_limit
from ..errors import PaginationError

__all__ = ["AsyncPaginator", "next_cursor"]

ItemT = TypeVar("ItemT")
PageT = TypeVar("PageT", bound="PageLike[Any]")
ItemT_co = TypeVar("ItemT_co", covariant=True)


class PageLike(Protocol[ItemT_co]):
    """What the paginator needs of a list response."""

    @property
    def data(self) -> Sequence[ItemT_co]: ...

    @property
    def has_more(self) -> bool: ...


def next_cursor(page: PageLike[Any]) -> str | None:
    """The ``after`` value for the page following ``page``, or None when there is none.

    The page's ``last_id`` where it has one, else the ``id`` of its last item; None once
    ``has_more`` is false or the page is empty.
    """
    if not page.has_more or not page.data:
        return None
    last_id = getattr(page, "last_id", None)
    if isinstance(last_id, str) and last_id:
        return last_id
    item_id = getattr(page.data[-1], "id", None)
    return item_id if isinstance(item_id, str) and item_id else None


class AsyncPaginator(Generic[ItemT, PageT]):
    """Lazily walks a cursor-paginated list; nothing is sent until it is iterated or awaited.

    ``async for item in paginator`` yields every item across pages; ``paginator.pages()`` yields
    whole pages; ``await paginator`` returns the first page. Only one page is held at a time.
    A server that sends a cursor twice raises :class:`~ftclient.errors.PaginationError` instead
    of looping forever.
    """

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[PageT]], *, after: str | None = None
    ) -> None:
        self._fetch = fetch
        self._after = after

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return _Items(_Pages(self._fetch, self._after))

    def pages(self) -> AsyncIterator[PageT]:
        """Iterate whole pages: ``data``, ``has_more``, and ``first_id``/``last_id`` if present."""
        return _Pages(self._fetch, self._after)

    def __await__(self) -> Generator[Any, None, PageT]:
        return self._fetch(self._after).__await__()

    async def to_list(self, *, max_items: int | None = None) -> list[ItemT]:
        """Collect items into a list (all of them, or the first ``max_items``).

        Raises:
            InvalidParameterError: ``max_items`` is neither None nor an integer.
        """
        check_limit(max_items, "max_items")
        out: list[ItemT] = []
        if max_items is not None and max_items <= 0:
            return out
        async for item in self:
            out.append(item)
            if max_items is not None and len(out) >= max_items:
                break
        return out


class _Pages(Generic[PageT]):
    __slots__ = ("_cursor", "_done", "_fetch", "_seen")

    def __init__(self, fetch: Callable[[str | None], Awaitable[PageT]], after: str | None) -> None:
        self._fetch = fetch
        self._cursor = after
        self._done = False
        self._seen: set[str] = set() if after is None else {after}

    def __aiter__(self) -> _Pages[PageT]:
        return self

    async def __anext__(self) -> PageT:
        if self._done:
            raise StopAsyncIteration
        page = await self._fetch(self._cursor)
        cursor = next_cursor(page)
        if cursor is None:
            self._done = True
        elif cursor in self._seen:
            self._done = True
            raise PaginationError(
                f"the server repeated the cursor {cursor!r}; stopping instead of looping forever"
            )
        else:
            self._seen.add(cursor)
            self._cursor = cursor
        return page


class _Items(Generic[ItemT]):
    __slots__ = ("_index", "_items", "_pages")

    def __init__(self, pages: _Pages[Any]) -> None:
        self._pages = pages
        self._items: Sequence[ItemT] = ()
        self._index = 0

    def __aiter__(self) -> _Items[ItemT]:
        return self

    async def __anext__(self) -> ItemT:
        while self._index >= len(self._items):
            page = await self._pages.__anext__()  # StopAsyncIteration ends the walk
            self._items = page.data
            self._index = 0
        item = self._items[self._index]
        self._index += 1
        return item
