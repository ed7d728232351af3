"""List pages that say ``has_more`` and give no cursor to follow: an error, never a short list.

The fake service rewrites its first page of each list: ``has_more: true`` with no items, or a
last item whose id is empty, blank or a lone surrogate, and no usable ``last_id`` where the list
type has one. Following nothing would end the list there without a word; every paginator
(``jobs.list``, ``jobs.list_events``, ``checkpoints.list``, ``permissions.list``) and every
internal walk (a grant's or revoke's check, ``follow_events``, ``wait_many``) must say so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ftclient

from .fake_api import FakeAPI

Make = Callable[..., ftclient.FineTuningClient]
Page = dict[str, Any]

CKPT = "ft:m:ckpt"


def no_items(route: str, page: Page) -> Page:
    return {**page, "data": [], "has_more": True, **_ids(page, None)}


def last_id_is(value: str) -> Callable[[str, Page], Page]:
    def rewrite(route: str, page: Page) -> Page:
        data = [*page["data"][:-1], {**page["data"][-1], "id": value}]
        return {**page, "data": data, "has_more": True, **_ids(page, value)}

    return rewrite


def no_last_id_key(route: str, page: Page) -> Page:
    """``first_id``/``last_id`` left out, and an empty id on the last item."""
    rewritten = last_id_is("")(route, page)
    return {k: v for k, v in rewritten.items() if k not in ("first_id", "last_id")}


def _ids(page: Page, last: str | None) -> Page:
    # last_id only where the list type has one (checkpoints, permissions)
    return {"last_id": last} if "last_id" in page else {}


PAGES = {
    "no items": no_items,
    "empty id": last_id_is(""),
    "blank id": last_id_is("  "),
    "lone surrogate": last_id_is("\ud800"),
    "no last_id key": no_last_id_key,
}


def seed(api: FakeAPI) -> None:
    job = api.add_job(status="succeeded", _at=0.0)
    for n in range(3):
        api.add_event(job["id"], f"ev-{n}")
    for n in range(3):
        api.permissions.append(
            {
                "id": f"cp_{n}",
                "object": "checkpoint.permission",
                "created_at": 1,
                "project_id": f"proj_{n}",
                "_at": 0.0,
            }
        )


LISTS: dict[str, tuple[str, Callable[[ftclient.FineTuningClient], Any]]] = {
    "jobs.list": ("list", lambda c: c.jobs.list()),
    "jobs.list_events": ("events", lambda c: c.jobs.list_events("ftjob-1")),
    "checkpoints.list": ("checkpoints", lambda c: c.checkpoints.list("ftjob-1")),
    "permissions.list": ("permissions", lambda c: c.permissions.list(CKPT)),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("operation", list(LISTS))
async def test_every_paginator_raises_where_the_cursor_is_missing(
    api: FakeAPI, make_client: Make, operation: str, page: str
) -> None:
    route, paginator = LISTS[operation]
    seed(api)
    served: list[Page] = []

    def rewrite(name: str, doc: Page) -> Page:
        if name == route:
            served.append(PAGES[page](name, doc))
            return served[-1]
        return doc

    api.page_hook = rewrite
    got: list[Any] = []
    with pytest.raises(ftclient.PaginationError) as caught:  # noqa: PT012 (items before the error count)
        async for item in paginator(make_client()):
            got.append(item)
    error = caught.value
    assert str(error).startswith(
        f"{operation}: page 1 (the first page) says has_more but gives no cursor to follow ("
    )
    assert str(error).endswith("); stopping instead of ending the list early")
    assert (error.operation, error.page, error.after) == (operation, 1, None)
    [sent] = served
    assert [item.id for item in got] == [item["id"] for item in sent["data"]]  # yielded first
    assert len(got) == (0 if page == "no items" else 1 if route == "list" else 3)
    assert len(api.sent(route)) == 1  # nothing was sent after the page without a cursor


async def test_a_lost_grant_is_not_sent_again_when_its_check_cannot_walk_the_list(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["grant"] = ["500_after"]
    api.page_hook = lambda name, doc: no_items(name, doc) if name == "permissions" else doc
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=1.0))
    with pytest.raises(ftclient.InternalServerError) as caught:
        await client.permissions.create(CKPT, project_ids=["proj_a"])
    assert len(api.sent("grant")) == 1  # a truncated list would have said "not granted yet"
    assert [p["project_id"] for p in api.permissions] == ["proj_a"]
    [note] = caught.value.__notes__
    assert note.startswith(
        "not sent again: ftclient could not list the permissions (permissions.create (list the "
        "permissions): page 1 (the first page) says has_more but gives no cursor to follow"
    )


async def test_a_revoke_whose_check_cannot_walk_the_list_is_sent_again_not_assumed_done(
    api: FakeAPI, make_client: Make
) -> None:
    seed(api)
    api.faults["revoke"] = ["500_before"]  # it did not act: the permission is still there
    api.page_hook = lambda name, doc: no_items(name, doc) if name == "permissions" else doc
    result = await make_client().permissions.delete(CKPT, "cp_1")
    assert (result.id, result.deleted) == ("cp_1", True)
    assert len(api.sent("revoke")) == 2  # an empty page with has_more is no proof it is gone
    assert [p["id"] for p in api.permissions if p.get("_gone_at")] == ["cp_1"]
    info = ftclient.response_info(result)
    assert info is not None
    assert info.recovery == ()  # the resend's own answer, not a check's guess


async def test_follow_events_raises_instead_of_missing_events(
    api: FakeAPI, make_client: Make
) -> None:
    seed(api)
    api.page_cap = 2
    api.page_hook = lambda name, doc: last_id_is("")(name, doc) if name == "events" else doc
    seen: list[str] = []
    with pytest.raises(ftclient.PaginationError) as caught:  # noqa: PT012 (items before the error count)
        async for event in make_client().jobs.follow_events("ftjob-1", page_size=2, settle=0):
            seen.append(event.id)
    assert seen == []  # nothing half-read is yielded as if it were the whole history
    assert caught.value.operation == "jobs.list_events"
    assert [s.query.get("after") for s in api.sent("events")] == [None]


async def test_wait_many_retrieves_the_jobs_a_list_without_cursors_cannot_show(
    api: FakeAPI, make_client: Make
) -> None:
    ids = [api.add_job(status="succeeded", _at=0.0)["id"] for _ in range(8)]
    api.page_hook = lambda name, doc: no_items(name, doc) if name == "list" else doc
    client = make_client()
    async with client.jobs.wait_many(ids, timeout=60.0) as waiter:
        results = [result async for result in waiter]
    assert sorted((r.job_id, r.ok, r.job.status) for r in results) == sorted(
        (job_id, True, "succeeded") for job_id in ids
    )
    assert len(api.sent("list")) == 1  # the list was tried, found unusable, and not again
    assert sorted(s.params["job_id"] for s in api.sent("retrieve")) == sorted(ids)
