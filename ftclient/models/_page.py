"""What every list page can do besides hold its items: go on to the page after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Self

from ..errors import NoNextPageError
from ._base import Model

__all__ = ["Page"]


class Page(Model):
    """Base of the list pages (``data``, ``has_more``): ``has_next_page()``, ``get_next_page()``.

    A page that a client's list call fetched (``await client.jobs.list()``, each page of
    ``.pages()``, and each page ``get_next_page()`` returns) keeps in ``_ftc_next`` how to fetch
    the page after it: the same list with the same options, the cursor rules of
    :class:`~ftclient.AsyncPaginator` and the cursors followed so far. The paginator sets it once,
    outside the attrs fields, as decoding sets ``_ftc_info``; a page built by hand has none.
    """

    __slots__ = ("_ftc_next",)

    has_more: bool

    def has_next_page(self) -> bool:
        """Whether the server says more of the list follows this page (its ``has_more``).

        True whenever ``has_more`` is, even if the page gives no cursor to follow: answering
        False there would end a ``while page.has_next_page()`` loop with the list cut short and
        no word said; :meth:`get_next_page` raises :class:`~ftclient.PaginationError` instead.
        Unlike the official SDK's, an empty page with ``has_more`` and a ``last_id`` has a next
        page (ftclient follows ``last_id``).
        """
        return bool(self.has_more)

    async def get_next_page(self) -> Self:
        """Fetch the page after this one: the same list, options and page size, after its cursor.

        The cursor is the page's ``last_id`` where it has a usable one, else its last item's id.

        Returns:
            The next page, of this page's type (it has these methods too).

        Raises:
            NoNextPageError: ``has_more`` is false, or the page was not fetched by a client's list
                call (built by hand, or the answer of ``permissions.create``).
            PaginationError: the page says ``has_more`` but gives no usable cursor, or its cursor
                is one already followed on the way to this page (the server is looping).
            APIError: the request for the next page failed, as any call can.
        """
        if not self.has_more:
            raise NoNextPageError(
                f"{type(self).__name__} says has_more is false: there is no next page "
                "(check page.has_next_page() before page.get_next_page())"
            )
        follow: Callable[[Self], Awaitable[Self]] | None = getattr(self, "_ftc_next", None)
        if follow is None:
            raise NoNextPageError(
                f"{type(self).__name__} was not fetched by a client's list call (built by hand, "
                "or the answer of permissions.create): there is no list to fetch its next page "
                "from; list again with after=<its last id>"
            )
        return await follow(self)
