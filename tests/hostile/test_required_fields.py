"""Responses missing a field every known server sends; status values no SDK version knows;
the info of a page's items. Against a server of the test's own (aiohttp on 127.0.0.1) that
answers each route with the document the test gives it and records what was asked.
"""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest
from aiohttp import web

import ftclient
from ftclient import models
from ftclient.models._enums import LITERAL_CLASSES

JOB = {
    "object": "fine_tuning.job",
    "id": "ftjob-1",
    "created_at": 1721764800,
    "model": "gpt-4o-mini-2024-07-18",
    "status": "running",
    "training_file": "file-t",
}
EVENT = {
    "object": "fine_tuning.job.event",
    "id": "ftevent-1",
    "created_at": 1721764800,
    "level": "info",
    "message": "Step 1",
}
CHECKPOINT = {
    "object": "fine_tuning.job.checkpoint",
    "id": "ftckpt-1",
    "created_at": 1721764800,
    "fine_tuned_model_checkpoint": "ft:gpt-4o-mini:org::ckpt-step-10",
    "fine_tuning_job_id": "ftjob-1",
    "metrics": {"step": 10},
    "step_number": 10,
}
PERMISSION = {"object": "checkpoint.permission", "id": "cp-1", "created_at": 1, "project_id": "p"}
FILE = {"object": "file", "id": "file-1", "bytes": 3, "created_at": 1, "filename": "a.jsonl"}
FILE = {**FILE, "purpose": "fine-tune", "status": "processed"}
CKPT = "ft:gpt-4o-mini:org::ckpt-step-10"

# (client call, route it asks, model, document, whether the document is an item of a page)
CASES: dict[str, tuple[Any, str, type, dict[str, Any], bool]] = {
    "job": (
        lambda c: c.jobs.retrieve("ftjob-1"),
        "/v1/fine_tuning/jobs/ftjob-1",
        models.FineTuningJob,
        JOB,
        False,
    ),
    "event": (
        lambda c: c.jobs.list_events("ftjob-1"),
        "/v1/fine_tuning/jobs/ftjob-1/events",
        models.FineTuningJobEvent,
        EVENT,
        True,
    ),
    "checkpoint": (
        lambda c: c.checkpoints.list("ftjob-1"),
        "/v1/fine_tuning/jobs/ftjob-1/checkpoints",
        models.FineTuningJobCheckpoint,
        CHECKPOINT,
        True,
    ),
    "permission": (
        lambda c: c.permissions.list(CKPT),
        f"/v1/fine_tuning/checkpoints/{CKPT}/permissions",
        models.FineTuningCheckpointPermission,
        PERMISSION,
        True,
    ),
    "file": (
        lambda c: c.files.retrieve("file-1"),
        "/v1/files/file-1",
        models.FileObject,
        FILE,
        False,
    ),
}


def _required(model: type) -> set[str]:
    return {a.name for a in attrs.fields(model) if a.default is attrs.NOTHING}


MISSING = [
    (case, field)
    for case, (_, _, model, document, _) in CASES.items()
    for field in document
    if field in _required(model)
]


class Server:
    """Answers ``GET path`` with ``routes[path]`` (a page or an object) and records the path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[dict[str, Any], str]] = {}
        self.seen: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append(request.path)
        # A page after the first is asked with ?after=; it has its own document and request id.
        key = request.path + (
            f"?after={request.query['after']}" if "after" in request.query else ""
        )
        document, request_id = self.routes[key]
        return web.json_response(document, headers={"x-request-id": request_id})


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    served = Server()
    app = web.Application()
    app.router.add_get("/{tail:.*}", served.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    served.url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    yield served
    await runner.cleanup()


def page(*items: dict[str, Any], has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": list(items), "has_more": has_more}


@pytest.mark.parametrize(("case", "field"), MISSING)
async def test_a_response_without_a_required_field_is_refused_naming_it(
    server: Server, case: str, field: str
) -> None:
    call, path, model, document, listed = CASES[case]
    broken = {k: v for k, v in document.items() if k != field}
    server.routes[path] = (page(document, broken) if listed else broken, "req-1")
    async with ftclient.FineTuningClient(api_key="k", base_url=server.url, max_retries=0) as c:
        with pytest.raises(ftclient.APIResponseValidationError) as caught:
            await call(c)
    error = caught.value
    where = f"$.data[1].{field}" if listed else f"$.{field}"
    assert error.path == where
    assert f"{where}: required field missing ({model.__name__}.{field})" in error.message
    assert (error.request_id, error.status) == ("req-1", 200)
    assert (error.method, error.url) == ("GET", path.removeprefix("/v1"))  # the call refused
    assert server.seen == [path]  # refused as answered, not asked again


async def test_status_values_no_release_knows_decode_and_compare_as_their_strings(
    server: Server,
) -> None:
    jobs = [{**JOB, "id": "ftjob-a", "status": "throttled"}, {**JOB, "id": "ftjob-b"}]
    server.routes["/v1/fine_tuning/jobs"] = (page(*jobs), "req-1")
    events = [{**EVENT, "level": "debug", "type": "checkpoint"}]
    server.routes["/v1/fine_tuning/jobs/ftjob-a/events"] = (page(*events), "req-2")
    server.routes["/v1/files/file-1"] = ({**FILE, "status": "quarantined"}, "req-3")
    async with ftclient.FineTuningClient(api_key="k", base_url=server.url) as client:
        throttled, running = (await client.jobs.list()).data
        (event,) = (await client.jobs.list_events("ftjob-a")).data
        file = await client.files.retrieve("file-1")
    assert throttled.status == "throttled"
    assert isinstance(throttled.status, models.FineTuningJobStatus)
    assert not throttled.status.is_known
    assert not throttled.is_terminal
    assert running.status is models.FineTuningJobStatus.RUNNING
    assert running.status == "running"
    assert running.status == models.FineTuningJobStatus.RUNNING
    assert (event.level, event.type) == ("debug", "checkpoint")
    assert isinstance(event.level, models.FineTuningJobEventLevel)
    assert file.status == "quarantined"
    assert ftclient.to_dict(throttled)["status"] == "throttled"
    assert server.seen == [
        "/v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs/ftjob-a/events",
        "/v1/files/file-1",
    ]


async def test_the_items_of_each_page_carry_that_pages_info(server: Server) -> None:
    first = page({**JOB, "id": "ftjob-a"}, {**JOB, "id": "ftjob-b"}, has_more=True)
    server.routes["/v1/fine_tuning/jobs"] = (first, "req-page-1")
    server.routes["/v1/fine_tuning/jobs?after=ftjob-b"] = (
        page({**JOB, "id": "ftjob-c"}),
        "req-page-2",
    )
    async with ftclient.FineTuningClient(api_key="k", base_url=server.url) as client:
        items = [job async for job in client.jobs.list()]
        held = await client.jobs.list()
    assert [ftclient.response_info(job).request_id for job in items] == [
        "req-page-1",
        "req-page-1",
        "req-page-2",
    ]
    assert ftclient.response_info(held.data[0]) is ftclient.response_info(held)
    assert server.seen == ["/v1/fine_tuning/jobs"] * 3
    with pytest.raises(ftclient.InvalidParameterError, match="no response gave"):
        ftclient.response_info(models.FineTuningJob(**JOB))  # type: ignore[arg-type]
    assert ftclient.response_info(None) is None


@pytest.mark.parametrize(("alias", "runtime"), list(LITERAL_CLASSES.items()))
def test_each_status_alias_lists_the_values_of_its_enum(alias: Any, runtime: type) -> None:
    # A request-side alias is the enum or its values; a status alias the values alone.
    values = set(typing.get_args(alias))
    if typing.get_origin(alias) is not typing.Literal:  # a union: the enum, and its values
        literals = {arg for arg in values if typing.get_origin(arg) is typing.Literal}
        assert values - literals == {runtime}
        values = {v for arg in literals for v in typing.get_args(arg)}
    if runtime is not str:  # the alias types the enum's members, and no other value
        assert values == {member.value for member in runtime}  # type: ignore[attr-defined]
    assert all(isinstance(v, str) for v in values)
