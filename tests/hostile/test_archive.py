"""Export and rerun against a server of the tests' own that lags, drops answers and rate-limits."""

from __future__ import annotations

import json
import math
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

import ftclient
from ftclient import archive

from .fake_api import FakeAPI, SimClock

N_JOBS = 1_000
KEY = "sk-proj-WORLD-0123456789abcdef"


def _seed(api: FakeAPI, n: int) -> dict[str, int]:
    """``n`` finished jobs; every 50th has 150 events (two pages of 100), the rest 3."""
    counts: dict[str, int] = {}
    for i in range(n):
        job = api.add_job(status="succeeded", metadata={"team": "a" if i % 2 else "b"})
        counts[job["id"]] = 150 if i % 50 == 0 else 3
        for e in range(counts[job["id"]]):
            api.add_event(job["id"], f"ftevent-{i}-{e}")
    api.permissions.append(
        {
            "id": "cp_1",
            "object": "checkpoint.permission",
            "created_at": 1,
            "project_id": "proj-1",
            "_at": 0.0,
        }
    )
    return counts


def _lines(path: pathlib.Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_export_of_1000_jobs_through_faults_is_whole_once_and_incremental(
    api: FakeAPI, make_client: Callable[..., ftclient.FineTuningClient], tmp_path: pathlib.Path
) -> None:
    counts = _seed(api, N_JOBS)
    api.clock.now += 1  # the jobs are visible in the list
    # Rate limits, answers lost after acting (safe to resend: reads), and errors before acting.
    # The scripts are shared by the requests in flight, so faults are spread out.
    api.faults = {
        "list": ["429:2", "", "lose", "", "500_before"],
        "events": ["lose", "", "", "429:1", "", "", "500_before", "", ""] * 20,
        "checkpoints": ["429:3", "", "", "lose", "", ""] * 10,
        "permissions": ["lose", "", "", "", "429:1", "", "", ""] * 10,
    }
    injected = {route: sum(map(bool, script)) for route, script in api.faults.items()}
    client = make_client(max_retries=8)
    progress: list[tuple[int, int]] = []
    first = await archive.export(client, tmp_path, on_progress=lambda d, t: progress.append((d, t)))

    assert first.jobs == N_JOBS
    assert first.jobs_changed == N_JOBS
    jobs = _lines(tmp_path / "jobs.jsonl")
    assert sorted(r["id"] for r in jobs) == sorted(counts)  # nothing missing, nothing twice
    for job_id, count in counts.items():
        events = _lines(tmp_path / "jobs" / job_id / "events.jsonl")
        assert len(events) == count
        assert len({e["id"] for e in events}) == count
        assert events[0]["message"] == "event 0"  # oldest first
        assert len(_lines(tmp_path / "jobs" / job_id / "checkpoints.jsonl")) == 3
        assert len(_lines(tmp_path / "jobs" / job_id / "permissions.jsonl")) == 3
    assert first.events == sum(counts.values())
    assert progress[-1] == (N_JOBS, N_JOBS)
    # Requests per job: the pages its events and checkpoints need, one permissions page per
    # checkpoint, plus one resend per injected fault.
    pages = sum(math.ceil(c / 100) for c in counts.values())
    assert len(api.sent("events")) <= pages + injected["events"]
    assert len(api.sent("checkpoints")) <= N_JOBS + injected["checkpoints"]
    assert len(api.sent("permissions")) <= 3 * N_JOBS + injected["permissions"]

    api.seen.clear()
    second = await archive.export(client, tmp_path)
    assert (second.jobs, second.jobs_unchanged, second.jobs_changed) == (N_JOBS, N_JOBS, 0)
    assert (second.events, second.checkpoints, second.permissions) == (0, 0, 0)
    assert second.bytes_downloaded == 0
    assert {s.route for s in api.seen} == {"list"}  # only the list pages
    assert len(api.sent("list")) == math.ceil(N_JOBS / 100)
    assert len(_lines(tmp_path / "jobs.jsonl")) == N_JOBS


async def test_export_records_only_what_changed_and_resumes(
    api: FakeAPI, make_client: Callable[..., ftclient.FineTuningClient], tmp_path: pathlib.Path
) -> None:
    running = api.add_job(status="running")
    api.add_event(running["id"], "ev-1")
    done = api.add_job(status="succeeded", metadata={"keep": "yes"})
    api.add_event(done["id"], "ev-2")
    api.clock.now += 1
    client = make_client()
    first = await archive.export(client, tmp_path)
    assert first.jobs_changed == 2
    running.update(status="succeeded")
    api.add_event(running["id"], "ev-3")
    # A kill cut the last write short: the next run drops that line and goes on.
    events_file = tmp_path / "jobs" / running["id"] / "events.jsonl"
    events_file.write_text(events_file.read_text() + '{"id": "ev-cut')
    second = await archive.export(client, tmp_path)
    assert (second.jobs_changed, second.jobs_unchanged, second.events) == (1, 1, 1)
    assert [e["id"] for e in _lines(events_file)] == ["ev-1", "ev-3"]
    versions = [
        r["job"]["status"] for r in _lines(tmp_path / "jobs.jsonl") if r["id"] == running["id"]
    ]
    assert versions == ["running", "succeeded"]
    # The metadata filter: only the matching job.
    only = await archive.export(client, tmp_path / "filtered", metadata={"keep": "yes"})
    assert only.jobs == 1
    assert [r["id"] for r in _lines(tmp_path / "filtered" / "jobs.jsonl")] == [done["id"]]


class _WithoutFiles:
    """A client's jobs, base URL and provider, as a server without a Files API offers them."""

    def __init__(self, client: ftclient.FineTuningClient) -> None:
        self.jobs = client.jobs
        self.base_url = client.base_url
        self.provider = client.provider


async def test_rerun_killed_half_way_creates_every_job_exactly_once(
    api: FakeAPI, make_client: Callable[..., ftclient.FineTuningClient], tmp_path: pathlib.Path
) -> None:
    method = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}}
    for i in range(6):
        job = api.add_job(
            status="succeeded",
            seed=100 + i,
            method=method,
            metadata={"run": str(i), "ftclient_idempotency_key": f"old-{i}"},
        )
        api.add_event(job["id"], f"ev-{i}")
    api.clock.now += 1
    await archive.export(make_client(), tmp_path / "a")

    async with FakeAPI(SimClock()).running() as target_api:
        client = ftclient.FineTuningClient(
            api_key=KEY, base_url=target_api.url, clock=target_api.clock
        )
        # This fake service has no Files API (its jobs name files it never held): the target
        # is seen as a server without one, whose jobs take the source's file ids as they are.
        target: Any = _WithoutFiles(client)
        plan = await archive.rerun(
            target, tmp_path / "a", dry_run=True, model_map={"gpt-4o-mini": "m2"}
        )
        assert [j.model for j in plan] == ["m2"] * 6
        assert target_api.seen == []  # a dry run sends nothing

        class Killed(Exception):
            pass

        def kill_after_three(job: archive.RerunJob) -> None:
            if sum(1 for _ in target_api.jobs) >= 3:
                raise Killed

        with pytest.raises(Killed):
            await archive.rerun(
                target, tmp_path / "a", model_map={"gpt-4o-mini": "m2"}, on_job=kill_after_three
            )
        assert len(target_api.jobs) == 3
        target_api.faults = {"create": ["lose"]}  # and one answer lost on the way
        done = await archive.rerun(target, tmp_path / "a", model_map={"gpt-4o-mini": "m2"})
        again = await archive.rerun(target, tmp_path / "a", model_map={"gpt-4o-mini": "m2"})
        await client.aclose()
    assert len(target_api.jobs) == 6  # exactly once each, through a kill, a loss and a rerun
    assert [j.target_id for j in done] == [j.target_id for j in again]
    bodies = [s.body for s in target_api.sent("create")]
    assert {b["seed"] for b in bodies} == {100, 101, 102, 103, 104, 105}
    assert all(b["method"] == method and b["model"] == "m2" for b in bodies)
    # The source's own tag is replaced by the rerun's key, derived from the source job.
    first = bodies[0]
    assert first["metadata"]["run"] == "0"
    assert first["metadata"]["ftclient_idempotency_key"].startswith("rerun-")


async def test_rerun_reports_what_the_target_cannot_take_before_sending(
    api: FakeAPI, make_client: Callable[..., ftclient.FineTuningClient], tmp_path: pathlib.Path
) -> None:
    lam = {
        "type": "reinforcement",
        "reinforcement": {
            "grader": {
                "type": "lambda",
                "lambda": {"function": "arn:aws:lambda:us-west-2:123456789012:function:f"},
            }
        },
    }
    for fields in ({"method": lam}, {"metadata": {str(k): "v" for k in range(16)}}, {}):
        api.add_event(api.add_job(status="succeeded", **fields)["id"], "ev")
    api.clock.now += 1
    await archive.export(make_client(), tmp_path)
    async with (
        FakeAPI(SimClock()).running() as target_api,
        ftclient.FineTuningClient(api_key=KEY, base_url=target_api.url) as target,
    ):
        plan = await archive.rerun(_WithoutFiles(target), tmp_path)  # type: ignore[arg-type]
    problems = {j.source_id: j.problems for j in plan}
    assert problems["ftjob-1"] == ["OpenAI has no lambda grader"]
    assert "16 keys" in problems["ftjob-2"][0]
    assert problems["ftjob-3"] == []
    assert len(target_api.sent("create")) == 1
