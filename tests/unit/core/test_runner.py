"""The call runner, driven table-style by a scripted exchange and a simulated clock: no server."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest

import ftclient
from ftclient import FlowControl, RateGate, RetryPolicy, Timeouts
from ftclient._core.response import Response
from ftclient._core.runner import Call, Context, Guard, Runner, may_have_acted
from tests.hostile.fake_api import SimClock

Raw = tuple[int, dict[str, str], bytes]
OK: Raw = (200, {"x-request-id": "req_1"}, b'{"n": 1}')


def status(number: int, *, error_code: str | None = None, **headers: str) -> Raw:
    body = {"error": {"message": f"status {number}", "type": "t", "code": error_code}}
    return number, {k.replace("_", "-"): v for k, v in headers.items()}, json.dumps(body).encode()


def lost(sent: bool = True) -> ftclient.APIConnectionError:
    return ftclient.APIConnectionError("lost", method="GET", url="/x", request_sent=sent)


@attrs.define
class Script:
    """An exchange that plays ``outcomes`` in order and records every call it was given."""

    outcomes: list[Raw | BaseException]
    calls: list[Call[Any]] = attrs.Factory(list)

    async def __call__(self, call: Call[Any]) -> Raw:
        self.calls.append(call)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def runner(script: Script, clock: SimClock, **policy: Any) -> Runner:
    return Runner(
        script,
        policy=RetryPolicy(jitter=False, **policy),
        gate=RateGate(FlowControl(adaptive=False)),
        max_in_flight=4,
        default_timeout=Timeouts(total=600),
        clock=clock.time,
        sleep=clock.sleep,
    )


def decode(response: Response) -> Any:
    return {"body": json.loads(response.body), "info": response.info}


def call(guard: Guard[Any] | None = None, **fields: Any) -> Call[Any]:
    fields = {"operation": "jobs.retrieve", "method": "GET", "path": "/x", **fields}
    return Call(decode=decode, guard=guard, **fields)


CASES: list[tuple[str, list[Raw | BaseException], dict[str, Any], int, list[float], str | None]] = [
    # name, outcomes, policy, attempts, waits slept, error raised
    ("ok at once", [OK], {}, 1, [], None),
    ("a 500, then ok", [status(500), OK], {}, 2, [0.5], None),
    ("5xx to the end", [status(502)] * 3, {}, 3, [0.5, 1.0], "InternalServerError"),
    (
        "the exponential wait is capped",
        [status(503)] * 4,
        {"max_retries": 3, "max_delay": 0.75},
        4,
        [0.5, 0.75, 0.75],
        "InternalServerError",
    ),
    ("429 waits as asked", [status(429, retry_after="2"), OK], {}, 2, [2.0], None),
    (
        "retry-after-ms wins",
        [status(429, retry_after_ms="1500", retry_after="9"), OK],
        {},
        2,
        [1.5],
        None,
    ),
    (
        "a wait above the cap is raised at once",
        [status(429, retry_after="3600")],
        {},
        1,
        [],
        "RateLimitError",
    ),
    (
        "a hint above the cap of a 5xx falls back to backoff",
        [status(500, retry_after="3600"), OK],
        {},
        2,
        [0.5],
        None,
    ),
    ("400 is not retried", [status(400)], {}, 1, [], "BadRequestError"),
    (
        "quota is not retried",
        [status(429, error_code="insufficient_quota")],
        {},
        1,
        [],
        "RateLimitError",
    ),
    (
        "x-should-retry false wins",
        [status(500, x_should_retry="false")],
        {},
        1,
        [],
        "InternalServerError",
    ),
    ("x-should-retry true wins", [status(400, x_should_retry="true"), OK], {}, 2, [0.5], None),
    ("408 and 409 are retried", [status(408), status(409), OK], {}, 3, [0.5, 1.0], None),
    ("a connection never made is resent", [lost(sent=False), OK], {}, 2, [0.5], None),
    ("a lost answer without a guard is resent", [lost(), lost(), OK], {}, 3, [0.5, 1.0], None),
    ("max_retries=0 sends once", [status(500)], {"max_retries": 0}, 1, [], "InternalServerError"),
]


@pytest.mark.parametrize(
    ("outcomes", "policy", "attempts", "waits", "error"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_the_runner_attempts_classifies_waits_and_retries(
    outcomes: list[Raw | BaseException],
    policy: dict[str, Any],
    attempts: int,
    waits: list[float],
    error: str | None,
) -> None:
    clock = SimClock()
    script = Script(list(outcomes))
    run = runner(script, clock, **policy).run(call())
    if error is None:
        result = await run
        info = result["info"]
        assert (info.attempts, list(info.retry_waits)) == (attempts, waits)
        assert info.request_id == "req_1"
        assert info.elapsed == sum(waits)
    else:
        with pytest.raises(ftclient.APIError) as caught:
            await run
        assert type(caught.value).__name__ == error
    assert len(script.calls) == attempts
    assert clock.slept == waits


async def test_a_429_above_the_cap_says_why_and_carries_its_wait() -> None:
    script = Script([status(429, retry_after="86400")])
    with pytest.raises(ftclient.RateLimitError) as caught:
        await runner(script, SimClock()).run(call())
    assert caught.value.retry_after == 86400
    assert "max_retry_after (60s)" in "\n".join(caught.value.__notes__)


async def test_a_wait_past_the_deadline_is_not_slept() -> None:
    clock = SimClock()
    script = Script([status(500, retry_after="5")])
    with pytest.raises(ftclient.InternalServerError) as caught:
        await runner(script, clock).run(call(timeout=Timeouts(total=2)))
    assert clock.slept == []
    assert "would start after the call's timeout" in "\n".join(caught.value.__notes__)


async def test_without_waiting_the_waits_are_reported_not_slept() -> None:
    clock = SimClock()
    script = Script([status(500), status(500, retry_after="7"), OK])
    result = await runner(script, clock, wait=False).run(call(timeout=Timeouts(total=1)))
    assert result["info"].retry_waits == (0.5, 7.0)
    assert clock.slept == [0.0, 0.0]


async def test_jitter_draws_between_half_and_all_of_the_wait() -> None:
    clock = SimClock()
    script = Script([status(500)] * 10 + [OK])
    policy = RetryPolicy(max_retries=10, base_delay=1.0, max_delay=1.0, jitter=True)
    run = Runner(
        script,
        policy=policy,
        gate=RateGate(FlowControl(adaptive=False)),
        max_in_flight=1,
        default_timeout=Timeouts(total=None),
        clock=clock.time,
        sleep=clock.sleep,
    )
    await run.run(call())
    assert all(0.5 <= wait <= 1.0 for wait in clock.slept)
    assert len(set(clock.slept)) > 1


def test_may_have_acted() -> None:
    def error(code: int) -> ftclient.APIStatusError:
        return ftclient.APIStatusError("x", status=code)

    assert may_have_acted(error(500))
    assert may_have_acted(error(503))
    assert not may_have_acted(error(499))
    assert not may_have_acted(error(429))
    assert may_have_acted(lost(sent=True))
    assert not may_have_acted(lost(sent=False))
    assert may_have_acted(ftclient.APITimeoutError("t"))
    assert not may_have_acted(ValueError("x"))


@attrs.define
class Recorder(Guard[Any]):
    """A guard whose answers the test sets, recording what the runner asked."""

    found_before: Any = None
    after: Callable[[Context[Any], ftclient.APIError], Any] | None = None
    confirmed: list[Any] = attrs.Factory(list)
    asked: list[str] = attrs.Factory(list)
    resend_before_first: bool = False

    async def before_send(self, ctx: Context[Any]) -> Any:
        self.asked.append("before_send")
        return self.found_before

    async def after_ambiguous(self, ctx: Context[Any], failure: ftclient.APIError) -> Any:
        self.asked.append(f"after:{type(failure).__name__}")
        return self.after(ctx, failure) if self.after is not None else ctx.call

    async def confirm(self, ctx: Context[Any], outcome: Any) -> Any:
        self.confirmed.append(outcome)
        if isinstance(outcome, ftclient.APIStatusError):
            return "explained"
        return outcome


async def test_a_result_found_before_sending_sends_nothing() -> None:
    script = Script([])
    guard = Recorder(found_before="already")
    assert await runner(script, SimClock()).run(call(guard)) == "already"
    assert script.calls == []


async def test_the_guard_is_asked_only_after_a_failure_that_may_have_acted() -> None:
    clock = SimClock()
    guard = Recorder()
    script = Script([status(429, retry_after="1"), status(500), lost(sent=False), lost(), OK])
    result = await runner(script, clock, max_retries=4).run(call(guard))
    assert guard.asked == ["before_send", "after:InternalServerError", "after:APIConnectionError"]
    assert guard.confirmed == [result]  # the success after a resend is reconciled
    # The server's hint takes no step of the exponential schedule.
    assert clock.slept == [1.0, 0.5, 1.0, 2.0]


async def test_the_guard_checks_after_the_wait_and_may_answer_or_change_the_call() -> None:
    clock = SimClock()
    seen_at: list[float] = []

    def found(ctx: Context[Any], failure: ftclient.APIError) -> Any:
        seen_at.append(clock.now)
        return ctx.recovered("made earlier", "found it")

    script = Script([status(500)])
    start = clock.now
    assert await runner(script, clock).run(call(Recorder(after=found))) == "made earlier"
    assert seen_at == [start + 0.5]

    def smaller(ctx: Context[Any], failure: ftclient.APIError) -> Any:
        return attrs.evolve(ctx.call, body={"project_ids": ["b"]})

    script = Script([status(500), OK])
    await runner(script, clock).run(call(Recorder(after=smaller), body={"project_ids": ["a", "b"]}))
    assert [c.body for c in script.calls] == [{"project_ids": ["a", "b"]}, {"project_ids": ["b"]}]


async def test_a_refusal_after_a_resend_goes_to_the_guard_not_the_caller() -> None:
    guard = Recorder(resend_before_first=True)
    script = Script([status(404)])
    assert await runner(script, SimClock()).run(call(guard)) == "explained"
    assert isinstance(guard.confirmed[0], ftclient.NotFoundError)
    retryable = Recorder(resend_before_first=True)
    script = Script([status(503), status(503), status(503)])
    with pytest.raises(ftclient.InternalServerError):
        await runner(script, SimClock()).run(call(retryable))
    assert retryable.confirmed == []  # still retryable: retried, then raised


async def test_a_create_whose_answer_may_be_lost_names_its_key() -> None:
    script = Script([lost()])
    with pytest.raises(ftclient.APIConnectionError) as caught:
        await runner(script, SimClock(), max_retries=0).run(call(idempotency_key="k-1"))
    assert "idempotency_key='k-1'" in "\n".join(caught.value.__notes__)
    script = Script([status(400)])
    with pytest.raises(ftclient.BadRequestError) as refused:
        await runner(script, SimClock()).run(call(idempotency_key="k-1"))
    assert not getattr(refused.value, "__notes__", [])  # a 400 acted on nothing


async def test_the_deadline_error_names_the_operation_and_the_key() -> None:
    error = Runner._deadline_error(call(idempotency_key="k-2"), 1.5)
    assert str(error).startswith("jobs.retrieve did not finish within its timeout of 1.5s")
    assert "idempotency_key='k-2'" in str(error)
    assert (error.method, error.url) == ("GET", "/x")
    assert "idempotency_key" not in str(Runner._deadline_error(call(), 1.0))


@pytest.mark.parametrize(
    ("window", "ready_after", "probes", "pauses"),
    [
        (5.0, None, 6, [0.25, 0.5, 1.0, 2.0, 1.25]),  # the window runs out
        (9.0, None, 8, [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 1.25]),  # then every 2 s
        (20.0, 3, 3, [0.25, 0.5]),  # found on the third probe
        (0.0, None, 1, []),  # no window: one look
    ],
)
async def test_until_probes_for_the_consistency_window(
    window: float, ready_after: int | None, probes: int, pauses: Sequence[float]
) -> None:
    clock = SimClock()
    run = runner(Script([]), clock, consistency_window=window)
    ctx = Context(run, call(), deadline=clock.now + 600)
    count = 0

    async def probe() -> int:
        nonlocal count
        count += 1
        return count

    last = await ctx.until(probe, lambda n: ready_after is not None and n >= ready_after)
    assert (count, last) == (probes, probes)
    assert clock.slept == list(pauses)


async def test_until_stops_at_the_deadline() -> None:
    clock = SimClock()
    run = runner(Script([]), clock)
    ctx = Context(run, call(), deadline=clock.now + 1.0)

    async def probe() -> None:
        return None

    await ctx.until(probe, lambda _: False)
    assert sum(clock.slept) == pytest.approx(1.0)


def test_a_call_merges_extra_body_and_its_checks_drop_the_idempotency_key() -> None:
    original = call(
        method="POST",
        body={"model": "m", "seed": 1},
        extra_body={"seed": 2, "new": True},
        headers={"Idempotency-Key": "k", "OpenAI-Project": "p"},
        extra_query={"tenant": "t"},
    )
    assert original.json_body() == {"model": "m", "seed": 2, "new": True}
    assert call(body={"a": 1}).json_body() == {"a": 1}
    assert call(extra_body={"a": 1}).json_body() == {"a": 1}
    check = original.derive("look", "GET", "/y", decode, query={"limit": 1})
    assert check.headers == {"OpenAI-Project": "p"}
    assert (check.extra_query, check.query, check.timeout) == ({"tenant": "t"}, {"limit": 1}, None)
    assert check.operation == "jobs.retrieve (look)"
    assert (check.body, check.extra_body, check.guard) == (None, {}, None)
    assert original.derive("send", "POST", "/z", decode, body={"a": 1}).body == {"a": 1}
