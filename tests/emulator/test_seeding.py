"""Seed data: jobs added in a given state, with the history they would have had, and permissions."""

from __future__ import annotations

from typing import Any

import pytest

from ftclient.testing import FineTuningEmulator
from tests.emulator.conftest import Api, seg


async def events_of(api: Api, job_id: str) -> list[dict[str, Any]]:
    return await api.all_pages(f"/fine_tuning/jobs/{seg(job_id)}/events", limit=100)


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("validating_files", None),
        ("queued", None),
        ("running", None),
        ("running", 7),
        ("paused", 12),
        ("succeeded", None),
        ("failed", None),
        ("failed", 3),
        ("cancelled", None),
        ("cancelled", 4),
    ],
)
async def test_a_seeded_job_is_in_its_state_with_its_history(
    emu: FineTuningEmulator, api: Api, status: str, step: int | None
) -> None:
    now = emu.clock.now()
    seeded = emu.add_job(status, step=step, suffix="seed", metadata={"env": "test"})
    job = await api.job(seeded["id"])
    assert job == seeded
    assert job["status"] == status
    assert job["metadata"] == {"env": "test"}
    events = await events_of(api, job["id"])
    assert all(event["created_at"] <= now for event in events)
    assert job["created_at"] <= min(event["created_at"] for event in events)
    steps = [event for event in events if event["type"] == "metrics"]
    total = emu.jobs[job["id"]].total_steps
    assert len(steps) == {"succeeded": total}.get(status, step or 0)
    if status == "succeeded":
        assert job["fine_tuned_model"].startswith("ft:gpt-4o-mini:emulator:seed:")
        assert job["finished_at"] is not None
        assert job["trained_tokens"] > 0
        checkpoints = await api.all_pages(f"/fine_tuning/jobs/{seg(job['id'])}/checkpoints", 100)
        assert len(checkpoints) == emu.jobs[job["id"]].n_epochs
    if status == "failed":
        assert job["error"] == {
            "code": "server_error",
            "message": "The job failed due to an internal error.",
            "param": None,
        }


async def test_seeded_jobs_go_on_as_the_clock_moves(emu: FineTuningEmulator, api: Api) -> None:
    running = emu.add_job("running", step=2)
    paused = emu.add_job("paused", step=2)
    emu.clock.advance(10_000)
    assert (await api.job(running["id"]))["status"] == "succeeded"
    assert (await api.job(paused["id"]))["status"] == "paused"


async def test_a_failed_seed_takes_the_given_error(emu: FineTuningEmulator) -> None:
    job = emu.add_job("failed", error={"code": "quota", "message": "Out of budget"})
    assert job["error"] == {"code": "quota", "message": "Out of budget", "param": None}
    job = emu.add_job("failed", error={"code": "bad", "message": "No", "param": "suffix"})
    assert job["error"] == {"code": "bad", "message": "No", "param": "suffix"}


@pytest.mark.parametrize("status", ["failed", "cancelled"])
async def test_without_a_step_a_job_stops_while_validating(
    emu: FineTuningEmulator, api: Api, status: str
) -> None:
    job = emu.add_job(status)
    messages = [event["message"] for event in await events_of(api, job["id"])]
    assert "Fine-tuning job started" not in messages
    assert "Files validated, moving job to queued state" not in messages


async def test_step_bounds(emu: FineTuningEmulator, api: Api) -> None:
    first = emu.add_job("running", step=0, seed=42)
    total = emu.jobs[first["id"]].total_steps
    messages = [event["message"] for event in await events_of(api, first["id"])]
    assert "Fine-tuning job started" in messages
    last = emu.add_job("running", step=total - 1, seed=42)
    assert emu.jobs[last["id"]].step == total - 1
    # The same training file and seed give the same number of steps.
    with pytest.raises(ValueError, match=rf"^step must be from 0 to {total - 1} for this job, "):
        emu.add_job("running", step=total, seed=42)
    assert len(emu.jobs) == 2


@pytest.mark.parametrize(
    ("args", "fields", "message"),
    [
        (("exploded",), {}, "^status must be one of validating_files, queued, running"),
        (("running",), {"error": {"code": "x"}}, "^error= only applies to status='failed'$"),
        (("queued",), {"step": 1}, "^step= does not apply to status='queued'$"),
        (
            ("failed",),
            {"error": {"reason": "x", "param": "y"}},
            r"^error= takes code, message and param; got \['reason'\]$",
        ),
        (("running",), {"step": 100_000}, r"step must be from 0 to \d+ for this job"),
        (("running",), {"step": -1}, r"step must be from 0 to \d+ for this job"),
        (("running",), {"model": ""}, "^model: "),
        (("running",), {"suffix": "x" * 65}, "^suffix: "),
    ],
)
async def test_a_bad_seed_is_refused_and_leaves_nothing(
    emu: FineTuningEmulator, args: tuple[str], fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        emu.add_job(*args, **fields)
    assert emu.jobs == {}


async def test_seeded_permissions(emu: FineTuningEmulator, api: Api) -> None:
    job = emu.add_job("succeeded")
    checkpoint = emu.jobs[job["id"]].checkpoints[0]["fine_tuned_model_checkpoint"]
    granted = emu.add_permissions(checkpoint, ["proj_a", "proj_b", "proj_a"])
    assert [p["project_id"] for p in granted] == ["proj_a", "proj_b"]
    listed = await api.get(f"/fine_tuning/checkpoints/{seg(checkpoint)}/permissions")
    assert {p["id"] for p in listed.body["data"]} == {p["id"] for p in granted}
    with pytest.raises(ValueError, match="fine-tuned model checkpoint"):
        emu.add_permissions("ft:nothing:here", ["proj_a"])
    with pytest.raises(ValueError, match="project_ids"):
        emu.add_permissions(checkpoint, [])
