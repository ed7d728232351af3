"""Cursor pagination, list defaults, query validation and the metadata filter."""

from __future__ import annotations

import pytest

from ftclient.testing import FineTuningEmulator
from tests.emulator.conftest import Api


async def test_jobs_pages_newest_first(api: Api) -> None:
    created = [(await api.create_job())["id"] for _ in range(23)]
    first = await api.get("/fine_tuning/jobs")
    assert len(first.body["data"]) == 20, "default limit is 20"
    assert first.body["has_more"] is True
    assert "first_id" not in first.body
    walked = await api.all_pages("/fine_tuning/jobs", limit=4)
    assert [job["id"] for job in walked] == created[::-1]
    last = await api.get("/fine_tuning/jobs", limit=3, after=created[3])
    assert [job["id"] for job in last.body["data"]] == created[2::-1]
    assert last.body["has_more"] is False


async def test_events_and_checkpoints_pages(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(10_000)
    events = await api.all_pages(f"/fine_tuning/jobs/{job['id']}/events", limit=7)
    assert len(events) == len(emu.jobs[job["id"]].events)
    assert len({event["id"] for event in events}) == len(events)
    first = await api.get(f"/fine_tuning/jobs/{job['id']}/events")
    assert len(first.body["data"]) == 20
    assert first.body["data"] == events[:20]
    checkpoints = await api.all_pages(f"/fine_tuning/jobs/{job['id']}/checkpoints", limit=1)
    assert [c["step_number"] for c in checkpoints] == sorted(
        (c["step_number"] for c in checkpoints), reverse=True
    )


async def test_checkpoint_list_default_limit_is_10(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job(hyperparameters={"n_epochs": 12})
    emu.clock.advance(100_000)
    page = await api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")
    assert len(page.body["data"]) == 10
    assert page.body["has_more"] is True


async def test_empty_lists(api: Api) -> None:
    assert (await api.get("/fine_tuning/jobs")).body == {
        "object": "list",
        "data": [],
        "has_more": False,
    }
    job = await api.create_job()
    checkpoints = await api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")
    assert checkpoints.body == {
        "object": "list",
        "data": [],
        "has_more": False,
        "first_id": None,
        "last_id": None,
    }


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"metadata": "yes"}, "metadata"),
    ],
)
async def test_bad_query(api: Api, params: dict, param: str) -> None:
    reply = await api.get("/fine_tuning/jobs", **params)
    assert reply.status == 400
    assert reply.error["param"] == param


async def test_any_integer_limit_is_accepted(api: Api) -> None:
    # The document states only "integer"; openai-python's own tests send limit=0.
    for _ in range(3):
        await api.create_job()
    sizes = {}
    for limit in (-1, 0, 1, 2, 100, 101, 10**6):
        reply = await api.get("/fine_tuning/jobs", limit=limit)
        assert reply.status == 200, reply
        sizes[limit] = (len(reply.body["data"]), reply.body["has_more"])
    assert sizes == {
        -1: (0, True),
        0: (0, True),
        1: (1, True),
        2: (2, True),
        100: (3, False),
        101: (3, False),
        10**6: (3, False),
    }


async def test_unknown_after_is_404(api: Api) -> None:
    job = await api.create_job()
    for path in ("/fine_tuning/jobs", f"/fine_tuning/jobs/{job['id']}/events"):
        reply = await api.get(path, after="nope")
        assert reply.status == 404
        assert reply.error["param"] == "after"


async def test_metadata_filter(api: Api) -> None:
    a = await api.create_job(metadata={"team": "ml", "env": "prod"})
    b = await api.create_job(metadata={"team": "ml", "env": "dev"})
    c = await api.create_job()
    d = await api.create_job(metadata={})

    async def ids(query: list[tuple[str, str]]) -> list[str]:
        reply = await api.request("GET", "/fine_tuning/jobs", params=query)
        assert reply.status == 200
        return [job["id"] for job in reply.body["data"]]

    assert await ids([("metadata[team]", "ml")]) == [b["id"], a["id"]]
    assert await ids([("metadata[team]", "ml"), ("metadata[env]", "prod")]) == [a["id"]]
    assert await ids([("metadata[team]", "other")]) == []
    assert await ids([("metadata", "null")]) == [d["id"], c["id"]]
    both = await api.request(
        "GET", "/fine_tuning/jobs", params=[("metadata", "null"), ("metadata[a]", "b")]
    )
    assert both.status == 400
    # the filter composes with pagination
    page = await api.request(
        "GET", "/fine_tuning/jobs", params=[("metadata[team]", "ml"), ("limit", "1")]
    )
    assert page.body["has_more"] is True
    rest = await api.request(
        "GET",
        "/fine_tuning/jobs",
        params=[("metadata[team]", "ml"), ("limit", "1"), ("after", page.body["data"][0]["id"])],
    )
    assert [job["id"] for job in rest.body["data"]] == [a["id"]]
    assert rest.body["has_more"] is False


async def test_query_recorded_raw_pairs_in_order(api: Api, emu: FineTuningEmulator) -> None:
    await api.request(
        "GET", "/fine_tuning/jobs", params=[("metadata[k]", "v w"), ("limit", "2"), ("limit", "3")]
    )
    assert emu.requests[-1].query == [("metadata[k]", "v w"), ("limit", "2"), ("limit", "3")]
