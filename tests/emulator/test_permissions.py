"""Checkpoint permissions: create (idempotent), list with filters and order, delete."""

from __future__ import annotations

from typing import Any

import pytest

from ftclient.testing import FineTuningEmulator
from tests.emulator.conftest import Api, seg


@pytest.fixture
async def checkpoint(api: Api, emu: FineTuningEmulator) -> str:
    job = await api.create_job(suffix="perm")
    emu.clock.advance(10_000)
    page = await api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")
    model: str = page.body["data"][-1]["fine_tuned_model_checkpoint"]
    return model


def path(model: str) -> str:
    return f"/fine_tuning/checkpoints/{seg(model)}/permissions"


async def grant(api: Api, model: str, *projects: str) -> list[dict[str, Any]]:
    reply = await api.post(path(model), {"project_ids": list(projects)})
    assert reply.status == 200, reply
    data: list[dict[str, Any]] = reply.body["data"]
    return data


async def test_create_list_delete(api: Api, emu: FineTuningEmulator, checkpoint: str) -> None:
    created = await grant(api, checkpoint, "proj_a", "proj_b")
    assert [p["project_id"] for p in created] == ["proj_a", "proj_b"]
    assert all(p["id"].startswith("cp_") for p in created)
    listed = await api.get(path(checkpoint))
    assert [p["id"] for p in listed.body["data"]] == [created[1]["id"], created[0]["id"]]
    assert listed.body["first_id"] == created[1]["id"]
    assert listed.body["last_id"] == created[0]["id"]
    ascending = await api.get(path(checkpoint), order="ascending")
    assert [p["id"] for p in ascending.body["data"]] == [created[0]["id"], created[1]["id"]]
    only_b = await api.get(path(checkpoint), project_id="proj_b")
    assert [p["project_id"] for p in only_b.body["data"]] == ["proj_b"]

    deleted = await api.request("DELETE", f"{path(checkpoint)}/{created[0]['id']}")
    assert deleted.body == {
        "object": "checkpoint.permission",
        "id": created[0]["id"],
        "deleted": True,
    }
    assert emu.state.permission_count(checkpoint) == 1
    again = await api.request("DELETE", f"{path(checkpoint)}/{created[0]['id']}")
    assert again.status == 404
    assert again.error["param"] == "permission_id"
    # a deleted permission still works as a cursor
    page = await api.get(path(checkpoint), order="ascending", after=created[0]["id"])
    assert [p["id"] for p in page.body["data"]] == [created[1]["id"]]


async def test_create_is_idempotent_per_project(
    api: Api, emu: FineTuningEmulator, checkpoint: str
) -> None:
    first = await grant(api, checkpoint, "proj_a")
    second = await grant(api, checkpoint, "proj_a", "proj_c", "proj_c")
    assert second[0] == first[0]
    assert [p["project_id"] for p in second] == ["proj_a", "proj_c"]
    assert emu.state.permission_count() == 2


async def test_pagination(api: Api, checkpoint: str) -> None:
    created = await grant(api, checkpoint, *(f"proj_{i:02d}" for i in range(25)))
    first = await api.get(path(checkpoint))
    assert len(first.body["data"]) == 10, "default limit is 10"
    walked = await api.all_pages(path(checkpoint), limit=6)
    assert [p["id"] for p in walked] == [p["id"] for p in reversed(created)]
    walked_up = await api.all_pages(path(checkpoint), limit=6, order="ascending")
    assert [p["id"] for p in walked_up] == [p["id"] for p in created]


async def test_final_model_accepted(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(10_000)
    model = (await api.job(job["id"]))["fine_tuned_model"]
    assert len(await grant(api, model, "proj_x")) == 1


async def test_unknown_or_future_checkpoint_is_404(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(20)  # running, no checkpoint yet
    model = emu.jobs[job["id"]].fine_tuned_model
    for candidate in (model, f"{model}:ckpt-step-1", "ft:gpt-4o-mini:org:x:abc:ckpt-step-5"):
        reply = await api.post(path(candidate), {"project_ids": ["proj_a"]})
        assert reply.status == 404
        assert reply.error["param"] == "fine_tuned_model_checkpoint"
        assert (await api.get(path(candidate))).status == 404
        assert (await api.request("DELETE", f"{path(candidate)}/cp_x")).status == 404


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({}, "project_ids"),
        ({"project_ids": []}, "project_ids"),
        ({"project_ids": "proj_a"}, "project_ids"),
        ({"project_ids": ["proj_a", 3]}, "project_ids[1]"),
        ({"project_ids": [" "]}, "project_ids[0]"),
        ({"project_ids": ["p"], "extra": 1}, "extra"),
    ],
)
async def test_bad_create(api: Api, checkpoint: str, body: dict, param: str) -> None:
    reply = await api.post(path(checkpoint), body)
    assert reply.status == 400
    assert reply.error["param"] == param


async def test_bad_order(api: Api, checkpoint: str) -> None:
    reply = await api.get(path(checkpoint), order="sideways")
    assert reply.status == 400
    assert reply.error["param"] == "order"
