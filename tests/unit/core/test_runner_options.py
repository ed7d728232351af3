"""A call's own ``max_retries``, a runner derived for ``with_options``, and header merging.

Scripted exchanges and simulated time, as in test_runner.py: no server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import ftclient
from ftclient import FlowControl, RateGate, RetryPolicy, Timeouts
from ftclient._core import protocol
from ftclient._core.call import Call, Check, Hook
from ftclient._core.runner import Runner
from tests.hostile.fake_api import SimClock
from tests.unit.core.test_runner import OK, Recorder, Script, call, decode, runner, status


@pytest.mark.parametrize(
    ("policy_retries", "call_retries", "attempts"),
    [
        (2, None, 3),  # the policy's
        (2, 0, 1),  # the call's, lower
        (2, 5, 6),  # the call's, higher
        (0, 1, 2),
    ],
)
async def test_a_calls_max_retries_replaces_the_policys(
    policy_retries: int, call_retries: int | None, attempts: int
) -> None:
    clock = SimClock()
    script = Script([status(500)] * 10)
    run = runner(script, clock, max_retries=policy_retries)
    with pytest.raises(ftclient.InternalServerError) as caught:
        await run.run(call(max_retries=call_retries))
    assert len(script.calls) == attempts
    assert caught.value.attempts == attempts
    assert run.policy.max_retries == policy_retries  # untouched


async def test_a_call_with_retries_left_succeeds() -> None:
    script = Script([status(429), status(429), status(429), OK])
    result = await runner(script, SimClock(), max_retries=0).run(call(max_retries=3))
    assert result["info"].attempts == 4


async def test_a_check_inherits_the_max_retries_of_the_call_it_serves() -> None:
    seen: list[Any] = []

    def look(parent: Call[Any], failure: ftclient.APIError) -> Hook[Any]:
        try:
            yield Check(parent.derive("look", "GET", "/y", decode))
        except ftclient.APIError as exc:
            seen.append(exc.attempts)
        raise failure

    # The POST fails (may have acted), its check fails 1 + 1 times, the guard gives up.
    script = Script([status(500), status(503), status(503), OK])
    guarded = call(Recorder(after=look), method="POST", max_retries=1)
    with pytest.raises(ftclient.InternalServerError):
        await runner(script, SimClock(), max_retries=4).run(guarded)
    assert [c.path for c in script.calls] == ["/x", "/y", "/y"]
    assert seen == [2]
    assert guarded.derive("look", "GET", "/y", decode).max_retries == 1


async def test_a_derived_runner_shares_the_exchange_gate_slots_and_clock() -> None:
    clock = SimClock()
    script = Script([status(500)] * 6)
    parent = runner(script, clock)
    derived = parent.derive(
        policy=RetryPolicy(max_retries=0),
        default_timeout=Timeouts(total=5),
        default_headers={"X-Team": "a"},
    )
    assert derived.gate is parent.gate
    assert derived.sleep is parent.sleep
    assert derived.clock() == parent.clock() == clock.now
    assert (derived.default_timeout.total, parent.default_timeout.total) == (5, 600)
    assert (derived.default_headers, parent.default_headers) == ({"X-Team": "a"}, {})
    with pytest.raises(ftclient.InternalServerError):
        await derived.run(call())
    assert len(script.calls) == 1  # its policy, through the parent's exchange
    with pytest.raises(ftclient.InternalServerError):
        await parent.run(call())
    assert len(script.calls) == 4  # the parent's own policy is unchanged


async def test_a_derived_runner_waits_for_the_parents_in_flight_slots() -> None:
    release = asyncio.Event()
    sent: list[str] = []

    async def held(c: Call[Any]) -> tuple[int, dict[str, str], bytes]:
        sent.append(c.path)
        await asyncio.wait_for(release.wait(), 10)
        return OK

    clock = SimClock()
    parent = Runner(
        held,
        policy=RetryPolicy(),
        gate=RateGate(FlowControl(adaptive=False)),
        max_in_flight=1,
        default_timeout=Timeouts(total=600),
        clock=clock.time,
        sleep=clock.sleep,
    )
    derived = parent.derive(
        policy=parent.policy, default_timeout=parent.default_timeout, default_headers={}
    )
    first = asyncio.create_task(parent.run(call(path="/a")))
    second = asyncio.create_task(derived.run(call(path="/b")))
    for _ in range(50):
        await asyncio.sleep(0)
    assert sent == ["/a"]  # the derived call waits for the parent's slot
    release.set()
    await asyncio.gather(first, second)
    assert sent == ["/a", "/b"]


@pytest.mark.parametrize(
    ("base", "over", "merged"),
    [
        ({"A": "1"}, {}, {"A": "1"}),
        ({}, {"A": "1"}, {"A": "1"}),
        ({"X-Team": "a", "B": "2"}, {"x-team": "b"}, {"B": "2", "x-team": "b"}),
        ({"A": "1"}, {"B": "2"}, {"A": "1", "B": "2"}),
    ],
)
def test_merge_headers_lets_the_later_win_whatever_the_case(
    base: dict[str, str], over: dict[str, str], merged: dict[str, str]
) -> None:
    assert dict(protocol.merge_headers(base, over)) == merged
