"""Every files/uploads method sends the per-call options it is given, names its operation in
the client's log, and checks its ``timeout`` before anything is sent."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import ftclient

from .fake_files import FakeFiles

Make = Callable[..., ftclient.FineTuningClient]
Op = Callable[[ftclient.FineTuningClient, FakeFiles, Path, dict[str, Any]], Awaitable[Any]]


def _made(service: FakeFiles) -> str:
    return str(service.add_file("a.jsonl", b"{}\n", "fine-tune")["id"])


def _pending(service: FakeFiles) -> str:
    upload = {"id": "upload_9", "bytes": 3, "filename": "a.jsonl", "purpose": "fine-tune"}
    upload.update(object="upload", created_at=1, expires_at=3601)
    service.uploads["upload_9"] = {**upload, "status": "pending", "_parts": [], "file": None}
    return "upload_9"


def _with_part(service: FakeFiles) -> str:
    upload_id = _pending(service)
    service.parts["part_9"] = b"{}\n"
    service.uploads[upload_id]["_parts"].append("part_9")
    return upload_id


# operation, method and path its log line names, and how to call it with options ``o``
OPS: dict[str, tuple[str, Op]] = {
    "files.create": (
        "POST /files",
        lambda c, s, t, o: c.files.create(
            file=b"{}\n", purpose="fine-tune", filename="a.jsonl", **o
        ),
    ),
    "files.retrieve": ("GET /files/", lambda c, s, t, o: c.files.retrieve(_made(s), **o)),
    "files.list": (
        "GET /files",
        lambda c, s, t, o: c.files.list(purpose="fine-tune", **o).to_list(),
    ),
    "files.delete": ("DELETE /files/", lambda c, s, t, o: c.files.delete(_made(s), **o)),
    "files.content": ("GET /files/", lambda c, s, t, o: c.files.content(_made(s), **o)),
    "files.download": ("GET /files/", lambda c, s, t, o: c.files.download(_made(s), t / "x", **o)),
    "uploads.create": (
        "POST /uploads",
        lambda c, s, t, o: c.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=3, **o),
    ),
    "uploads.add_part": (
        "POST /uploads/upload_9/parts",
        lambda c, s, t, o: c.uploads.add_part(_pending(s), data=b"{}\n", **o),
    ),
    "uploads.complete": (
        "POST /uploads/upload_9/complete",
        lambda c, s, t, o: c.uploads.complete(_with_part(s), part_ids=["part_9"], **o),
    ),
    "uploads.cancel": (
        "POST /uploads/upload_9/cancel",
        lambda c, s, t, o: c.uploads.cancel(_pending(s), **o),
    ),
}


@pytest.mark.parametrize("operation", list(OPS))
async def test_options_are_sent_and_the_operation_is_named(
    service: FakeFiles,
    make_client: Make,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    operation: str,
) -> None:
    request, call = OPS[operation]
    options = {"timeout": 30.0, "extra_headers": {"X-Probe": "yes"}, "extra_query": {"probe": "1"}}
    with caplog.at_level(logging.DEBUG, logger="ftclient"):
        await call(make_client(), service, tmp_path, options)
    [seen] = service.seen
    assert seen.headers["X-Probe"] == "yes"
    assert seen.query["probe"] == "1"
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith(operation + ":")]
    assert logged, [r.getMessage() for r in caplog.records]
    assert logged[0].startswith(f"{operation}: {request}")
    assert " -> 200 in " in logged[0]


@pytest.mark.parametrize("operation", list(OPS))
async def test_a_bad_timeout_is_refused_before_sending(
    service: FakeFiles, make_client: Make, tmp_path: Path, operation: str
) -> None:
    _, call = OPS[operation]
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        await call(make_client(), service, tmp_path, {"timeout": -1})
    assert caught.value.param == "timeout"
    assert service.seen == []


async def test_json_bodies_carry_extra_body_and_the_optional_fields(
    service: FakeFiles, make_client: Make
) -> None:
    client = make_client()
    extra = {"extra_body": {"probe": True}}
    expires = {"anchor": "created_at", "seconds": 3600}
    upload = await client.uploads.create(
        filename="a.jsonl", purpose="fine-tune", bytes=2**33, expires_after=expires, **extra
    )
    part = await client.uploads.add_part(upload.id, data=b"{}\n")
    await client.uploads.cancel(upload.id, **extra)
    other = await client.uploads.create(filename="b.jsonl", purpose="fine-tune", bytes=3)
    part = await client.uploads.add_part(other.id, data=b"{}\n")
    md5 = hashlib.md5(b"{}\n").hexdigest()
    await client.uploads.complete(other.id, part_ids=[part.id], md5=md5, **extra)
    created, _, cancelled, plain, _, completed = (s.fields for s in service.seen)
    assert created == {
        "filename": "a.jsonl",
        "purpose": "fine-tune",
        "bytes": 2**33,  # exactly 8 GB is accepted
        "mime_type": "text/jsonl",
        "expires_after": expires,
        "probe": True,
    }
    assert cancelled == {"probe": True}
    assert "probe" not in plain
    assert completed == {"part_ids": [part.id], "md5": md5, "probe": True}
