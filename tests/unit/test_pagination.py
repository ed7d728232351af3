"""The paginator over in-memory pages: cursors, stop rules, repeated cursors, laziness."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pytest

import ftclient
from ftclient._pagination import AsyncPaginator, next_cursor


@attrs.frozen
class Item:
    id: str


@attrs.frozen
class Page:
    data: Sequence[Item]
    has_more: bool
    last_id: str | None = None


def pages_of(ids: list[str], size: int, *, with_last_id: bool) -> dict[str | None, Page]:
    out: dict[str | None, Page] = {}
    cursor: str | None = None
    for start in range(0, len(ids), size):
        chunk = [Item(i) for i in ids[start : start + size]]
        more = start + size < len(ids)
        out[cursor] = Page(chunk, more, chunk[-1].id if with_last_id else None)
        cursor = chunk[-1].id
    return out


class Server:
    def __init__(self, pages: dict[str | None, Page]) -> None:
        self.pages = pages
        self.calls: list[str | None] = []

    async def fetch(self, after: str | None) -> Page:
        self.calls.append(after)
        return self.pages[after]


@pytest.mark.parametrize("with_last_id", [True, False])
async def test_walks_every_item_across_pages(with_last_id: bool) -> None:
    ids = [f"ev-{i}" for i in range(23)]
    server = Server(pages_of(ids, 5, with_last_id=with_last_id))
    got = [item.id async for item in AsyncPaginator[Item, Page](server.fetch)]
    assert got == ids
    assert server.calls == [None, "ev-4", "ev-9", "ev-14", "ev-19"]


async def test_nothing_is_sent_until_iterated_and_await_gives_first_page() -> None:
    server = Server(pages_of(["a", "b", "c"], 2, with_last_id=True))
    paginator = AsyncPaginator[Item, Page](server.fetch)
    assert server.calls == []
    first = await paginator
    assert [i.id for i in first.data] == ["a", "b"]
    assert server.calls == [None]


async def test_pages_yields_whole_pages_and_stops_on_has_more_false() -> None:
    server = Server(pages_of([str(i) for i in range(6)], 3, with_last_id=True))
    pages = [p async for p in AsyncPaginator[Item, Page](server.fetch).pages()]
    assert [len(p.data) for p in pages] == [3, 3]
    assert pages[-1].has_more is False


async def test_empty_page_with_has_more_true_stops() -> None:
    server = Server({None: Page([], True)})
    assert [i async for i in AsyncPaginator[Item, Page](server.fetch)] == []
    assert server.calls == [None]


async def test_repeated_cursor_raises_instead_of_looping() -> None:
    looping = {None: Page([Item("a")], True), "a": Page([Item("a")], True)}
    server = Server(looping)
    with pytest.raises(ftclient.PaginationError, match="'a'"):
        async for _ in AsyncPaginator[Item, Page](server.fetch):
            pass
    assert len(server.calls) == 2


async def test_start_after_cursor_and_to_list_limit() -> None:
    server = Server(pages_of([str(i) for i in range(10)], 3, with_last_id=True))
    paginator = AsyncPaginator[Item, Page](server.fetch, after="2")
    assert [i.id for i in await paginator.to_list(max_items=4)] == ["3", "4", "5", "6"]


def test_next_cursor_prefers_last_id() -> None:
    assert next_cursor(Page([Item("x")], True, "explicit")) == "explicit"
    assert next_cursor(Page([Item("x")], True)) == "x"
    assert next_cursor(Page([Item("x")], False, "y")) is None
