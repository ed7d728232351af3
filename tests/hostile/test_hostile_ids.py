"""Ids the server chose, fed back into paths and cursors by every internal check.

The fake service names its jobs, events and permissions with hostile ids (``..``, ``a/b``,
``x?y``, ``a#b``, ``a&after=z``...) and, like a normalising proxy, folds ``.`` and ``..``
segments of the raw path before routing. Every request ftclient sends on its own (a create's
duplicate cancel, a transition's retrieve, a grant's or revoke's permission list, the polls of
``wait``, ``follow_events`` and ``wait_many``) must reach the route it means, naming the id as
one segment or one query value. An id that cannot be sent at all (empty, blank, a lone
surrogate) is refused with a clear note, never a traceback from inside the transport.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ftclient

from .fake_api import FakeAPI, Seen

Make = Callable[..., ftclient.FineTuningClient]

HOSTILE = [
    "../jobs/ftjob-1",  # folded by a proxy: the kept job's own path
    "./../jobs/ftjob-1",
    "ftjob-9/../ftjob-1",
    "..",
    ".",
    "a/b",
    "x/cancel",
    "?",
    "a?limit=1",
    "#",
    "a#frag",
    "a&after=z",
    "a=b",
    "a+b",
    "a b",
    "%2F",
    "a%2e%2e",
    ";x=1",
    "a\\b",
    "ünï-🙂",
]
UNUSABLE = ["", " ", "\ud800"]  # no path segment or cursor can carry them


def one_segment(seen: Seen, route: str, param: str, value: str) -> None:
    """``seen`` reached ``route`` with ``value`` as its ``param``, encoded as one segment."""
    assert seen.route == route, seen.raw_path
    assert seen.params[param] == value, seen.raw_path
    assert not any(ch in seen.raw_path for ch in "?# \\"), seen.raw_path
    assert "/../" not in seen.raw_path, seen.raw_path
    assert "/./" not in seen.raw_path, seen.raw_path


def ids_of(seen: list[Seen]) -> set[str]:
    return {s.params["job_id"] for s in seen}


@pytest.fixture
def hostile_api(api: FakeAPI) -> FakeAPI:
    api.fold_dots = True  # a proxy in front of the service folds dot segments
    return api


@pytest.mark.parametrize("duplicate_id", HOSTILE, ids=ascii)
async def test_a_duplicate_with_a_hostile_id_is_the_job_cancelled(
    hostile_api: FakeAPI, make_client: Make, duplicate_id: str
) -> None:
    api = hostile_api
    api.job_id = lambda n: "ftjob-1" if n == 1 else duplicate_id
    api.lag = 2.0
    api.faults["create"] = ["lose"]
    client = make_client(max_retries=0)
    with pytest.raises(ftclient.APIConnectionError):
        await client.jobs.create(model="gpt-4o-mini", training_file="f", idempotency_key="k-1")
    again = await client.jobs.create(model="gpt-4o-mini", training_file="f", idempotency_key="k-1")
    kept, duplicate = api.jobs
    assert (kept["id"], duplicate["id"]) == ("ftjob-1", duplicate_id)
    assert again.id == "ftjob-1"
    assert kept["status"] == "validating_files"  # the job ftclient chose to keep
    assert duplicate["status"] == "cancelled"
    [cancel] = api.sent("cancel")
    one_segment(cancel, "cancel", "job_id", duplicate_id)
    assert api.unrouted == []
    info = ftclient.response_info(again)
    assert info is not None
    assert f"cancelled the duplicate job {duplicate_id} made by a resend" in info.recovery


@pytest.mark.parametrize("duplicate_id", UNUSABLE, ids=ascii)
async def test_a_duplicate_whose_id_cannot_be_sent_is_reported_not_crashed_on(
    api: FakeAPI, make_client: Make, duplicate_id: str
) -> None:
    api.job_id = lambda n: "ftjob-1" if n == 1 else duplicate_id
    api.lag = 2.0
    api.faults["create"] = ["lose"]
    client = make_client(max_retries=0)
    with pytest.raises(ftclient.APIConnectionError):
        await client.jobs.create(model="gpt-4o-mini", training_file="f", idempotency_key="k-1")
    again = await client.jobs.create(model="gpt-4o-mini", training_file="f", idempotency_key="k-1")
    assert again.id == "ftjob-1"
    assert api.sent("cancel") == []  # nothing was sent that could name another job
    assert api.unrouted == []
    info = ftclient.response_info(again)
    assert info is not None
    why = "cannot be encoded as UTF-8" if duplicate_id == "\ud800" else "must be a non-empty string"
    assert any(
        note.startswith(
            f"could not cancel the duplicate job {duplicate_id!r}: the server gave it an id "
            "that cannot be sent in a path"
        )
        and why in note
        for note in info.recovery
    ), info.recovery


@pytest.mark.parametrize("job_id", HOSTILE, ids=ascii)
async def test_a_lost_cancel_of_a_job_with_a_hostile_id_is_checked_on_that_job(
    hostile_api: FakeAPI, make_client: Make, job_id: str
) -> None:
    api = hostile_api
    api.job_id = lambda n: "ftjob-1" if n == 1 else job_id
    other = api.add_job(status="running", _at=0.0)  # what a folded path could reach instead
    job = api.add_job(status="running", _at=0.0)
    api.lag = 2.0
    api.faults["cancel"] = ["lose"]
    cancelled = await make_client().jobs.cancel(job_id)
    assert (cancelled.id, cancelled.status) == (job_id, "cancelled")
    assert job["status"] == "cancelled"
    assert other["status"] == "running"
    # The lagging read showed it running, so the cancel was sent again, refused, and checked.
    assert [s.route for s in api.seen if s.route != "retrieve"] == ["cancel", "cancel"]
    assert api.sent("retrieve")
    info = ftclient.response_info(cancelled)
    assert info is not None
    assert info.recovery == ("the answer was lost; the job is cancelled",)
    for seen in api.seen:
        one_segment(seen, seen.route, "job_id", job_id)
    assert api.unrouted == []


def seed_permissions(api: FakeAPI, ids: list[str]) -> None:
    for index, permission_id in enumerate(ids):
        api.permissions.append(
            {
                "id": permission_id,
                "object": "checkpoint.permission",
                "created_at": 1,
                "project_id": f"proj_{index}",
                "_at": 0.0,
            }
        )


async def test_a_partial_grant_lists_every_page_behind_hostile_cursors(
    hostile_api: FakeAPI, make_client: Make
) -> None:
    api = hostile_api
    api.page_cap = 1  # every permission id becomes the next page's cursor
    seed_permissions(api, HOSTILE)
    api.faults["grant"] = ["partial"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=1.0))
    page = await client.permissions.create("ft:m:ckpt", project_ids=["proj_a", "proj_b"])
    assert [p.project_id for p in page.data] == ["proj_a", "proj_b"]
    assert [s.body for s in api.sent("grant")] == [
        {"project_ids": ["proj_a", "proj_b"]},
        {"project_ids": ["proj_b"]},  # proj_a was found, on the last page, behind 20 cursors
    ]
    lists = api.sent("permissions")
    walk = [None, *HOSTILE]  # each probe of the window walks the whole list
    probes, rest = divmod(len(lists), len(walk))
    assert probes >= 1
    assert rest == 0
    assert [s.query.get("after") for s in lists] == walk * probes
    assert all(s.params["ckpt"] == "ft:m:ckpt" for s in lists)
    assert api.unrouted == []


@pytest.mark.parametrize("permission_id", HOSTILE, ids=ascii)
async def test_a_lost_revoke_of_a_hostile_id_is_checked_and_sent_to_that_permission(
    hostile_api: FakeAPI, make_client: Make, permission_id: str
) -> None:
    api = hostile_api
    api.page_cap = 1
    others = [f"cp_{n}" for n in range(3)]
    seed_permissions(api, [*others, permission_id])
    api.lag = 2.0
    api.faults["revoke"] = ["lose"]
    result = await make_client().permissions.delete("ft:m:ckpt", permission_id)
    assert (result.id, result.deleted) == (permission_id, True)
    # The lagging list still showed it, so the revoke was sent again: answered 404, it is gone.
    revokes = api.sent("revoke")
    assert len(revokes) == 2
    for revoke in revokes:
        one_segment(revoke, "revoke", "perm", permission_id)
    assert [p["id"] for p in api.permissions if p.get("_gone_at")] == [permission_id]
    assert [s.query.get("after") for s in api.sent("permissions")] == [None, *others]
    info = ftclient.response_info(result)
    assert info is not None
    assert info.recovery == ("the answer was lost; a resend found the permission gone",)
    assert api.unrouted == []


@pytest.mark.parametrize("job_id", HOSTILE, ids=ascii)
async def test_wait_follow_and_wait_many_poll_the_job_the_server_named(
    hostile_api: FakeAPI, make_client: Make, job_id: str
) -> None:
    api = hostile_api
    api.page_cap = 1
    api.job_id = lambda n: job_id
    api.add_job(status="succeeded", _at=0.0)
    event_ids = [f"{value}#{n}" for n, value in enumerate(HOSTILE)]  # distinct, all hostile
    for event_id in event_ids:
        api.add_event(job_id, event_id)
    client = make_client()

    job = await client.jobs.wait(job_id, poll_interval=1.0, timeout=60.0)
    assert job.id == job_id
    events = [e.id async for e in client.jobs.follow_events(job_id, page_size=1, settle=0)]
    assert events == event_ids  # oldest first, each once
    results: list[Any] = []
    async with client.jobs.wait_many([job_id], timeout=60.0) as waiter:
        results = [result async for result in waiter]
    assert [(r.job_id, r.job.status) for r in results] == [(job_id, "succeeded")]

    for seen in api.sent("retrieve") + api.sent("events"):
        one_segment(seen, seen.route, "job_id", job_id)
    afters = [s.query.get("after") for s in api.sent("events")]
    assert set(afters) - {None} == set(event_ids[1:])  # every hostile id, one query value each
    assert api.unrouted == []
