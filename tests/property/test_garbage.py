"""Arbitrary bytes or JSON where a response should be only ever raise ftclient's own errors:
when decoding a 2xx, when reading an error status, and inside the duplicate checks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftclient
from ftclient import models
from ftclient._core import protocol
from ftclient._core.response import Response, ResponseInfo
from ftclient.resources._base import decode
from tests.cli.conftest import ThreadedEmulator

from .strategies import JSON

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MODELS = [
    models.FineTuningJob,
    models.ListPaginatedFineTuningJobsResponse,
    models.ListFineTuningJobEventsResponse,
    models.ListFineTuningJobCheckpointsResponse,
    models.ListFineTuningCheckpointPermissionResponse,
    models.DeleteFineTuningCheckpointPermissionResponse,
    models.RunGraderResponse,
    models.ValidateGraderResponse,
]
INFO = ResponseInfo(
    status=200, headers={}, request_id=None, attempts=1, retry_waits=(), elapsed=0.0
)
DEEP = b"[" * 100_000 + b"]" * 100_000
BODIES = (
    st.binary(max_size=200)
    | JSON.map(lambda v: json.dumps(v).encode())
    | st.sampled_from([DEEP, b'{"data": ' * 5000, b"\xff\xfe", b'{"id": 1e999}', b"NaN"])
)


@SETTINGS
@given(body=BODIES, model=st.sampled_from(MODELS))
def test_any_2xx_body_decodes_or_raises_a_validation_error(body: bytes, model: type) -> None:
    obj: Any = None
    try:
        obj = decode(Response(INFO, body), model, method="GET", url="/x")
    except ftclient.APIResponseValidationError as exc:
        obj = exc
    assert isinstance(obj, (model, ftclient.APIResponseValidationError))
    if isinstance(obj, ftclient.APIResponseValidationError):
        assert obj.status == 200
        assert obj.path.startswith("$")


@SETTINGS
@given(body=BODIES, status=st.integers(300, 599), headers=st.dictionaries(st.text(), st.text()))
def test_any_error_body_becomes_a_status_error(
    body: bytes, status: int, headers: dict[str, str]
) -> None:
    exc = protocol.error_from_response(status, headers, body, method="GET", url="/x")
    assert isinstance(exc, ftclient.APIStatusError)
    assert exc.status == status
    assert str(exc).startswith(str(status))


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ThreadedEmulator, str, str]]:
    emu = ThreadedEmulator(seed=0)

    async def prepare() -> tuple[str, str]:
        async with ftclient.FineTuningClient(api_key="sk-test", base_url=emu.url) as client:
            job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
            emu.emu.clock.advance(24 * 3600)
            page = await client.checkpoints.list(job.id, limit=1)
            name = page.data[0].fine_tuned_model_checkpoint
            granted = await client.permissions.create(name, project_ids=["proj-keep"])
            return name, granted.data[0].id

    try:
        yield (emu, *asyncio.run(prepare()))
    finally:
        emu.close()


CHECKS = {
    "jobs.create": ("createFineTuningJob", "listPaginatedFineTuningJobs"),
    "permissions.create": (
        "createFineTuningCheckpointPermission",
        "listFineTuningCheckpointPermissions",
    ),
    "permissions.delete": (
        "deleteFineTuningCheckpointPermission",
        "listFineTuningCheckpointPermissions",
    ),
    "jobs.cancel": ("cancelFineTuningJob", "retrieveFineTuningJob"),
}


@SETTINGS
@given(body=BODIES, which=st.sampled_from(sorted(CHECKS)))
def test_garbage_answer_to_a_duplicate_check_is_an_ftclient_error(
    server: tuple[ThreadedEmulator, str, str], body: bytes, which: str
) -> None:
    emu, checkpoint, permission = server
    operation, lookup = CHECKS[which]
    emu.emu.faults.clear()
    emu.emu.faults.add(operation, "drop_after")
    emu.emu.faults.add(lookup, "status", status=200, body=body, times=3)

    async def go() -> Any:
        async with ftclient.FineTuningClient(
            api_key="sk-test", base_url=emu.url, retry_policy=ftclient.RetryPolicy(wait=False)
        ) as client:
            if which == "jobs.create":
                return await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
            if which == "permissions.create":
                return await client.permissions.create(checkpoint, project_ids=["proj-new"])
            if which == "permissions.delete":
                return await client.permissions.delete(checkpoint, permission)
            return await client.jobs.cancel("ftjob-unknown")

    try:
        asyncio.run(go())
    except ftclient.FTClientError:
        pass  # the SDK's own error: fine; anything else fails the test
    finally:
        emu.emu.faults.clear()
