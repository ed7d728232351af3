"""The paginator over in-memory pages: cursors, stop rules, repeated cursors, laziness."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import pytest

import ftclient
from ftclient._core.pagination import AsyncPaginator, next_cursor


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


async def test_empty_page_with_has_more_true_and_no_cursor_raises() -> None:
    server = Server({None: Page([], True)})
    paginator = AsyncPaginator[Item, Page](server.fetch, operation="jobs.list")
    with pytest.raises(ftclient.PaginationError) as caught:
        async for _ in paginator:
            pass
    assert str(caught.value) == (
        "jobs.list: page 1 (the first page) says has_more but gives no cursor to follow "
        "(last_id None, no items); stopping instead of ending the list early"
    )
    assert (caught.value.operation, caught.value.page, caught.value.after) == ("jobs.list", 1, None)
    assert server.calls == [None]


async def test_empty_page_with_has_more_and_a_last_id_follows_it() -> None:
    server = Server({None: Page([], True, "c"), "c": Page([Item("d")], False)})
    assert [i.id async for i in AsyncPaginator[Item, Page](server.fetch)] == ["d"]
    assert server.calls == [None, "c"]


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


@attrs.frozen
class BarePage:
    """A page type with no ``last_id`` at all, of items that may lack an ``id``."""

    data: Sequence[object]
    has_more: bool


@pytest.mark.parametrize(
    ("page", "cursor"),
    [
        (BarePage([Item("x")], True), "x"),  # no last_id attribute: the last item's id
        (Page([Item("x")], True, 5), "x"),  # type: ignore[arg-type]  # a last_id not a string
        (Page([Item("x")], True, ""), "x"),  # an empty last_id
        (BarePage([object()], True), None),  # an item without an id
        (BarePage([Item(7)], True), None),  # type: ignore[arg-type]  # an id not a string
        (BarePage([Item("")], True), None),  # an empty id
    ],
)
def test_next_cursor_takes_only_a_usable_id(page: Page, cursor: str | None) -> None:
    assert next_cursor(page) == cursor


async def test_an_a_b_a_cycle_raises_instead_of_looping() -> None:
    cycle = {
        None: Page([Item("a")], True),
        "a": Page([Item("b")], True),
        "b": Page([Item("a")], True),  # back to a cursor already followed
    }
    server = Server(cycle)
    with pytest.raises(ftclient.PaginationError, match="'a'"):
        async for _ in AsyncPaginator[Item, Page](server.fetch):
            pass
    assert server.calls == [None, "a", "b"]


async def test_a_cursor_back_to_the_starting_one_raises() -> None:
    server = Server({"s": Page([Item("t")], True), "t": Page([Item("s")], True)})
    with pytest.raises(ftclient.PaginationError, match="'s'"):
        async for _ in AsyncPaginator[Item, Page](server.fetch, after="s"):
            pass
    assert server.calls == ["s", "t"]


async def test_a_finished_walk_stays_finished() -> None:
    server = Server(pages_of(["a", "b", "c"], 3, with_last_id=True))
    pages = AsyncPaginator[Item, Page](server.fetch).pages()
    assert len((await anext(pages)).data) == 3
    for _ in range(2):
        with pytest.raises(StopAsyncIteration):
            await anext(pages)
    assert server.calls == [None]


async def test_a_walk_that_raised_on_a_repeat_stays_finished() -> None:
    server = Server({None: Page([Item("a")], True), "a": Page([Item("a")], True)})
    pages = AsyncPaginator[Item, Page](server.fetch).pages()
    await anext(pages)
    with pytest.raises(ftclient.PaginationError):
        await anext(pages)
    with pytest.raises(StopAsyncIteration):
        await anext(pages)
    assert server.calls == [None, "a"]


async def test_pages_and_await_start_after_the_given_cursor() -> None:
    server = Server(pages_of([str(i) for i in range(6)], 2, with_last_id=True))
    paginator = AsyncPaginator[Item, Page](server.fetch, after="1")
    assert [i.id for i in (await paginator).data] == ["2", "3"]
    assert [[i.id for i in p.data] async for p in paginator.pages()] == [["2", "3"], ["4", "5"]]
    assert server.calls == ["1", "1", "3"]


@pytest.mark.parametrize(
    ("max_items", "expected"),
    [(None, ["a", "b", "c", "d"]), (0, []), (-1, []), (1, ["a"]), (3, ["a", "b", "c"])],
)
async def test_to_list(max_items: int | None, expected: list[str]) -> None:
    server = Server(pages_of(["a", "b", "c", "d"], 3, with_last_id=False))
    got = await AsyncPaginator[Item, Page](server.fetch).to_list(max_items=max_items)
    assert [i.id for i in got] == expected
    assert len(server.calls) == (0 if not expected else 1 + (len(expected) > 3))


@pytest.mark.parametrize("bad", ["3", 2.5, True])
async def test_to_list_refuses_a_max_items_that_is_not_an_integer(bad: object) -> None:
    server = Server(pages_of(["a"], 1, with_last_id=False))
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await AsyncPaginator[Item, Page](server.fetch).to_list(max_items=bad)  # type: ignore[arg-type]
    assert info.value.param == "max_items"
    assert str(info.value).startswith("max_items: must be an integer")
    assert server.calls == []


@pytest.mark.parametrize(
    ("page", "offered"),
    [
        (Page([Item("a"), Item("")], True), "last_id None, last item's id ''"),
        (Page([Item("a"), Item(" ")], True, ""), "last_id '', last item's id ' '"),
        (Page([Item("\ud800")], True), "last_id None, last item's id '\\ud800'"),
        (BarePage([Item("")], True), "last item's id ''"),
        (BarePage([], True), "no items"),
        (BarePage([object()], True), "last item's id None"),
    ],
)
async def test_has_more_without_a_usable_cursor_raises_naming_the_page(
    page: Page, offered: str
) -> None:
    first = Page([Item("x")], True, "x")
    server = Server({"s": first, "x": page})
    paginator = AsyncPaginator[Item, Page](server.fetch, after="s", operation="checkpoints.list")
    got: list[object] = []
    with pytest.raises(ftclient.PaginationError) as caught:  # noqa: PT012 (items before the error count)
        async for item in paginator:
            got.append(item)
    assert got == [Item("x"), *page.data]  # the items served are all yielded first
    assert str(caught.value) == (
        f"checkpoints.list: page 2 (after 'x') says has_more but gives no cursor to follow "
        f"({offered}); stopping instead of ending the list early"
    )
    assert (caught.value.page, caught.value.after) == (2, "x")
    assert server.calls == ["s", "x"]
    pages = paginator.pages()
    assert (await anext(pages)) is first
    assert (await anext(pages)) is page  # the page is yielded; asking for the next one raises
    with pytest.raises(ftclient.PaginationError):
        await anext(pages)
    with pytest.raises(StopAsyncIteration):  # and the walk stays finished
        await anext(pages)
    assert server.calls == ["s", "x", "s", "x"]
