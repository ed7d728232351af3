"""The public test seam: ``FineTuningClient(clock=, handler=)`` and ``ftclient.testing.SimClock``.

The handler plays the whole service: every request reaches it as it would have been sent
(URL with query, headers with the key, JSON body), and what it answers is what the client
decodes; the clock takes every wait the client makes (retries, gate, polls).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest

import ftclient
from ftclient.testing import SimClock

URL = "http://127.0.0.1:9/v1"  # never connected to: the handler answers


def job(job_id: str = "ftjob-1", status: str = "running", **fields: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "object": "fine_tuning.job",
        "created_at": 1_700_000_000,
        "model": "gpt-4o-mini",
        "training_file": "file-t",
        "status": status,
        "organization_id": "org-1",
        "result_files": [],
        "seed": 1,
        **fields,
    }


Answer = tuple[int, Mapping[str, str], bytes]


def answer(document: Any, status: int = 200, **headers: str) -> Answer:
    return (
        status,
        {k.replace("_", "-"): v for k, v in headers.items()},
        json.dumps(document).encode(),
    )


async def test_the_handler_sees_every_request_as_sent_and_its_answer_is_decoded() -> None:
    sent: list[ftclient.Request] = []

    async def handler(request: ftclient.Request) -> Answer:
        sent.append(request)
        return answer(job(), x_request_id="req_1")

    async with ftclient.FineTuningClient(api_key="sk-t", base_url=URL, handler=handler) as client:
        made = await client.jobs.create(
            model="gpt-4o-mini", training_file="file-t", extra_query={"tenant": "a"}
        )
    assert made.id == "ftjob-1"
    info = ftclient.response_info(made)
    assert info is not None
    assert info.request_id == "req_1"
    [request] = sent
    assert (request.method, request.url) == ("POST", f"{URL}/fine_tuning/jobs?tenant=a")
    assert request.headers["Authorization"] == "Bearer sk-t"
    assert request.headers["Idempotency-Key"].startswith("ftc-")
    assert request.headers["Content-Type"] == "application/json"
    assert request.content is not None
    body = json.loads(request.content)
    assert (body["model"], body["training_file"]) == ("gpt-4o-mini", "file-t")
    assert request.operation == "jobs.create"


async def test_a_lost_answer_played_by_the_handler_is_found_by_the_guard() -> None:
    clock = SimClock()
    sent: list[ftclient.Request] = []
    made: list[dict[str, Any]] = []

    async def handler(request: ftclient.Request) -> Answer:
        sent.append(request)
        if request.method == "POST":
            assert request.content is not None
            made.append(job(metadata=json.loads(request.content)["metadata"]))
            raise ftclient.APIConnectionError("lost", method="POST", url="/x", request_sent=True)
        return answer({"object": "list", "data": made, "has_more": False})

    async with ftclient.FineTuningClient(
        api_key="sk-t", base_url=URL, handler=handler, clock=clock
    ) as client:
        found = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert found.id == "ftjob-1"
    assert [r.method for r in sent] == ["POST", "GET"]  # looked up, never sent twice
    assert sent[1].operation == "jobs.create (look up its idempotency key)"
    assert "metadata%5Bftclient_idempotency_key%5D=ftc-" in sent[1].url
    [wait] = clock.slept  # one retry wait (0.5 s, jittered), taken on the clock
    assert 0.25 <= wait <= 0.5
    info = ftclient.response_info(found)
    assert info is not None
    assert info.recovery == ("the answer was lost; found the job by its idempotency key",)


async def test_every_wait_is_taken_on_the_clock_and_costs_no_real_time() -> None:
    clock = SimClock()
    answers = [
        answer({"error": {"message": "busy"}}, 503, retry_after="7"),
        answer(job(status="running")),
        answer(job(status="succeeded")),
    ]

    async def handler(request: ftclient.Request) -> Answer:
        return answers.pop(0)

    loop = asyncio.get_running_loop()
    started = loop.time()
    async with ftclient.FineTuningClient(
        api_key="sk-t", base_url=URL, handler=handler, clock=clock
    ) as client:
        schedule = ftclient.PollSchedule(initial=30.0, maximum=30.0, jitter=0.0)
        done = await client.jobs.wait("ftjob-1", poll_interval=schedule)
    assert done.status == "succeeded"
    assert clock.slept == [7.0, 30.0]  # the server's Retry-After, then the poll interval
    assert clock.now == 1_037.0
    assert loop.time() - started < 5.0  # a bound far above the real cost


async def test_the_seam_refuses_what_it_cannot_use() -> None:
    async def handler(request: ftclient.Request) -> Answer:
        return answer({})

    with pytest.raises(ftclient.InvalidParameterError, match="clock"):
        ftclient.FineTuningClient(api_key="k", base_url=URL, clock=object())  # type: ignore[arg-type]
    with pytest.raises(ftclient.InvalidParameterError, match="handler"):
        ftclient.FineTuningClient(api_key="k", base_url=URL, handler="no")  # type: ignore[arg-type]
    client = ftclient.FineTuningClient(api_key="k", base_url=URL, handler=handler)
    await client.aclose()
    with pytest.raises(ftclient.ClientClosedError):
        await client.jobs.retrieve("ftjob-1")


async def test_a_handler_answer_larger_than_the_limit_is_refused() -> None:
    async def handler(request: ftclient.Request) -> Answer:
        return answer(job(suffix="x" * 2000))

    async with ftclient.FineTuningClient(
        api_key="k", base_url=URL, handler=handler, max_response_bytes=1000
    ) as client:
        with pytest.raises(ftclient.APIResponseValidationError, match="max_response_bytes"):
            await client.jobs.retrieve("ftjob-1")


def test_sim_clock_moves_only_forward() -> None:
    clock = SimClock(start=5.0)
    assert clock.advance(2.5) == 7.5 == clock.time()
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    assert isinstance(clock, ftclient.Clock)
