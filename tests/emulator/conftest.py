"""Fixtures: a started emulator and a raw aiohttp client that checks every 200 against the spec."""

from __future__ import annotations

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
    """A decoded answer."""

    status: int
    body: Any
    headers: Mapping[str, str]

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
        data: bytes | None = None,
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
            reply = Reply(response.status, json.loads(raw) if raw else None, response.headers)
        assert reply.headers["x-request-id"].startswith("req_")
        if reply.status == 200:
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
    async with FineTuningEmulator(seed=1234, speed=0) as emulator:  # a still clock
        yield emulator


@pytest.fixture
async def api(emu: FineTuningEmulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, emu)
