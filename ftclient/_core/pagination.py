"""The async paginator: follows ``after`` cursors one page at a time.

Each page it fetches keeps its :class:`_Trail` (how it was reached), so that the page's own
``get_next_page()`` (:class:`ftclient.models.Page`) follows the same rules as the paginator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Sequence
from typing import Any, Generic, Protocol, TypeGuard, TypeVar

from .._checks import check_limit, identifier
from ..errors import InvalidParameterError, PaginationError
from .response import keep_slot

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

    The page's ``last_id`` where it has a usable one, else the ``id`` of its last item; None
    once ``has_more`` is false, or when neither is usable (absent, not a string, empty, blank
    or not UTF-8: the one rule for ids, ``_inputs.identifier``). The paginator raises
    :class:`~ftclient.errors.PaginationError` for the latter rather than end the list early.
    """
    if not page.has_more:
        return None
    last_id = getattr(page, "last_id", None)
    if _usable(last_id):
        return last_id
    item_id = getattr(page.data[-1], "id", None) if page.data else None
    return item_id if _usable(item_id) else None


def _usable(value: object) -> TypeGuard[str]:
    # A server's cursor passes the check a caller's ``after=`` passes: one rule for ids.
    try:
        identifier(value, "after")
    except InvalidParameterError:
        return False
    return True


def _no_cursor(page: PageLike[Any]) -> str:
    """What a page that says ``has_more`` offered instead of a cursor, for the error."""
    offered = []
    if hasattr(page, "last_id"):
        offered.append(f"last_id {page.last_id!r}")
    if not page.data:
        offered.append("no items")
    else:
        offered.append(f"last item's id {getattr(page.data[-1], 'id', None)!r}")
    return ", ".join(offered)


class AsyncPaginator(Generic[ItemT, PageT]):
    """Lazily walks a cursor-paginated list; nothing is sent until it is iterated or awaited.

    ``async for item in paginator`` yields every item across pages; ``paginator.pages()`` yields
    whole pages; ``await paginator`` returns the first page. Only one page is held at a time.
    Every page fetched can fetch its successor (``page.get_next_page()``).
    A server that sends a cursor twice, or says ``has_more`` without a cursor to follow, raises
    :class:`~ftclient.errors.PaginationError` (naming ``operation``, the page and its cursor)
    instead of looping forever or ending the list early.
    """

    def __init__(
        self,
        fetch: Callable[[str | None], Awaitable[PageT]],
        *,
        after: str | None = None,
        operation: str = "list",
    ) -> None:
        self._fetch = fetch
        self._after = after
        self._operation = operation

    def _start(self) -> _Trail[PageT]:
        return _Trail(self._fetch, self._operation, self._after)

    def __aiter__(self) -> AsyncIterator[ItemT]:
        return _Items(_Pages(self._start()))

    def pages(self) -> AsyncIterator[PageT]:
        """Iterate whole pages: ``data``, ``has_more``, and ``first_id``/``last_id`` if present."""
        return _Pages(self._start())

    def __await__(self) -> Generator[Any, None, PageT]:
        return self._start().load().__await__()

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


class _Trail(Generic[PageT]):
    """How one page of a walk is reached: the list's ``fetch``, the cursor the page is fetched
    with (None: the first page), its number in the walk (1 for the first) and the cursors that
    led to it. It holds no page, and nothing of it changes once made but the record below."""

    __slots__ = ("_branched", "_cursors", "after", "fetch", "number", "operation")

    def __init__(
        self,
        fetch: Callable[[str | None], Awaitable[PageT]],
        operation: str,
        after: str | None,
        number: int = 1,
        cursors: dict[str, int] | None = None,
    ) -> None:
        self.fetch = fetch
        self.operation = operation
        self.after = after
        self.number = number
        # Each cursor followed -> the number of the page it fetched. A walk that goes straight on
        # shares one record, so a check costs O(1) however long the list: the cursors of this
        # page and those before it are the entries numbered <= self.number (later ones belong to
        # pages after this one).
        if cursors is None:
            cursors = {} if after is None else {after: number}
        self._cursors = cursors
        self._branched = False  # whether a page after this one was already asked for

    async def load(self) -> PageT:
        """Fetch the page; it keeps this trail, for its ``get_next_page()``."""
        page = await self.fetch(self.after)
        keep_slot(page, "_ftc_next", self.next_page)
        return page

    def then(self, cursor: str) -> _Trail[PageT]:
        """The trail of the page after this one, fetched with ``cursor``."""
        cursors = self._cursors
        if self._branched:
            # A second way on from this page (get_next_page called again): a record of its own,
            # of the way here only, so that neither way sees the other's cursors.
            cursors = {c: n for c, n in cursors.items() if n <= self.number}
        self._branched = True
        cursors[cursor] = self.number + 1
        return _Trail(self.fetch, self.operation, cursor, self.number + 1, cursors)

    def followed(self, cursor: str) -> bool:
        """Whether ``cursor`` fetched this page or one before it (a server looping back)."""
        return self._cursors.get(cursor, self.number + 1) <= self.number

    async def next_page(self, page: PageT) -> PageT:
        """The page after ``page`` (the one this trail fetched): what ``get_next_page()`` does.

        Raises:
            PaginationError: ``page`` says ``has_more`` with no usable cursor, or its cursor was
                followed before on this trail.
        """
        cursor = next_cursor(page)
        if cursor is None:
            raise self.no_cursor(page)
        if self.followed(cursor):
            raise self.repeats(cursor)
        return await self.then(cursor).load()

    def no_cursor(self, page: PageLike[Any]) -> PaginationError:
        """The error for ``page`` saying ``has_more`` with no cursor to follow."""
        return self._error(
            f"says has_more but gives no cursor to follow ({_no_cursor(page)}); "
            "stopping instead of ending the list early"
        )

    def repeats(self, cursor: str) -> PaginationError:
        """The error for this page's ``cursor`` being one followed before."""
        return self._error(f"repeats the cursor {cursor!r}; stopping instead of looping forever")

    def _error(self, what: str) -> PaginationError:
        where = "the first page" if self.after is None else f"after {self.after!r}"
        return PaginationError(
            f"{self.operation}: page {self.number} ({where}) {what}",
            operation=self.operation,
            page=self.number,
            after=self.after,
        )


class _Pages(Generic[PageT]):
    __slots__ = ("_done", "_trail", "_unfollowable")

    def __init__(self, trail: _Trail[PageT]) -> None:
        self._trail = trail  # of the page to fetch next
        self._done = False
        self._unfollowable: PaginationError | None = None  # raised after the page it is about

    def __aiter__(self) -> _Pages[PageT]:
        return self

    async def __anext__(self) -> PageT:
        if self._unfollowable is not None:
            error, self._unfollowable = self._unfollowable, None
            raise error
        if self._done:
            raise StopAsyncIteration
        page = await self._trail.load()
        cursor = next_cursor(page)
        if cursor is None:
            self._done = True
            if page.has_more:
                # Ending here would drop the rest of the list without a word: this page's items
                # are yielded, and asking for the next one raises.
                self._unfollowable = self._trail.no_cursor(page)
        elif self._trail.followed(cursor):
            self._done = True
            raise self._trail.repeats(cursor)
        else:
            self._trail = self._trail.then(cursor)
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
