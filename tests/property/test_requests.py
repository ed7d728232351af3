"""Every request the client builds from spec-valid input conforms to the spec (checked with
``jsonschema``) and carries exactly what the caller gave."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftclient
from ftclient._inputs import check_suffix
from tests.cli.conftest import ThreadedEmulator
from tests.spec.request_validator import validate_request

from .strategies import instances

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
KEY = "ftclient_idempotency_key"
CKPT = "ft:gpt-4o-mini:org-emulator::abc:ckpt-step-10"
IDS = st.text(min_size=1, max_size=12).filter(str.strip)


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadedEmulator]:
    emu = ThreadedEmulator(seed=0)
    try:
        yield emu
    finally:
        emu.close()


def send(server: ThreadedEmulator, call: Callable[[ftclient.FineTuningClient], Awaitable[Any]]):
    """Run one call on a fresh client; return the requests it made (its outcome is not judged:
    the emulator enforces rules the document states only in prose)."""
    before = len(server.emu.requests)

    async def go() -> None:
        async with ftclient.FineTuningClient(
            api_key="sk-test", base_url=server.url, max_retries=0
        ) as client:
            status = 200
            try:
                await call(client)
            except ftclient.APIStatusError as exc:
                status = exc.status
            assert status in (200, 400, 404)

    asyncio.run(go())
    sent = server.emu.requests[before:]
    for record in sent:
        problems = validate_request(
            record.method, record.path, record.query, record.headers, record.body
        )
        assert problems == [], problems
    return sent


def without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


@SETTINGS
@given(request=instances("CreateFineTuningJobRequest", open_objects=False))
def test_job_create_bodies_conform(server: ThreadedEmulator, request: dict[str, Any]) -> None:
    suffix = request.get("suffix")
    try:
        check_suffix(suffix)
    except ftclient.InvalidParameterError:
        request = {**request, "suffix": "ok"}  # a rule the spec states only in prose
    [record] = send(server, lambda c: c.jobs.create(**request))
    body = json.loads(record.body)
    tag = body.get("metadata", {}).pop(KEY)
    assert tag == record.headers["Idempotency-Key"]
    expected = {k: v for k, v in request.items() if v is not None}
    if not expected.get("metadata"):
        expected.pop("metadata", None)
        body.pop("metadata")
    assert body == json.loads(json.dumps(expected))


@SETTINGS
@given(request=instances("RunGraderRequest", open_objects=False))
def test_grader_run_bodies_conform(server: ThreadedEmulator, request: dict[str, Any]) -> None:
    [record] = send(server, lambda c: c.graders.run(**request))
    assert json.loads(record.body) == json.loads(json.dumps(request))


@SETTINGS
@given(request=instances("ValidateGraderRequest", open_objects=False))
def test_grader_validate_bodies_conform(server: ThreadedEmulator, request: dict[str, Any]) -> None:
    [record] = send(server, lambda c: c.graders.validate(**request))
    assert json.loads(record.body) == json.loads(json.dumps(request))


@SETTINGS
@given(project_ids=st.lists(IDS, min_size=1, max_size=4))
def test_permission_grants_conform(server: ThreadedEmulator, project_ids: list[str]) -> None:
    [record] = send(server, lambda c: c.permissions.create(CKPT, project_ids=project_ids))
    assert json.loads(record.body) == {"project_ids": project_ids}


@SETTINGS
@given(
    limit=st.none() | st.integers(1, 100),
    after=st.none() | IDS,
    metadata=st.none() | st.dictionaries(IDS, st.text(max_size=12), max_size=3),
)
def test_list_queries_conform(
    server: ThreadedEmulator, limit: int | None, after: str | None, metadata: dict[str, str] | None
) -> None:
    [record] = send(
        server, lambda c: _first(c.jobs.list(limit=limit, after=after, metadata=metadata))
    )
    expected = [("limit", str(limit))] if limit is not None else []
    expected += [(f"metadata[{k}]", v) for k, v in (metadata or {}).items()]
    expected += [("after", after)] if after is not None else []
    assert sorted(record.query) == sorted(expected)


async def _first(paginator: Any) -> Any:
    return await paginator
