"""trace_configs see every attempt; response_info describes every returned object and page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

import ftclient
from ftclient.testing import FineTuningEmulator
from tests.conftest import NO_WAIT

GRADER = {
    "type": "string_check",
    "name": "g",
    "input": "{{sample.output_text}}",
    "reference": "yes",
    "operation": "eq",
}


def counting_trace() -> tuple[aiohttp.TraceConfig, dict[str, list[str]]]:
    seen: dict[str, list[str]] = {"start": [], "end": [], "error": []}
    trace = aiohttp.TraceConfig()

    async def start(_: Any, __: SimpleNamespace, params: Any) -> None:
        seen["start"].append(f"{params.method} {params.url.path}")

    async def end(_: Any, __: SimpleNamespace, params: Any) -> None:
        seen["end"].append(f"{params.method} {params.url.path} {params.response.status}")

    async def error(_: Any, __: SimpleNamespace, params: Any) -> None:
        seen["error"].append(type(params.exception).__name__)

    trace.on_request_start.append(start)
    trace.on_request_end.append(end)
    trace.on_request_exception.append(error)
    return trace, seen


async def test_trace_configs_see_every_attempt(emulator: FineTuningEmulator) -> None:
    trace, seen = counting_trace()
    async with ftclient.FineTuningClient(
        api_key="sk-test", base_url=emulator.url, retry_policy=NO_WAIT, trace_configs=[trace]
    ) as client:
        job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
        emulator.faults.add("retrieveFineTuningJob", "status", status=503, times=2)
        retrieved = await client.jobs.retrieve(job.id)
        emulator.faults.add("retrieveFineTuningJob", "drop_before")
        await client.jobs.retrieve(job.id)
    info = ftclient.response_info(retrieved)
    assert info is not None
    assert info.attempts == 3
    assert len(emulator.requests) == 1 + 3 + 2
    assert len(seen["start"]) == len(emulator.requests)  # every attempt, retries included
    assert len(seen["end"]) + len(seen["error"]) == len(seen["start"])
    assert [line.rsplit(" ", 1)[1] for line in seen["end"]] == ["200", "503", "503", "200", "200"]
    assert seen["error"] == ["ServerDisconnectedError"]


async def test_trace_configs_cannot_be_added_to_a_borrowed_session(
    emulator: FineTuningEmulator,
) -> None:
    trace, _ = counting_trace()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ftclient.InvalidParameterError) as caught:
            ftclient.FineTuningClient(
                api_key="sk-test", base_url=emulator.url, session=session, trace_configs=[trace]
            )
    assert caught.value.param == "trace_configs"
    assert emulator.requests == []


Method = Callable[[ftclient.FineTuningClient, dict[str, str]], Awaitable[Any]]
METHODS: dict[str, tuple[Method, str]] = {
    "jobs.create": (
        lambda c, ids: c.jobs.create(model="gpt-4o-mini", training_file="file-t"),
        "createFineTuningJob",
    ),
    "jobs.retrieve": (lambda c, ids: c.jobs.retrieve(ids["job"]), "retrieveFineTuningJob"),
    "jobs.list": (lambda c, ids: _first(c.jobs.list(limit=1)), "listPaginatedFineTuningJobs"),
    "jobs.list_events": (
        lambda c, ids: _first(c.jobs.list_events(ids["job"], limit=2)),
        "listFineTuningEvents",
    ),
    "jobs.pause": (lambda c, ids: c.jobs.pause(ids["running"]), "pauseFineTuningJob"),
    "jobs.resume": (lambda c, ids: c.jobs.resume(ids["paused"]), "resumeFineTuningJob"),
    "jobs.cancel": (lambda c, ids: c.jobs.cancel(ids["running"]), "cancelFineTuningJob"),
    "checkpoints.list": (
        lambda c, ids: _first(c.checkpoints.list(ids["job"], limit=1)),
        "listFineTuningJobCheckpoints",
    ),
    "permissions.create": (
        lambda c, ids: c.permissions.create(ids["ckpt"], project_ids=["proj-b"]),
        "createFineTuningCheckpointPermission",
    ),
    "permissions.list": (
        lambda c, ids: _first(c.permissions.list(ids["ckpt"], limit=1)),
        "listFineTuningCheckpointPermissions",
    ),
    "permissions.delete": (
        lambda c, ids: c.permissions.delete(ids["ckpt"], ids["perm"]),
        "deleteFineTuningCheckpointPermission",
    ),
    "graders.run": (lambda c, ids: c.graders.run(grader=GRADER, model_sample="yes"), "runGrader"),
    "graders.validate": (lambda c, ids: c.graders.validate(grader=GRADER), "validateGrader"),
}


async def _first(paginator: Any) -> Any:
    return await paginator


async def _fixtures(client: ftclient.FineTuningClient, emu: FineTuningEmulator) -> dict[str, str]:
    done = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    emu.clock.advance(24 * 3600)
    ckpt = (await client.checkpoints.list(done.id, limit=1)).data[0].fine_tuned_model_checkpoint
    perm = (await client.permissions.create(ckpt, project_ids=["proj-a"])).data[0].id
    running = (await client.jobs.create(model="gpt-4o-mini", training_file="file-t")).id
    paused = (await client.jobs.create(model="gpt-4o-mini", training_file="file-t")).id
    emu.clock.advance(20)
    await client.jobs.pause(paused)
    return {"job": done.id, "ckpt": ckpt, "perm": perm, "running": running, "paused": paused}


@pytest.mark.parametrize("name", list(METHODS))
async def test_response_info_for_every_method_after_a_retry(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, name: str
) -> None:
    call, operation = METHODS[name]
    ids = await _fixtures(client, emulator)
    emulator.faults.add(operation, "rate_limit", retry_after=2)
    result = await call(client, ids)
    info = ftclient.response_info(result)
    assert info is not None, name
    last = [r for r in emulator.requests if r.operation_id == operation][-1]
    assert (info.status, info.attempts, info.retry_waits) == (200, 2, (2.0,))
    assert info.request_id == last.request_id
    assert info.headers["x-request-id"] == last.request_id
    assert info.headers["content-type"] == "application/json"
    assert info.elapsed >= 0


async def test_response_info_for_every_page(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    for _ in range(3):
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    emulator.faults.add("listPaginatedFineTuningJobs", "status", status=502)
    pages = [page async for page in client.jobs.list(limit=1).pages()]
    lists = [r for r in emulator.requests if r.operation_id == "listPaginatedFineTuningJobs"]
    answered = [r.request_id for r in lists if r.status == 200]
    infos = [ftclient.response_info(page) for page in pages]
    assert len(pages) == 3
    assert [i.request_id for i in infos if i] == answered
    assert [i.attempts for i in infos if i] == [2, 1, 1]
    # Each item carries its page's info.
    assert all(
        ftclient.response_info(i) is ftclient.response_info(p) for p in pages for i in p.data
    )
    assert ftclient.response_info(object()) is None
