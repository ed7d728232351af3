"""Every spec-valid request (unknown keys included) is accepted by the client, conforms to the spec
(checked with ``jsonschema``), carries exactly what the caller gave, and is accepted by the
emulator: only the emulator's documented semantic rules (docs/emulator.md) may answer 400."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftclient
from tests.cli.conftest import ThreadedEmulator
from tests.spec.request_validator import validate_request

from .strategies import UNKNOWN_KEY, instances

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


# The emulator's own semantic rules (docs/emulator.md, "Assumptions"), by the last field of the
# ``param`` its 400 names: what the service's grader validation checks beyond the schema. Also
# allowed: a reinforcement job's missing grader, and what the emulator cannot compute offline
# (codes ``unsupported_grader``, ``unsupported_metric``).
EMULATOR_RULES = frozenset(
    {
        "source",
        "calculate_output",
        "input",
        "reference",
        "range",
        "labels",
        "passing_labels",
        "content",
    }
)


def allowed_refusal(exc: ftclient.APIStatusError) -> bool:
    """True for a 404 (a path id that names nothing) or a 400 from a documented emulator rule."""
    if exc.status == 404 or exc.param == "method.reinforcement.grader":
        return True
    if exc.code in ("unsupported_grader", "unsupported_metric"):
        return True
    path = (exc.param or "").replace("[", ".").replace("]", "")
    fields = [part for part in path.split(".") if not part.isdigit()]
    return exc.status == 400 and bool(fields) and fields[-1] in EMULATOR_RULES


def send(server: ThreadedEmulator, call: Callable[[ftclient.FineTuningClient], Awaitable[Any]]):
    """Run one call on a fresh client; the emulator must accept it (see ``allowed_refusal``);
    return the requests it made."""
    before = len(server.emu.requests)

    async def go() -> None:
        async with ftclient.FineTuningClient(
            api_key="sk-test", base_url=server.url, max_retries=0
        ) as client:
            refused: ftclient.APIStatusError | None = None
            try:
                await call(client)
            except ftclient.APIStatusError as exc:
                refused = exc
            if refused is not None:
                assert allowed_refusal(refused), f"the emulator refused a valid request: {refused}"

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
@given(request=instances("CreateFineTuningJobRequest", open_objects=True))
def test_job_create_bodies_conform(server: ThreadedEmulator, request: dict[str, Any]) -> None:
    request.pop(UNKNOWN_KEY, None)  # no top-level extra_body= yet; nested unknown keys stay
    for name in ("model", "training_file"):
        if not request[name].strip():
            request[name] = "x"  # the emulator's assumption: these name something
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
@given(request=instances("RunGraderRequest", open_objects=True))
def test_grader_run_bodies_conform(server: ThreadedEmulator, request: dict[str, Any]) -> None:
    request.pop(UNKNOWN_KEY, None)
    [record] = send(server, lambda c: c.graders.run(**request))
    assert json.loads(record.body) == json.loads(json.dumps(request))


@SETTINGS
@given(request=instances("ValidateGraderRequest", open_objects=True))
def test_grader_validate_bodies_conform(server: ThreadedEmulator, request: dict[str, Any]) -> None:
    request.pop(UNKNOWN_KEY, None)
    [record] = send(server, lambda c: c.graders.validate(**request))
    assert json.loads(record.body) == json.loads(json.dumps(request))


@SETTINGS
@given(project_ids=st.lists(IDS, min_size=1, max_size=4))
def test_permission_grants_conform(server: ThreadedEmulator, project_ids: list[str]) -> None:
    [record] = send(server, lambda c: c.permissions.create(CKPT, project_ids=project_ids))
    assert json.loads(record.body) == {"project_ids": project_ids}


@SETTINGS
@given(
    limit=st.none() | st.integers(-5, 500),
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


# The other nine operations: any non-blank id in each path parameter and any value the document
# allows in each query parameter is sent, and the emulator answers (404 for ids naming nothing),
# never a 400.
PATH_CALLS: dict[str, Callable[[ftclient.FineTuningClient, str], Awaitable[Any]]] = {
    "retrieve": lambda c, i: c.jobs.retrieve(i),
    "cancel": lambda c, i: c.jobs.cancel(i),
    "pause": lambda c, i: c.jobs.pause(i),
    "resume": lambda c, i: c.jobs.resume(i),
    "events": lambda c, i: _first(c.jobs.list_events(i)),
    "checkpoints": lambda c, i: _first(c.checkpoints.list(i)),
    "permissions": lambda c, i: _first(c.permissions.list(i)),
    "grant": lambda c, i: c.permissions.create(i, project_ids=["proj"]),
    "revoke": lambda c, i: c.permissions.delete(CKPT, i),
}


@settings(SETTINGS, max_examples=45)
@given(operation=st.sampled_from(sorted(PATH_CALLS)), ident=IDS)
def test_any_id_is_sent_and_answered(server: ThreadedEmulator, operation: str, ident: str) -> None:
    sent = send(server, lambda c: PATH_CALLS[operation](c, ident))
    assert len(sent) == 1


@settings(SETTINGS, max_examples=30)
@given(
    limit=st.none() | st.integers(-5, 500),
    order=st.none() | st.sampled_from(["ascending", "descending"]),
    project_id=st.none() | IDS,
)
def test_permission_list_queries_conform(
    server: ThreadedEmulator, limit: int | None, order: str | None, project_id: str | None
) -> None:
    [record] = send(
        server,
        lambda c: _first(c.permissions.list(CKPT, limit=limit, order=order, project_id=project_id)),
    )
    expected = {"limit": limit, "order": order, "project_id": project_id}
    assert dict(record.query) == {k: str(v) for k, v in expected.items() if v is not None}
