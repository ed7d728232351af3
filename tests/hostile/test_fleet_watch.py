"""``jobs.watch`` and ``jobs.cancel_many`` against a service of the test's own.

The watch is read through list pages of 5 (``page_cap``) so that which pages a round reads is
visible; the cancel runs against a server that ignores the list's metadata filter.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import ftclient

from .fake_api import FakeAPI

Make = Callable[..., ftclient.FineTuningClient]
FAST = ftclient.PollSchedule(initial=0.001, maximum=0.002, jitter=0.0)
FLEET = {"fleet": "x"}


async def take(changes: AsyncIterator[ftclient.JobChange], count: int) -> list[Any]:
    async with asyncio.timeout(10):  # a bound, never reached when the code is right
        return [
            (c.job.id, c.previous, str(c.job.status))
            for c in [await anext(changes) for _ in range(count)]
        ]


async def test_a_round_reads_the_pages_down_to_the_oldest_active_job_only(
    api: FakeAPI, make_client: Make
) -> None:
    api.page_cap = 5
    for index in range(30):
        api.add_job(metadata=dict(FLEET), status="running" if index >= 27 else "succeeded")
        if index % 6 == 0:
            api.add_job(metadata={"fleet": "other"}, status="running")
    changes = make_client().jobs.watch(metadata=FLEET, poll_interval=FAST)
    first = await take(changes, 30)
    assert {previous for _, previous, _ in first} == {None}  # a fresh start: all as listed
    assert len(api.sent("list")) == 6  # every page once
    ours = [j for j in api.jobs if j["metadata"] == FLEET]
    ours[-1]["status"] = "succeeded"
    for _ in range(7):
        api.add_job(metadata=dict(FLEET))  # made by another process, after the watch began
    second = await take(changes, 8)
    assert (ours[-1]["id"], "running", "succeeded") in second
    assert [p for _, p, _ in second].count(None) == 7
    # the 7 new jobs and the 2 still running fill pages 1 and 2: nothing older is read
    assert len(api.sent("list")) == 6 + 2
    ours[-2]["status"] = "failed"
    third = await take(changes, 1)
    assert third == [(ours[-2]["id"], "running", "failed")]
    assert len(api.sent("list")) == 6 + 2 + 2  # pages 1-2 hold the one still running
    assert all(s.query["metadata[fleet]"] == "x" for s in api.sent("list"))
    await changes.aclose()  # type: ignore[attr-defined]


async def test_without_existing_the_first_round_only_learns(
    api: FakeAPI, make_client: Make
) -> None:
    old = api.add_job(metadata=dict(FLEET), status="running")
    served: list[str] = []

    def ends_after_the_first_round(route: str, page: dict[str, Any]) -> dict[str, Any]:
        served.append(route)
        if len(served) == 2:  # round 2: the job has ended meanwhile
            old["status"] = "succeeded"
        return page

    api.page_hook = ends_after_the_first_round
    changes = make_client().jobs.watch(metadata=FLEET, poll_interval=FAST, existing=False)
    assert await take(changes, 1) == [(old["id"], "running", "succeeded")]
    assert len(served) == 2
    await changes.aclose()  # type: ignore[attr-defined]


async def test_cancel_many_says_what_then_cancels_each_once(
    api: FakeAPI, make_client: Make
) -> None:
    api.honour_filter = False  # a server that ignores the filter: the client still checks
    active = [api.add_job(metadata=dict(FLEET)) for _ in range(3)]
    done = api.add_job(metadata=dict(FLEET), status="succeeded")
    other = api.add_job(metadata={"fleet": "y"})
    client = make_client()
    would = await client.jobs.cancel_many(metadata=FLEET)
    assert sorted(j.id for j in would) == sorted(j["id"] for j in active)
    assert api.sent("cancel") == []
    api.faults["cancel"] = ["lose"]  # one answer lost after acting: checked, not resent
    cancelled = await client.jobs.cancel_many(metadata=FLEET, dry_run=False)
    assert sorted(j.id for j in cancelled) == sorted(j["id"] for j in active)
    assert all(j.status == "cancelled" for j in cancelled)
    assert sorted(s.params["job_id"] for s in api.sent("cancel")) == sorted(j["id"] for j in active)
    assert done["status"] == "succeeded"
    assert other["status"] == "validating_files"


@pytest.mark.parametrize(
    ("arguments", "param"),
    [({"metadata": {}}, "metadata"), ({"metadata": FLEET, "dry_run": "no"}, "dry_run")],
)
async def test_cancel_many_refuses_before_sending(
    api: FakeAPI, make_client: Make, arguments: dict[str, Any], param: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await make_client().jobs.cancel_many(**arguments)
    assert info.value.param == param
    assert api.seen == []
