"""``page.get_next_page()`` against servers of the tests' own: what is sent, what comes back.

Every list a user can page through (``jobs.list``, ``jobs.list_events``, ``checkpoints.list``,
``permissions.list``, ``files.list``) is walked one page at a time by ``get_next_page()``; each
next request keeps the call's ``limit``, list parameters, ``extra_query``, ``extra_headers`` and
``timeout`` and adds the ``after`` cursor. Servers that give no cursor, or repeat one, raise
:class:`ftclient.PaginationError` as the paginator does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

import ftclient

from .conftest import KEY
from .fake_api import FakeAPI

Make = Callable[..., ftclient.FineTuningClient]
Doc = dict[str, Any]
CKPT = "ft:m:ckpt"
QUERY = {"trace": "t-1"}
HEADERS = {"X-Trace": "h-1"}


def seed(api: FakeAPI) -> None:
    """Three of everything the fake service lists (it always has three checkpoints)."""
    for _ in range(3):
        api.add_job(_at=0.0)
    for n in range(3):
        api.add_event("ftjob-1", f"ev-{n}")
        api.permissions.append(
            {
                "id": f"cp_{n}",
                "object": "checkpoint.permission",
                "project_id": f"p{n}",
                "created_at": n,
                "_at": 0,
            }
        )


LISTS: dict[str, tuple[str, Callable[[ftclient.FineTuningClient], Any], list[str]]] = {
    "jobs.list": (
        "list",
        lambda c: c.jobs.list(
            limit=1, metadata={"team": "a"}, extra_query=QUERY, extra_headers=HEADERS
        ),
        ["ftjob-3", "ftjob-2", "ftjob-1"],
    ),
    "jobs.list_events": (
        "events",
        lambda c: c.jobs.list_events("ftjob-1", limit=1, extra_query=QUERY, extra_headers=HEADERS),
        ["ev-2", "ev-1", "ev-0"],
    ),
    "checkpoints.list": (
        "checkpoints",
        lambda c: c.checkpoints.list("ftjob-1", limit=1, extra_query=QUERY, extra_headers=HEADERS),
        ["ftckpt_30", "ftckpt_20", "ftckpt_10"],
    ),
    "permissions.list": (
        "permissions",
        lambda c: c.permissions.list(CKPT, limit=1, extra_query=QUERY, extra_headers=HEADERS),
        ["cp_0", "cp_1", "cp_2"],
    ),
}


@pytest.mark.parametrize("operation", list(LISTS))
async def test_get_next_page_walks_three_pages_with_the_calls_options(
    api: FakeAPI, make_client: Make, operation: str
) -> None:
    route, listing, ids = LISTS[operation]
    seed(api)
    api.honour_filter = False  # the filter is only checked as sent
    page = await listing(make_client())
    pages = [page]
    while page.has_next_page():
        page = await page.get_next_page()
        pages.append(page)
    assert [[item.id for item in p.data] for p in pages] == [[i] for i in ids]
    assert {type(p) for p in pages} == {type(pages[0])}
    assert [p.has_next_page() for p in pages] == [True, True, False]
    assert all(ftclient.response_info(p) is not None for p in pages)
    sent = api.sent(route)
    expected = {"limit": "1", "trace": "t-1"} | ({"metadata[team]": "a"} if route == "list" else {})
    assert [s.query for s in sent] == [
        expected,
        expected | {"after": ids[0]},
        expected | {"after": ids[1]},
    ]
    assert [s.headers.get("X-Trace") for s in sent] == ["h-1"] * 3
    with pytest.raises(ftclient.NoNextPageError, match="has_more is false"):
        await page.get_next_page()
    assert len(api.sent(route)) == 3  # the last page's get_next_page sent nothing


async def test_a_page_of_pages_goes_on_after_itself(api: FakeAPI, make_client: Make) -> None:
    seed(api)
    paginator = make_client().jobs.list_events("ftjob-1", limit=1)
    pages = paginator.pages()
    await anext(pages)
    second = await anext(pages)
    third = await second.get_next_page()
    assert [e.id for e in third.data] == ["ev-0"]
    assert [s.query.get("after") for s in api.sent("events")] == [None, "ev-2", "ev-1"]


async def test_the_calls_timeout_bounds_the_next_page(api: FakeAPI, make_client: Make) -> None:
    seed(api)
    first = await make_client().jobs.list(limit=1, timeout=5.0)
    api.faults["list"] = ["429:30"]  # a wait longer than the call's own 5 s
    with pytest.raises(ftclient.RateLimitError) as caught:
        await first.get_next_page()
    assert caught.value.__notes__ == [
        "not retried: the next attempt, in 30s, would start after the call's timeout"
    ]
    assert len(api.sent("list")) == 2  # without the call's timeout (600 s) it would wait and retry


def no_items(route: str, doc: Doc) -> Doc:
    return {**doc, "data": [], "has_more": True} if doc["data"][0]["id"] == "ev-1" else doc


def repeat_of(cursor: str, on: str) -> Callable[[str, Doc], Doc]:
    """Rewrite the page holding ``on`` so that its last (only) item's id is ``cursor``."""

    def rewrite(route: str, doc: Doc) -> Doc:
        if doc["data"][0]["id"] != on:
            return doc
        return {**doc, "data": [{**doc["data"][0], "id": cursor}]}

    return rewrite


async def test_a_page_without_a_cursor_raises_on_get_next_page(
    api: FakeAPI, make_client: Make
) -> None:
    seed(api)
    api.page_hook = no_items
    second = await (await make_client().jobs.list_events("ftjob-1", limit=1)).get_next_page()
    assert second.data == []
    assert second.has_next_page()
    with pytest.raises(ftclient.PaginationError) as caught:
        await second.get_next_page()
    assert str(caught.value) == (
        "jobs.list_events: page 2 (after 'ev-2') says has_more but gives no cursor to follow "
        "(no items); stopping instead of ending the list early"
    )
    assert (caught.value.operation, caught.value.page, caught.value.after) == (
        "jobs.list_events",
        2,
        "ev-2",
    )
    assert len(api.sent("events")) == 2


@pytest.mark.parametrize(
    ("hook", "at", "message"),
    [
        (repeat_of("ev-3", "ev-2"), 2, "page 2 (after 'ev-3') repeats the cursor 'ev-3'"),
        (repeat_of("ev-3", "ev-1"), 3, "page 3 (after 'ev-2') repeats the cursor 'ev-3'"),
    ],
)
async def test_a_server_that_repeats_a_cursor_is_caught(
    api: FakeAPI, make_client: Make, hook: Callable[[str, Doc], Doc], at: int, message: str
) -> None:
    seed(api)
    api.add_event("ftjob-1", "ev-3")
    api.page_hook = hook
    page = await make_client().jobs.list_events("ftjob-1", limit=1)
    with pytest.raises(ftclient.PaginationError) as caught:  # noqa: PT012 (walks up to the repeat)
        for _ in range(at):
            page = await page.get_next_page()
    assert str(caught.value) == (
        f"jobs.list_events: {message}; stopping instead of looping forever"
    )
    assert len(api.sent("events")) == at  # the repeated cursor was never sent


# Services of these tests' own, for what the fake service does not play.
Routes = dict[tuple[str, str], Callable[[web.Request], Any]]
Serve = Callable[[Routes], Any]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """``await serve(routes)``: a service of those routes on 127.0.0.1; its base URL."""
    runners: list[web.AppRunner] = []

    async def start(routes: Routes) -> str:
        app = web.Application()
        for (method, path), handler in routes.items():
            app.router.add_route(method, path, handler)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        runners.append(runner)
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}/v1"

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_the_answer_of_permissions_create_has_no_next_page(serve: Serve) -> None:
    seen: list[str] = []

    async def grant(request: web.Request) -> web.Response:
        seen.append(request.method)
        made = {
            "id": "cp_1",
            "object": "checkpoint.permission",
            "project_id": "p1",
            "created_at": 1,
        }
        # has_more, as if the answer were a page: still no list to go on with
        return web.json_response({"object": "list", "data": [made], "has_more": True})

    path = f"/v1/fine_tuning/checkpoints/{CKPT}/permissions"
    url = await serve({("POST", path): grant, ("GET", path): grant})
    async with ftclient.FineTuningClient(api_key=KEY, base_url=url) as client:
        granted = await client.permissions.create(CKPT, project_ids=["p1"])
        assert [p.project_id for p in granted.data] == ["p1"]
        assert granted.has_next_page()
        with pytest.raises(ftclient.NoNextPageError) as caught:
            await granted.get_next_page()
    assert str(caught.value).startswith(
        "ListFineTuningCheckpointPermissionResponse was not fetched by a client's list call"
    )
    assert seen == ["POST"]  # nothing was sent for it


FILES = [
    {
        "id": f"file-{n}",
        "object": "file",
        "bytes": n,
        "filename": f"f{n}.jsonl",
        "purpose": "fine-tune",
        "created_at": n,
    }
    for n in range(3)
]


async def test_files_list_pages_by_get_next_page(serve: Serve) -> None:
    seen: list[web.Request] = []

    async def list_files(request: web.Request) -> web.Response:
        seen.append(request)
        after, limit = request.query.get("after"), int(request.query["limit"])
        ids = [f["id"] for f in FILES]
        rest = FILES[ids.index(after) + 1 :] if after else FILES
        data = rest[:limit]
        return web.json_response(
            {
                "object": "list",
                "data": data,
                "first_id": data[0]["id"],
                "last_id": data[-1]["id"],
                "has_more": len(rest) > limit,
            }
        )

    url = await serve({("GET", "/v1/files"): list_files})
    async with ftclient.FineTuningClient(api_key=KEY, base_url=url) as client:
        page = await client.files.list(
            purpose="fine-tune", order="asc", limit=1, extra_query=QUERY, extra_headers=HEADERS
        )
        got = [page.data[0].id]
        while page.has_next_page():
            page = await page.get_next_page()
            got.append(page.data[0].id)
    assert got == ["file-0", "file-1", "file-2"]
    base = {"purpose": "fine-tune", "order": "asc", "limit": "1", "trace": "t-1"}
    assert [dict(r.query) for r in seen] == [
        base,
        base | {"after": "file-0"},
        base | {"after": "file-1"},
    ]
    assert [r.headers.get("X-Trace") for r in seen] == ["h-1"] * 3
