"""The HTTP surface: auth, routing, headers, recording, start/stop and concurrency."""

from __future__ import annotations

import asyncio
import io
import re

import aiohttp
import pytest
from yarl import URL

from ftclient.testing import FineTuningEmulator
from ftclient.testing._server import MAX_REQUEST_BYTES
from tests.emulator.conftest import KEY, Api

REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")


async def test_url_and_headers(api: Api, emu: FineTuningEmulator) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", emu.url)
    for reply in (await api.get("/fine_tuning/jobs"), await api.get("/fine_tuning/jobs/x")):
        assert REQUEST_ID.fullmatch(reply.headers["x-request-id"])
        assert reply.headers["content-type"] == "application/json"
    ids = {r.request_id for r in emu.requests}
    assert len(ids) == 2


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_api_key"),
        ({"Authorization": "Basic abc"}, "missing_api_key"),
        ({"Authorization": "Bearer "}, "missing_api_key"),
    ],
)
async def test_missing_auth(emu: FineTuningEmulator, headers: dict, code: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(emu.url + "/fine_tuning/jobs", headers=headers) as response,
    ):
        body = await response.json()
        assert response.status == 401
    assert body["error"]["code"] == code
    assert body["error"]["type"] == "invalid_request_error"
    assert emu.requests[-1].status == 401


async def test_restricted_keys() -> None:
    secret = "sk-right-key-123456"
    async with (
        FineTuningEmulator(api_keys=[secret]) as emu,
        aiohttp.ClientSession() as session,
    ):
        for token, status in ((secret, 200), ("sk-wrong-key-987654", 401)):
            headers = {"Authorization": f"Bearer {token}"}
            async with session.get(emu.url + "/fine_tuning/jobs", headers=headers) as response:
                assert response.status == status
                text = await response.text()
        assert "sk-wrong-key-987654" not in text
        assert "invalid_api_key" in text
    with pytest.raises(ValueError, match="api_keys"):
        FineTuningEmulator(api_keys=[])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("GET", "/fine_tuning/jobs/"),
        ("DELETE", "/fine_tuning/jobs"),
        ("GET", "/fine_tuning/jobs/ftjob-1/cancel"),
        ("POST", "/fine_tuning/alpha/graders"),
    ],
)
async def test_unknown_routes(api: Api, emu: FineTuningEmulator, method: str, path: str) -> None:
    reply = await api.request(method, path)
    assert reply.status == 404
    assert reply.error["message"] == f"Invalid URL ({method} /v1{path})"
    assert emu.requests[-1].operation_id is None


async def test_routes_outside_v1_are_404(emu: FineTuningEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        url = emu.url.removesuffix("/v1") + "/fine_tuning/jobs"
        async with session.get(url, headers={"Authorization": f"Bearer {KEY}"}) as response:
            assert response.status == 404


async def test_path_parameters_are_decoded_once(api: Api, emu: FineTuningEmulator) -> None:
    async def raw_get(raw_path: str) -> dict:
        url = URL(emu.url + raw_path, encoded=True)
        headers = {"Authorization": f"Bearer {KEY}"}
        async with api.session.get(url, headers=headers) as response:
            assert response.status == 404
            body: dict = await response.json()
            return body

    slash = await raw_get("/fine_tuning/jobs/ftjob%2Fx/events")
    assert "'ftjob/x'" in slash["error"]["message"]
    assert emu.requests[-1].operation_id == "listFineTuningEvents"
    assert emu.requests[-1].path == "/v1/fine_tuning/jobs/ftjob%2Fx/events"
    twice = await raw_get("/fine_tuning/jobs/ftjob%252Fx")
    assert "'ftjob%2Fx'" in twice["error"]["message"]
    colon = await raw_get("/fine_tuning/checkpoints/ft:m:org::abc:ckpt-step-1/permissions")
    assert "'ft:m:org::abc:ckpt-step-1'" in colon["error"]["message"]


async def test_requests_are_recorded(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job(metadata={"k": "v"})
    await api.get(f"/fine_tuning/jobs/{job['id']}/events", limit=2)
    create, events = emu.requests[-2:]
    assert create.method == "POST"
    assert create.path == "/v1/fine_tuning/jobs"
    assert create.operation_id == "createFineTuningJob"
    assert create.json["metadata"] == {"k": "v"}
    assert create.body.startswith(b"{")
    assert create.headers["Authorization"] == f"Bearer {KEY}"
    assert create.status == 200
    assert create.fault is None
    assert events.query == [("limit", "2")]
    assert events.json is None
    assert emu.stats.requests == 2
    assert emu.stats.by_operation["createFineTuningJob"] == 1


async def test_start_stop() -> None:
    emu = FineTuningEmulator()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.url
    await emu.start()
    try:
        with pytest.raises(RuntimeError, match="already running"):
            await emu.start()
        assert emu.port > 0
    finally:
        await emu.aclose()
    await emu.stop()
    with pytest.raises(RuntimeError):
        _ = emu.url


async def test_many_concurrent_requests(api: Api, emu: FineTuningEmulator) -> None:
    jobs = await asyncio.gather(*(api.create_job() for _ in range(200)))
    assert len({job["id"] for job in jobs}) == 200
    emu.clock.advance(30)
    replies = await asyncio.gather(*(api.job(job["id"]) for job in jobs))
    assert {job["status"] for job in replies} == {"running"}
    assert len(emu.jobs) == 200


async def test_job_json_helper(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(10_000)
    assert emu.job_json(job["id"])["status"] == "succeeded"


async def test_json_nested_too_deeply_is_a_400_not_a_crash(emu: FineTuningEmulator) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            emu.url + "/fine_tuning/jobs",
            data=deep,
            headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        ) as response,
    ):
        body = await response.json()
    assert response.status == 400
    assert body["error"]["code"] == "invalid_json"


async def test_a_request_body_over_the_limit_is_refused_with_an_api_error() -> None:
    async with FineTuningEmulator() as emu, aiohttp.ClientSession() as session:
        body = b'{"model": "' + b"x" * (MAX_REQUEST_BYTES + 1) + b'"}'
        async with session.post(
            f"{emu.url}/fine_tuning/jobs",
            data=io.BytesIO(body),
            headers={"Authorization": "Bearer k", "Content-Type": "application/json"},
        ) as resp:
            assert resp.status == 413
            error = (await resp.json())["error"]
    assert error["code"] == "request_too_large"
    assert str(MAX_REQUEST_BYTES) in error["message"]
    assert emu.jobs == {}
