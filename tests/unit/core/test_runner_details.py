"""The call runner's details: where a call's time starts, a check's deadline, backoff per call,
jitter's span, the DEBUG lines and what a recovered result carries. Scripted, simulated time."""

from __future__ import annotations

import logging
import random
from typing import Any

import pytest

import ftclient
from ftclient import Timeouts
from ftclient._core.call import Call, Check, Hook, Note, Recovered
from ftclient._core.response import Response, keep_info
from ftclient.models.eval_items import InputTextContent
from tests.hostile.fake_api import SimClock
from tests.unit.core.test_runner import OK, Raw, Recorder, Script, call, decode, runner, status


def checking(seen: list[Any], check_decode: Any = decode) -> Any:
    """A guard hook that makes one check, keeps what came of it, and recovers ``{"n": 0}``."""

    def after(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        try:
            seen.append((yield Check(call.derive("look", "GET", "/y", check_decode))))
        except ftclient.APIError as exc:
            seen.append(exc)
        return Recovered({"n": 0}, "checked")

    return after


@pytest.mark.parametrize(
    "how",
    ["the client's timeout", "no timeout", "a check's deadline"],
)
async def test_elapsed_counts_from_the_start_of_the_call_whatever_its_deadline(how: str) -> None:
    clock = SimClock()  # far from 0: a call timed from 0 would report ~1000 s
    clock.now += 0.125
    run = runner(Script([status(500), status(503), OK]), clock)
    if how == "the client's timeout":
        result = await run.run(call())
    elif how == "no timeout":
        result = await run.run(call(timeout=None))
    else:  # the check of a call whose first attempt failed (0.5 s) starts its own clock
        seen: list[Any] = []
        run = runner(Script([status(500), status(500), status(503), OK]), clock)
        await run.run(call(Recorder(after=checking(seen))))
        [result] = seen
    assert result["info"].elapsed == 1.5  # the two waits, 0.5 + 1.0
    assert result["info"].retry_waits == (0.5, 1.0)


async def test_each_call_has_its_own_exponential_waits() -> None:
    # The waits are made at a call's first failure: they grow across its retries, and the next
    # call of the same runner starts again from base_delay.
    clock = SimClock()
    run = runner(Script([status(500)] * 3 + [OK, status(500), OK, OK]), clock, max_retries=3)
    first = await run.run(call())
    second = await run.run(call())
    assert first["info"].retry_waits == (0.5, 1.0, 2.0)
    assert second["info"].retry_waits == (0.5,)
    assert await run.run(call()) is not None  # no failure: no waits made, nothing slept
    assert clock.slept == [0.5, 1.0, 2.0, 0.5]


async def test_a_check_never_waits_past_the_deadline_of_the_call_it_serves() -> None:
    clock = SimClock()
    script = Script([status(500), status(500, retry_after="5"), OK])
    seen: list[Any] = []
    run = runner(script, clock)
    await run.run(call(Recorder(after=checking(seen)), timeout=Timeouts(total=1.5)))
    assert clock.slept == [0.5]  # the call's own wait; the check's 5 s would pass the deadline
    [caught] = seen
    assert isinstance(caught, ftclient.InternalServerError)
    assert "would start after the call's timeout" in "\n".join(caught.__notes__)


@pytest.mark.parametrize(("draw", "waits"), [("low", [0.5, 0.5]), ("high", [1.0, 1.0])])
async def test_jitter_spans_exactly_half_to_all_of_the_wait(
    draw: str, waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    # backoff's full jitter draws uniform(0, x); pin the draw to either end of its range.
    monkeypatch.setattr(random, "uniform", lambda low, high: low if draw == "low" else high)
    clock = SimClock()
    run = runner(Script([status(500), status(500), OK]), clock)
    run.policy = ftclient.RetryPolicy(base_delay=1.0, max_delay=1.0, jitter=True)
    await run.run(call())
    assert clock.slept == waits


async def test_the_debug_lines_give_each_attempt_its_duration_status_and_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = SimClock()
    outcomes: list[Raw] = [status(500), OK]

    async def exchange(_: Call[Any]) -> Raw:
        await clock.sleep(0.25)  # the attempt takes a quarter of a second
        return outcomes.pop(0)

    run = runner(exchange, clock)
    with caplog.at_level(logging.DEBUG, logger="ftclient"):
        await run.run(call())
    lines = [r.getMessage() for r in caplog.records if r.name == "ftclient"]
    assert lines == [
        "jobs.retrieve: GET /x -> 500 in 0.250s (request id None, attempt 1)",
        "jobs.retrieve: retrying in 0.500s after 500 status 500 (GET /x)",
        "jobs.retrieve: GET /x -> 200 in 0.250s (request id req_1, attempt 2)",
    ]


async def test_an_error_status_names_the_request_that_got_it() -> None:
    with pytest.raises(ftclient.BadRequestError) as caught:
        await runner(Script([status(400)]), SimClock()).run(call(method="DELETE", path="/y/1"))
    assert (caught.value.method, caught.value.url) == ("DELETE", "/y/1")
    assert str(caught.value) == "400 status 400 (DELETE /y/1)"


async def test_a_recovered_result_keeps_the_answer_of_the_check_that_found_it() -> None:
    clock = SimClock()
    headers = {"x-request-id": "req_check", "openai-processing-ms": "3"}

    def text(response: Response) -> InputTextContent:
        found = InputTextContent(text="found")
        keep_info(found, response.info)
        return found

    def found_by_check(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        found = yield Check(call.derive("look", "GET", "/y", text))
        return Recovered(found, "a check found it")

    script = Script([status(500), status(500), (201, headers, b"{}")])
    found = await runner(script, clock).run(call(Recorder(after=found_by_check)))
    info = ftclient.response_info(found)
    assert info is not None
    assert (info.status, dict(info.headers), info.request_id) == (201, headers, "req_check")
    # The call's attempts and waits (its one 0.5 s), not the check's; the time is the whole.
    assert (info.attempts, info.elapsed, info.recovery) == (1, 1.0, ("a check found it",))
    assert info.retry_waits == (0.5,)

    proved = InputTextContent(text="proved")  # a result the checks proved, no answer behind it

    def proved_by_notes(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        yield Note("looked")
        return Recovered(proved, "proved")

    await runner(Script([status(500)]), clock).run(call(Recorder(after=proved_by_notes)))
    info = ftclient.response_info(proved)
    assert info is not None
    assert (info.status, dict(info.headers), info.request_id) == (200, {}, None)
    assert info.recovery == ("looked", "proved")


async def test_a_hint_of_exactly_max_retry_after_is_obeyed() -> None:
    # server_wait's rule: a hint up to the cap is waited; only one above it is raised at once.
    clock = SimClock()
    run = runner(Script([status(429, retry_after="60"), OK]), clock, max_retry_after=60.0)
    result = await run.run(call(timeout=Timeouts(total=600)))
    assert result["info"].retry_waits == (60.0,)
    assert clock.slept == [60.0]
