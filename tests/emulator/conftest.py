"""Fixtures: a started emulator and a raw aiohttp client that checks every 200 against the spec."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
import attrs
import pytest

from ftclient.testing import FineTuningEmulator
from tests.emulator.spec_check import assert_valid_response

KEY = "sk-test-emulator"


@attrs.frozen
class Reply:
    """A decoded answer (``body`` is ``None`` unless it is JSON; ``raw`` is the bytes)."""

    status: int
    body: Any
    headers: Mapping[str, str]
    raw: bytes = b""

    @property
    def error(self) -> dict[str, Any]:
        """The ``error`` object of an error answer."""
        assert self.status >= 400, self
        error: dict[str, Any] = self.body["error"]
        assert set(error) == {"message", "type", "param", "code"}
        return error


def seg(value: str) -> str:
    """Percent-encode one path segment (``/`` and ``:`` included)."""
    return quote(value, safe="")


class Api:
    """Raw HTTP against the emulator; every 200 body is validated against its operation."""

    def __init__(self, session: aiohttp.ClientSession, emulator: FineTuningEmulator) -> None:
        self.session = session
        self.emulator = emulator

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | aiohttp.FormData | None = None,
        params: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        sent = {"Authorization": f"Bearer {KEY}", **(headers or {})}
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        async with self.session.request(
            method, self.emulator.url + path, data=data, params=params, headers=sent
        ) as response:
            raw = await response.read()
            is_json = response.content_type == "application/json"
            body = json.loads(raw) if raw and is_json else None
            reply = Reply(response.status, body, response.headers, raw)
        assert reply.headers["x-request-id"].startswith("req_")
        if reply.status == 200 and is_json:
            record = next(
                r
                for r in reversed(self.emulator.requests)
                if r.request_id == reply.headers["x-request-id"]
            )
            assert record.operation_id is not None
            assert_valid_response(record.operation_id, reply.body)
        return reply

    async def get(self, path: str, **params: Any) -> Reply:
        return await self.request("GET", path, params={k: str(v) for k, v in params.items()})

    async def post(self, path: str, body: Any = None) -> Reply:
        return await self.request("POST", path, json_body=body)

    async def create_file(
        self,
        content: bytes,
        *,
        filename: str | None = "train.jsonl",
        purpose: str | None = "fine-tune",
        fields: Mapping[str, str] | None = None,
    ) -> Reply:
        """createFile with a multipart form: ``purpose``, then ``file`` (and ``fields``)."""
        form = aiohttp.FormData()
        if purpose is not None:
            form.add_field("purpose", purpose)
        for name, value in (fields or {}).items():
            form.add_field(name, value)
        # A stream, not bytes: aiohttp warns about large bytes bodies, and bytes without a
        # filename (the case a test wants refused) would get the field's name as filename.
        value: Any = io.BytesIO(content) if filename is not None else aiohttp.BytesPayload(content)
        form.add_field("file", value, filename=filename, content_type="application/jsonl")
        return await self.request("POST", "/files", data=form)

    async def create_job(self, **fields: Any) -> dict[str, Any]:
        body = {"model": "gpt-4o-mini", "training_file": "file-abc123", **fields}
        reply = await self.post("/fine_tuning/jobs", body)
        assert reply.status == 200, reply
        job: dict[str, Any] = reply.body
        return job

    async def job(self, job_id: str) -> dict[str, Any]:
        reply = await self.get(f"/fine_tuning/jobs/{seg(job_id)}")
        assert reply.status == 200, reply
        job: dict[str, Any] = reply.body
        return job

    async def all_pages(self, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
        """Walk a list with ``after`` cursors; bounded."""
        items: list[dict[str, Any]] = []
        after: str | None = None
        for _ in range(10_000):
            query = {"limit": limit, **params, **({"after": after} if after else {})}
            reply = await self.get(path, **query)
            assert reply.status == 200, reply
            items += reply.body["data"]
            if not reply.body["has_more"]:
                return items
            after = reply.body["data"][-1]["id"]
        raise AssertionError("pagination did not end")


@pytest.fixture
async def emu() -> AsyncIterator[FineTuningEmulator]:
    # A still clock; jobs take made-up file ids here (tests/emulator/test_files*.py and
    # test_job_files.py hold jobs to real files).
    async with FineTuningEmulator(seed=1234, speed=0, require_files=False) as emulator:
        yield emulator


@pytest.fixture
async def api(emu: FineTuningEmulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, emu)
