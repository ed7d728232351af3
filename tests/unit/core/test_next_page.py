"""``page.get_next_page()`` over in-memory pages: the paginator's cursor rules, page by page."""

from __future__ import annotations

import attrs
import pytest

import ftclient
from ftclient._core.pagination import AsyncPaginator
from ftclient.models import ListPaginatedFineTuningJobsResponse, Page


@attrs.frozen
class Item:
    id: str


@attrs.frozen(kw_only=True)
class Listed(Page):
    """A page type as the models declare them: ``data``, ``has_more``, an optional ``last_id``."""

    data: list[Item]
    has_more: bool = False
    last_id: str | None = None


def page(*ids: str, more: bool = True, last_id: str | None = None) -> Listed:
    return Listed(data=[Item(i) for i in ids], has_more=more, last_id=last_id)


class Server:
    def __init__(self, pages: dict[str | None, Listed]) -> None:
        self.pages = pages
        self.calls: list[str | None] = []

    async def fetch(self, after: str | None) -> Listed:
        self.calls.append(after)
        return attrs.evolve(self.pages[after])  # a fresh object per fetch, as decoding makes


def paginator(server: Server, after: str | None = None) -> AsyncPaginator[Item, Listed]:
    return AsyncPaginator(server.fetch, after=after, operation="jobs.list")


async def walk(first: Listed) -> list[list[str]]:
    got, current = [[i.id for i in first.data]], first
    while current.has_next_page():
        current = await current.get_next_page()
        got.append([i.id for i in current.data])
    return got


async def test_get_next_page_walks_to_the_end_and_each_page_is_of_the_first_ones_type() -> None:
    server = Server({None: page("a", "b"), "b": page("c", last_id="x"), "x": page("d", more=False)})
    first = await paginator(server)
    assert await walk(first) == [["a", "b"], ["c"], ["d"]]
    assert server.calls == [None, "b", "x"]  # last_id where usable, else the last item's id
    last = await (await first.get_next_page()).get_next_page()
    assert type(last) is Listed
    assert not last.has_next_page()
    with pytest.raises(ftclient.NoNextPageError) as caught:
        await last.get_next_page()
    assert str(caught.value) == (
        "Listed says has_more is false: there is no next page "
        "(check page.has_next_page() before page.get_next_page())"
    )
    assert isinstance(caught.value, RuntimeError)  # as the official SDK's error for this is
    assert server.calls == [None, "b", "x", "b", "x"]  # and nothing was sent for it


async def test_pages_yielded_by_pages_go_on_from_where_they_are() -> None:
    server = Server({None: page("a"), "a": page("b"), "b": page("c", more=False)})
    pages = paginator(server).pages()
    await anext(pages)
    second = await anext(pages)
    third = await second.get_next_page()
    assert [i.id for i in third.data] == ["c"]
    assert server.calls == [None, "a", "b"]


async def test_the_same_page_can_be_followed_twice_without_a_false_repeat() -> None:
    server = Server({None: page("a"), "a": page("b", more=False)})
    first = await paginator(server)
    for _ in range(2):
        assert [i.id for i in (await first.get_next_page()).data] == ["b"]
    assert server.calls == [None, "a", "a"]


async def test_a_second_way_on_from_a_page_does_not_see_the_first_ways_cursors() -> None:
    server = Server({None: page("a"), "a": page("b"), "b": page("c", more=False)})
    first = await paginator(server)
    assert await walk(first) == [["a"], ["b"], ["c"]]
    # The list changed: the same start now leads through x to b, a cursor the first walk
    # followed from its page 2, never on this way: no repeat here.
    server.pages.update({"a": page("x"), "x": page("b"), "b": page("z", more=False)})
    assert await walk(first) == [["a"], ["x"], ["b"], ["z"]]
    assert server.calls == [None, "a", "b", "a", "x", "b"]


async def test_a_repeat_on_a_second_way_on_is_still_caught() -> None:
    server = Server({None: page("a"), "a": page("b", more=False)})
    first = await paginator(server)
    await first.get_next_page()
    server.pages.update({"a": page("x"), "x": page("a")})  # x leads back to a
    third = await (await first.get_next_page()).get_next_page()
    with pytest.raises(
        ftclient.PaginationError, match="page 3 \\(after 'x'\\) repeats the cursor 'a'"
    ):
        await third.get_next_page()
    assert server.calls == [None, "a", "a", "x"]


async def test_a_second_way_on_keeps_the_cursor_that_fetched_its_page() -> None:
    server = Server({None: page("a"), "a": page("b"), "b": page("c", more=False)})
    second = await (await paginator(server)).get_next_page()  # fetched with a
    await second.get_next_page()
    server.pages["b"] = page("a")  # the list changed: after b now leads back to a
    third = await second.get_next_page()  # a second way on from page 2
    with pytest.raises(
        ftclient.PaginationError, match="page 3 \\(after 'b'\\) repeats the cursor 'a'"
    ):
        await third.get_next_page()
    assert server.calls == [None, "a", "b", "b"]


@pytest.mark.parametrize(
    ("pages", "start", "at", "message"),
    [
        # a page whose cursor is the one that fetched it
        ({None: page("a"), "a": page("a")}, None, 2, "page 2 (after 'a') repeats the cursor 'a'"),
        # back to the cursor of an earlier page: a -> b -> a
        (
            {None: page("a"), "a": page("b"), "b": page("a")},
            None,
            3,
            "page 3 (after 'b') repeats the cursor 'a'",
        ),
        # back to the after= the list was started with
        ({"s": page("t"), "t": page("s")}, "s", 2, "page 2 (after 't') repeats the cursor 's'"),
    ],
)
async def test_a_repeated_cursor_raises_instead_of_looping(
    pages: dict[str | None, Listed], start: str | None, at: int, message: str
) -> None:
    server = Server(pages)
    current = await paginator(server, after=start)
    with pytest.raises(ftclient.PaginationError) as caught:  # noqa: PT012 (walks up to the repeat)
        for _ in range(at):
            current = await current.get_next_page()
    assert str(caught.value) == f"jobs.list: {message}; stopping instead of looping forever"
    assert (caught.value.operation, caught.value.page) == ("jobs.list", at)
    assert len(server.calls) == at  # the repeat itself was not fetched


async def test_has_more_without_a_usable_cursor_raises_and_has_next_page_says_there_is_more() -> (
    None
):
    server = Server({None: page("a"), "a": page("", last_id=" ")})
    second = await (await paginator(server)).get_next_page()
    assert second.has_next_page()  # False would end a while-loop with the list cut short
    with pytest.raises(ftclient.PaginationError) as caught:
        await second.get_next_page()
    assert str(caught.value) == (
        "jobs.list: page 2 (after 'a') says has_more but gives no cursor to follow "
        "(last_id ' ', last item's id ''); stopping instead of ending the list early"
    )
    assert (caught.value.page, caught.value.after) == (2, "a")
    assert server.calls == [None, "a"]


async def test_an_empty_page_with_has_more_and_a_last_id_has_a_next_page() -> None:
    server = Server({None: page(last_id="c"), "c": page("d", more=False)})
    first = await paginator(server)
    assert first.has_next_page()
    assert [i.id for i in (await first.get_next_page()).data] == ["d"]


@pytest.mark.parametrize("more", [True, False])
def test_a_hand_built_page_answers_has_next_page_from_has_more(more: bool) -> None:
    built = ListPaginatedFineTuningJobsResponse(data=[], has_more=more)
    assert built.has_next_page() is more


async def test_a_hand_built_page_has_no_list_to_fetch_the_next_page_from() -> None:
    built = ListPaginatedFineTuningJobsResponse(data=[], has_more=True)
    with pytest.raises(ftclient.NoNextPageError) as caught:
        await built.get_next_page()
    assert str(caught.value) == (
        "ListPaginatedFineTuningJobsResponse was not fetched by a client's list call (built by "
        "hand, or the answer of permissions.create): there is no list to fetch its next page "
        "from; list again with after=<its last id>"
    )
    fetched = await paginator(Server({None: page("a")}))
    copied = attrs.evolve(fetched)  # a copy is built by hand too
    with pytest.raises(ftclient.NoNextPageError, match="not fetched by a client's list call"):
        await copied.get_next_page()
