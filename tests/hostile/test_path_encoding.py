"""Ids are one percent-encoded path segment: none reaches another endpoint or adds a query."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest

import ftclient
from ftclient.testing import FineTuningEmulator

CKPT = "ft:gpt-4o-mini:org-emulator::abc:ckpt-step-10"
HOSTILE = [
    "../x",
    "..",
    ".",
    "a/b",
    "../../v1/fine_tuning/jobs",
    "x/cancel",
    "?",
    "a?limit=1",
    "#",
    "a#frag",
    "a b",
    "x\ty",
    "x\x01y",
    "x\x7f",
    "ünïcødé-🙂",
    "%2F",
    "a%2e%2e",
    ";x=1",
    "a\\b",
]

# method -> (call with the hostile id, operationId that must be reached, segment index in path)
Target = tuple[Callable[[ftclient.FineTuningClient, str], Any], str, int]
TARGETS: dict[str, Target] = {
    "jobs.retrieve": (lambda c, v: c.jobs.retrieve(v), "retrieveFineTuningJob", 4),
    "jobs.cancel": (lambda c, v: c.jobs.cancel(v), "cancelFineTuningJob", 4),
    "jobs.pause": (lambda c, v: c.jobs.pause(v), "pauseFineTuningJob", 4),
    "jobs.resume": (lambda c, v: c.jobs.resume(v), "resumeFineTuningJob", 4),
    "jobs.list_events": (lambda c, v: c.jobs.list_events(v), "listFineTuningEvents", 4),
    "checkpoints.list": (lambda c, v: c.checkpoints.list(v), "listFineTuningJobCheckpoints", 4),
    "permissions.list": (
        lambda c, v: c.permissions.list(v),
        "listFineTuningCheckpointPermissions",
        4,
    ),
    "permissions.create": (
        lambda c, v: c.permissions.create(v, project_ids=["proj-a"]),
        "createFineTuningCheckpointPermission",
        4,
    ),
    "permissions.delete/checkpoint": (
        lambda c, v: c.permissions.delete(v, "cp_1"),
        "deleteFineTuningCheckpointPermission",
        4,
    ),
    "permissions.delete/permission_id": (
        lambda c, v: c.permissions.delete(CKPT, v),
        "deleteFineTuningCheckpointPermission",
        6,
    ),
}
SEGMENTS = {  # how many '/'-separated parts each operation's path has
    "retrieveFineTuningJob": 5,
    "cancelFineTuningJob": 6,
    "pauseFineTuningJob": 6,
    "resumeFineTuningJob": 6,
    "listFineTuningEvents": 6,
    "listFineTuningJobCheckpoints": 6,
    "listFineTuningCheckpointPermissions": 6,
    "createFineTuningCheckpointPermission": 6,
    "deleteFineTuningCheckpointPermission": 7,
}


async def _invoke(result: Any) -> None:
    if inspect.isawaitable(result):  # a paginator is awaited for its first page
        await result


@pytest.mark.parametrize("value", HOSTILE, ids=[ascii(v) for v in HOSTILE])
@pytest.mark.parametrize("target", list(TARGETS))
async def test_hostile_id_stays_one_segment(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, target: str, value: str
) -> None:
    call, operation, index = TARGETS[target]
    with pytest.raises(ftclient.NotFoundError) as caught:
        await _invoke(call(client, value))
    [record] = emulator.requests  # a 404 is not retried; nothing else was sent
    assert record.operation_id == operation, record.path
    parts = record.path.split("/")
    assert len(parts) == SEGMENTS[operation], record.path
    segment = parts[index]  # parts[0] is '' and parts[1] is 'v1'
    assert unquote(segment) == value
    assert segment not in (".", ".."), "dot segments are encoded so nothing folds them"
    assert not any(ch in segment for ch in "?#/ \\")
    assert segment.isascii()
    assert record.query == [], "an id never adds a query parameter"
    assert caught.value.status == 404
    assert caught.value.method is not None


QUERY_HOSTILE = ["a&limit=1", "x#y", "a=b", "?q", "ü 🙂", "%26", "a+b"]


@pytest.mark.parametrize("value", QUERY_HOSTILE)
async def test_hostile_query_values_stay_one_value(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, value: str
) -> None:
    with pytest.raises(ftclient.NotFoundError):
        await client.jobs.list(after=value)
    page = await client.jobs.list(metadata={value: value})
    assert page.data == []
    with pytest.raises(ftclient.NotFoundError):  # unknown checkpoint
        await client.permissions.list(CKPT, project_id=value)
    after, filtered, project = emulator.requests
    assert after.query == [("after", value)]
    assert filtered.query == [(f"metadata[{value}]", value)]
    assert project.query == [("project_id", value)]
    assert {r.operation_id for r in (after, filtered)} == {"listPaginatedFineTuningJobs"}
    assert project.operation_id == "listFineTuningCheckpointPermissions"
