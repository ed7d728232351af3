"""follow_events against a server of the test's own that stores events late and out of order."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import ftclient

FAST = ftclient.PollSchedule(initial=0.001, maximum=0.002, jitter=0.0)


def event(event_id: str, created_at: int) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job.event",
        "id": event_id,
        "created_at": created_at,
        "level": "info",
        "message": event_id,
        "data": {},
        "type": "message",
    }


class LateEvents:
    """A job whose events are stored out of order, and listed a moment after it ends.

    Poll 1 (the first retrieve) sees e1 and e2. Before poll 2 answers, e3 is stored and so is
    ``late``, whose created_at is older than e2's. Poll 3 answers ``succeeded`` and stores e4;
    ``after-end`` is listed only from the second read (a list from the top) after that.
    """

    def __init__(self) -> None:
        self.stored = [event("e1", 100), event("e2", 110)]
        self.retrieves = 0
        self.lists_after_end = 0
        self.status = "running"
        self.hint: str | None = None  # retry-after-ms on the job's answers

    def listed(self, from_the_top: bool) -> list[dict[str, Any]]:
        visible = list(self.stored)
        if self.status == "succeeded":
            self.lists_after_end += from_the_top
            if self.lists_after_end >= 2:
                visible.append(event("after-end", 131))
        # newest first by created_at, as the service sorts; storage order breaks ties
        return sorted(visible, key=lambda e: e["created_at"], reverse=True)

    async def retrieve(self, request: web.Request) -> web.Response:
        self.retrieves += 1
        if self.retrieves == 2:
            self.stored += [event("e3", 120), event("late", 105)]
        if self.retrieves == 3:
            self.status = "succeeded"
            self.stored.append(event("e4", 130))
        return web.json_response(
            {
                "object": "fine_tuning.job",
                "id": "ftjob-late",
                "model": "gpt-4o-mini",
                "created_at": 90,
                "error": None,
                "fine_tuned_model": None,
                "finished_at": None,
                "hyperparameters": None,
                "organization_id": "org-x",
                "result_files": [],
                "status": self.status,
                "trained_tokens": None,
                "training_file": "file-t",
                "validation_file": None,
                "seed": 1,
            },
            headers={"retry-after-ms": self.hint} if self.hint else None,
        )

    async def events(self, request: web.Request) -> web.Response:
        after = request.query.get("after")
        listed = self.listed(from_the_top=after is None)
        ids = [e["id"] for e in listed]
        start = ids.index(after) + 1 if after in ids else 0
        limit = int(request.query["limit"])
        page = listed[start : start + limit]
        return web.json_response(
            {"object": "list", "data": page, "has_more": start + limit < len(listed)}
        )


@pytest.fixture
async def late() -> AsyncIterator[tuple[LateEvents, str]]:
    state = LateEvents()
    app = web.Application()
    app.router.add_get("/v1/fine_tuning/jobs/{job_id}", state.retrieve)
    app.router.add_get("/v1/fine_tuning/jobs/{job_id}/events", state.events)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield state, f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    await runner.cleanup()


async def test_every_event_is_yielded_once_however_late_it_is_listed(
    late: tuple[LateEvents, str],
) -> None:
    state, url = late
    loop = asyncio.get_running_loop()
    async with ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client:
        statuses: list[str] = []
        stream = client.jobs.follow_events(
            "ftjob-late",
            poll_interval=FAST,
            page_size=2,
            settle=0.01,
            on_job=lambda job: statuses.append(f"{job.id}:{job.status}"),
        )
        followed, e4_at = [], 0.0
        async for e in stream:
            followed.append(e.id)
            e4_at = loop.time() if e.id == "e4" else e4_at
    assert loop.time() - e4_at >= 0.01  # the final read waited the settle time
    # incremental reads find e1 e2, then e3 (late sits below e2), then e4; the complete read
    # after the settle time finds the late one and the one listed after the end
    assert followed == ["e1", "e2", "e3", "e4", "late", "after-end"]
    assert state.retrieves == 3
    assert statuses == ["ftjob-late:running", "ftjob-late:running", "ftjob-late:succeeded"]


async def follow(url: str, **kwargs: object) -> list[str]:
    """The ids ``follow_events`` yields for the late-events job, polling fast, no settle time."""
    async with ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client:
        stream = client.jobs.follow_events(
            "ftjob-late",
            poll_interval=FAST,
            page_size=2,
            settle=0,
            **kwargs,  # type: ignore[arg-type]
        )
        return [e.id async for e in stream]


async def test_since_an_id_the_job_does_not_list_yields_everything(
    late: tuple[LateEvents, str],
) -> None:
    followed = await follow(late[1], since="ftevent-elsewhere")
    assert followed == ["e1", "e2", "e3", "e4", "late", "after-end"]


async def test_since_an_event_yields_only_what_came_after_it(
    late: tuple[LateEvents, str],
) -> None:
    assert await follow(late[1], since="e1") == ["e2", "e3", "e4", "late", "after-end"]
    # the job has ended: everything listed existed already
    assert await follow(late[1], include_existing=False) == []


async def test_without_existing_events_a_running_job_waits_for_new_ones(
    late: tuple[LateEvents, str],
) -> None:
    # the first poll finds nothing new
    assert await follow(late[1], include_existing=False) == ["e3", "e4", "late", "after-end"]


async def test_polls_obey_the_server_hint(late: tuple[LateEvents, str]) -> None:
    state, url = late
    hinted = ftclient.PollSchedule(initial=0.001, maximum=1.0, factor=1.0, jitter=0.0)
    loop = asyncio.get_running_loop()
    times: list[float] = []
    state.hint = "40"
    async with ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client:
        stream = client.jobs.follow_events(
            "ftjob-late",
            poll_interval=hinted,
            page_size=2,
            settle=0,
            on_job=lambda job: times.append(loop.time()),
        )
        _ = [e async for e in stream]
    assert len(times) == 3
    assert all(b - a >= 0.035 for a, b in itertools.pairwise(times))


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"settle": -1}, "settle"),
        ({"job_id": ""}, "job_id"),
        ({"since": ""}, "since"),
        ({"settle": float("inf")}, "settle"),
        ({"settle": "5"}, "settle"),
        ({"page_size": 0}, "page_size"),
        ({"include_existing": "no"}, "include_existing"),
        ({"on_job": 3}, "on_job"),
        ({"poll_interval": -2}, "poll_interval"),
    ],
)
def test_follow_events_refuses_bad_arguments_at_the_call(
    kwargs: dict[str, object], param: str
) -> None:
    client = ftclient.FineTuningClient(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
    arguments: dict[str, object] = {"job_id": "ftjob-a", **kwargs}
    with pytest.raises(ftclient.InvalidParameterError) as info:
        client.jobs.follow_events(**arguments)  # type: ignore[arg-type]
    assert info.value.param == param
    assert "XX" not in str(info.value)
    if param == "include_existing":
        assert str(info.value) == "include_existing: must be a bool, got str"
