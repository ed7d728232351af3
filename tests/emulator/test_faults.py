"""Injected faults and the rate limiter."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import aiohttp
import pytest

from ftclient.testing import FaultSpec, FineTuningEmulator
from tests.emulator.conftest import KEY, Api

JOB = {"model": "gpt-4o-mini", "training_file": "file-abc"}


async def post_job(session: aiohttp.ClientSession, emu: FineTuningEmulator, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with session.post(
        emu.url + "/fine_tuning/jobs", json=JOB, headers=headers, **kwargs
    ) as response:
        return response.status, response.headers.copy(), await response.read()


async def test_status_fault_then_normal(api: Api, emu: FineTuningEmulator) -> None:
    spec = emu.faults.add("createFineTuningJob", "status", times=2, status=503, retry_after=2)
    assert isinstance(spec, FaultSpec)
    for _ in range(2):
        reply = await api.post("/fine_tuning/jobs", JOB)
        assert reply.status == 503
        assert reply.headers["retry-after"] == "2"
        assert reply.error["type"] == "server_error"
    assert emu.jobs == {}
    assert (await api.post("/fine_tuning/jobs", JOB)).status == 200
    assert [r.fault for r in emu.requests] == ["status", "status", None]
    assert emu.stats.faults == 2


async def test_faults_are_fifo_and_per_operation(api: Api, emu: FineTuningEmulator) -> None:
    emu.faults.add("createFineTuningJob", "status", status=500)
    emu.faults.add("*", "status", status=502, retry_after_ms=250)
    emu.faults.add("createFineTuningJob", "status", status=504, body="plain text")
    listed = await api.get("/fine_tuning/jobs")
    assert listed.status == 502
    assert listed.headers["retry-after-ms"] == "250"
    assert "retry-after" not in listed.headers
    first = await api.post("/fine_tuning/jobs", JOB)
    assert first.status == 500
    async with api.session.post(
        emu.url + "/fine_tuning/jobs", json=JOB, headers={"Authorization": f"Bearer {KEY}"}
    ) as response:
        assert response.status == 504
        assert await response.text() == "plain text"
    assert emu.faults.pending == []


async def test_rate_limit_fault(api: Api, emu: FineTuningEmulator) -> None:
    emu.faults.add("retrieveFineTuningJob", "rate_limit", retry_after=0.5)
    reply = await api.get("/fine_tuning/jobs/ftjob-x")
    assert reply.status == 429
    assert reply.error["code"] == "rate_limit_exceeded"
    assert reply.headers["retry-after"] == "0.5"
    assert reply.headers["retry-after-ms"] == "500"
    assert reply.headers["x-ratelimit-remaining-requests"] == "0"


async def test_html_fault(api: Api, emu: FineTuningEmulator) -> None:
    emu.faults.add("listPaginatedFineTuningJobs", "html")
    async with api.session.get(
        emu.url + "/fine_tuning/jobs", headers={"Authorization": f"Bearer {KEY}"}
    ) as response:
        assert response.status == 502
        assert response.headers["content-type"].startswith("text/html")
        assert "<html>" in await response.text()


async def test_drop_before_does_not_act(emu: FineTuningEmulator) -> None:
    emu.faults.add("createFineTuningJob", "drop_before")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await post_job(session, emu)
        assert emu.jobs == {}
        assert emu.requests[-1].fault == "drop_before"
        assert emu.requests[-1].status == 0
        status, _, _ = await post_job(session, emu)
        assert status == 200


async def test_drop_after_acts_then_loses_the_answer(emu: FineTuningEmulator) -> None:
    emu.faults.add("createFineTuningJob", "drop_after")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await post_job(session, emu)
    assert len(emu.jobs) == 1
    assert emu.requests[-1].status == 200
    assert emu.requests[-1].fault == "drop_after"


async def test_delay(emu: FineTuningEmulator) -> None:
    emu.faults.add("createFineTuningJob", "delay", seconds=0.05)
    async with aiohttp.ClientSession() as session:
        started = time.monotonic()
        status, _, _ = await post_job(session, emu)
        assert status == 200
        assert time.monotonic() - started >= 0.05
        emu.faults.add("createFineTuningJob", "delay", seconds=0.2)
        with pytest.raises(TimeoutError):
            await post_job(session, emu, timeout=aiohttp.ClientTimeout(total=0.02))


async def test_slow_body(emu: FineTuningEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        emu.faults.add("createFineTuningJob", "slow_body", seconds=0.03)
        status, headers, body = await post_job(session, emu)
        assert status == 200
        assert int(headers["Content-Length"]) == len(body)
        emu.faults.add("createFineTuningJob", "slow_body", seconds=0.2)
        with pytest.raises(aiohttp.ServerTimeoutError):
            await post_job(session, emu, timeout=aiohttp.ClientTimeout(sock_read=0.02))
    assert len(emu.jobs) == 2


async def test_truncate(emu: FineTuningEmulator) -> None:
    emu.faults.add("createFineTuningJob", "truncate")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientPayloadError):
            await post_job(session, emu)
    assert len(emu.jobs) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (("createJob", "status"), {}, ValueError),
        (("createFineTuningJob", "explode"), {}, ValueError),
        (("createFineTuningJob", "status"), {"times": 0}, ValueError),
        (("createFineTuningJob", "status"), {"status": 42}, ValueError),
        (("createFineTuningJob", "delay"), {"seconds": -1}, ValueError),
        (("createFineTuningJob", "status"), {"colour": "red"}, TypeError),
    ],
)
def test_fault_queue_rejects(args: tuple, kwargs: dict, error: type) -> None:
    emu = FineTuningEmulator()
    with pytest.raises(error):
        emu.faults.add(*args, **kwargs)


async def test_clear_faults(api: Api, emu: FineTuningEmulator) -> None:
    emu.faults.add("*", "status", times=5)
    emu.faults.clear()
    assert (await api.get("/fine_tuning/jobs")).status == 200


async def test_rate_limiter() -> None:
    async with (
        FineTuningEmulator(rate_limit=2) as emu,
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {KEY}"}) as session,
    ):
        answers = []
        for _ in range(3):
            async with session.get(emu.url + "/fine_tuning/jobs") as response:
                answers.append((response.status, response.headers.copy()))
        assert [status for status, _ in answers] == [200, 200, 429]
        first, second, refused = (headers for _, headers in answers)
        assert first["x-ratelimit-limit-requests"] == "2"
        assert first["x-ratelimit-remaining-requests"] == "1"
        assert second["x-ratelimit-remaining-requests"] == "0"
        assert re.fullmatch(r"\d+ms|[\d.]+s", second["x-ratelimit-reset-requests"])
        assert refused["retry-after"] == "1"
        assert 1 <= int(refused["retry-after-ms"]) <= 500
        assert emu.stats.rate_limited == 1
        assert emu.requests[-1].fault == "rate_limited"
    with pytest.raises(ValueError, match="rate_limit"):
        FineTuningEmulator(rate_limit=0)


async def test_fault_headers(api: Api, emu: FineTuningEmulator) -> None:
    emu.faults.add("*", "status", status=503, headers={"x-should-retry": "false"})
    reply = await api.get("/fine_tuning/jobs")
    assert reply.status == 503
    assert reply.headers["x-should-retry"] == "false"


async def test_requests_are_recorded_on_arrival(emu: FineTuningEmulator) -> None:
    emu.faults.add("createFineTuningJob", "delay", seconds=0.05)
    async with aiohttp.ClientSession() as session:
        pending = asyncio.ensure_future(post_job(session, emu))
        for _ in range(1000):
            if emu.requests:
                break
            await asyncio.sleep(0.001)
        assert emu.requests[0].status == 0
        assert emu.requests[0].fault == "delay"
        status, _, _ = await pending
    assert status == 200
    assert emu.requests[0].status == 200


async def test_aiohttp_retries_a_dropped_get_once_by_itself(
    api: Api, emu: FineTuningEmulator
) -> None:
    # aiohttp resends an idempotent request once after a disconnect (RFC 9112 9.3.1), so one
    # dropped GET is invisible to an aiohttp client; the emulator still sees both attempts.
    emu.faults.add("listPaginatedFineTuningJobs", "drop_before")
    assert (await api.get("/fine_tuning/jobs")).status == 200
    assert [r.fault for r in emu.requests] == ["drop_before", None]
