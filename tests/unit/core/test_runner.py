"""The call runner, driven table-style by a scripted exchange and a simulated clock: no server."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest

import ftclient
from ftclient import FlowControl, RateGate, RetryPolicy, Timeouts
from ftclient._core.call import (
    Call,
    Check,
    Exchange,
    Guard,
    Hook,
    Note,
    Recovered,
    may_have_acted,
)
from ftclient._core.response import Response
from ftclient._core.runner import Runner
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


def runner(script: Exchange, clock: SimClock, **policy: Any) -> Runner:
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
    """A call as a resource builds it: ``timeout`` resolved (default: the runner's 600 s)."""
    fields = {"operation": "jobs.retrieve", "method": "GET", "path": "/x", **fields}
    fields["timeout"] = Timeouts.coerce(fields.get("timeout", Timeouts(total=600)))
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
    after: Callable[[Call[Any], ftclient.APIError], Hook[Any]] | None = None
    confirmed: list[Any] = attrs.Factory(list)
    asked: list[str] = attrs.Factory(list)
    resend_before_first: bool = False
    if_maybe_acted: str | None = None
    if_timed_out: str | None = None

    def before_send(self, call: Call[Any]) -> Hook[Any]:
        self.asked.append("before_send")
        return None if self.found_before is None else Recovered(self.found_before, "before")
        yield

    def after_ambiguous(self, call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        self.asked.append(f"after:{type(failure).__name__}")
        if self.after is None:
            return call
        return (yield from self.after(call, failure))

    def confirm(self, call: Call[Any], outcome: Any) -> Hook[Any]:
        self.confirmed.append(outcome)
        if isinstance(outcome, ftclient.APIStatusError):
            return "explained"
        return outcome
        yield


async def test_a_result_found_before_sending_sends_nothing() -> None:
    script = Script([])
    guard = Recorder(found_before={"n": 0})
    assert await runner(script, SimClock()).run(call(guard)) == {"n": 0}
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

    def found(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        seen_at.append(clock.now)
        return Recovered("made earlier", "found it")
        yield

    script = Script([status(500)])
    start = clock.now
    assert await runner(script, clock).run(call(Recorder(after=found))) == "made earlier"
    assert seen_at == [start + 0.5]

    def smaller(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        return attrs.evolve(call, body={"project_ids": ["b"]})
        yield

    script = Script([status(500), OK])
    await runner(script, clock).run(call(Recorder(after=smaller), body={"project_ids": ["a", "b"]}))
    assert [c.body for c in script.calls] == [{"project_ids": ["a", "b"]}, {"project_ids": ["b"]}]


async def test_the_runner_makes_the_checks_a_guard_yields_and_sends_back_their_results() -> None:
    clock = SimClock()
    script = Script([status(500), OK, status(404)])
    got: list[Any] = []

    def look(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        found = yield Check(call.derive("look", "GET", "/y", decode))
        got.append(found["body"])
        yield Note("looked once")
        try:
            yield Check(call.derive("look again", "GET", "/z", decode))
        except ftclient.NotFoundError as exc:  # a failed check is thrown into the guard
            got.append(exc.status)
        return Recovered({"n": 2}, "found by looking")

    result = await runner(script, clock).run(call(Recorder(after=look)))
    assert got == [{"n": 1}, 404]
    assert [(c.operation, c.path) for c in script.calls] == [
        ("jobs.retrieve", "/x"),
        ("jobs.retrieve (look)", "/y"),
        ("jobs.retrieve (look again)", "/z"),
    ]
    info = ftclient.response_info(result)
    assert info is None  # a plain dict keeps no info; the notes travel with models
    assert clock.slept == [0.5]


async def test_a_check_that_carries_its_own_guard_is_run_with_it() -> None:
    inner = Recorder()
    script = Script([status(500), lost(), OK])

    def cancel(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        yield Check(attrs.evolve(call.derive("cancel", "POST", "/c", decode), guard=inner))
        return Recovered({"n": 3}, "cancelled")

    assert await runner(script, SimClock()).run(call(Recorder(after=cancel))) == {"n": 3}
    assert inner.asked == ["before_send", "after:APIConnectionError"]
    assert [c.path for c in script.calls] == ["/x", "/c", "/c"]


async def test_a_paged_check_walks_every_page_and_sends_back_the_items() -> None:
    def page(items: list[str], more: bool) -> Raw:
        body = {"data": items, "has_more": more, "last_id": items[-1] if items else None}
        return 200, {}, json.dumps(body).encode()

    script = Script([status(500), page(["a", "b"], True), page(["c"], False)])
    got: list[Any] = []

    def listing(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        got.append((yield Check(call.derive("list", "GET", "/l", decode_page), pages=True)))
        return Recovered({"n": 0}, "listed")

    await runner(script, SimClock()).run(call(Recorder(after=listing)))
    assert got == [["a", "b", "c"]]
    assert [(c.path, dict(c.query)) for c in script.calls[1:]] == [
        ("/l", {"after": None}),
        ("/l", {"after": "b"}),
    ]


@attrs.define
class Page:
    data: list[str]
    has_more: bool
    last_id: str | None


def decode_page(response: Response) -> Page:
    return Page(**json.loads(response.body))


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


async def test_a_call_that_may_have_acted_carries_its_guards_advice() -> None:
    guard = Recorder(if_maybe_acted="call it again with k-1")
    script = Script([lost()])
    with pytest.raises(ftclient.APIConnectionError) as caught:
        await runner(script, SimClock(), max_retries=0).run(call(guard))
    assert caught.value.__notes__ == ["call it again with k-1"]
    script = Script([status(400)])
    with pytest.raises(ftclient.BadRequestError) as refused:
        await runner(script, SimClock()).run(call(Recorder(if_maybe_acted="no")))
    assert not getattr(refused.value, "__notes__", [])  # a 400 acted on nothing


async def test_the_deadline_error_names_the_operation_and_the_guards_advice() -> None:
    error = Runner._deadline_error(call(Recorder(if_timed_out="it may still happen")), 1.5)
    assert error.message == (
        "jobs.retrieve did not finish within its timeout of 1.5s; it may still happen"
    )
    assert (error.method, error.url) == ("GET", "/x")
    assert Runner._deadline_error(call(Recorder()), 1.0).message.endswith("timeout of 1s")
    assert Runner._deadline_error(call(), 1.0).message.endswith("timeout of 1s")


def probing(
    ready_after: int | None, counts: list[int]
) -> Callable[[Call[Any], ftclient.APIError], Hook[Any]]:
    """A guard hook whose check (a GET answered with a count) is probed until ``ready_after``."""

    def after(call: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        def ready(result: Any) -> bool:
            counts.append(result["body"]["n"])
            return ready_after is not None and result["body"]["n"] >= ready_after

        yield Check(call.derive("probe", "GET", "/p", decode), until=ready)
        return Recovered({"n": 0}, "probed")

    return after


def counting(script_calls: list[Any]) -> Exchange:
    async def exchange(call: Call[Any]) -> Raw:
        script_calls.append(call)
        if call.path == "/x":
            return status(500)
        return 200, {}, json.dumps({"n": len(script_calls) - 1}).encode()

    return exchange


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
    sent: list[Any] = []
    run = runner(counting(sent), clock, consistency_window=window, max_retries=1)
    counts: list[int] = []
    await run.run(call(Recorder(after=probing(ready_after, counts))))
    assert counts == list(range(1, probes + 1))
    assert clock.slept == [0.5, *pauses]  # the retry's wait, then the probes' pauses


async def test_until_stops_at_the_deadline() -> None:
    clock = SimClock()
    sent: list[Any] = []
    run = runner(counting(sent), clock, max_retries=1)
    counts: list[int] = []
    await run.run(call(Recorder(after=probing(None, counts)), timeout=Timeouts(total=1.5)))
    assert clock.slept[0] == 0.5  # the retry's wait
    assert sum(clock.slept) == pytest.approx(1.5)  # the probes end at the call's deadline


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
    assert (check.extra_query, check.query) == ({"tenant": "t"}, {"limit": 1})
    assert check.timeout == Timeouts(total=None, connect=None, read=None)  # the parent's deadline
    assert check.operation == "jobs.retrieve (look)"
    assert (check.body, check.extra_body, check.guard) == (None, {}, None)
    assert original.derive("send", "POST", "/z", decode, body={"a": 1}).body == {"a": 1}
