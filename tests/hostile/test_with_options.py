"""``client.with_options(...)``: another client's defaults on the same pool, gate and limits.

Against a server of the test's own (``recorder.py``) that records each request's headers and the
client port it came over; waits run on a SimClock, so retries cost no real time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import ftclient
from ftclient.testing import SimClock

from .recorder import GRADER, KEY, Recorder


async def _attempts(recorded: Recorder, call: Any) -> int:
    recorded.seen.clear()
    with pytest.raises(ftclient.APIStatusError):
        await call
    return len(recorded.seen)


@pytest.mark.parametrize("status", [429, 500])
@pytest.mark.parametrize("retries", [0, 5])
async def test_with_options_max_retries_sets_the_attempts_of_every_call(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient, status: int, retries: int
) -> None:
    recorded.status = status
    derived = recorded_client.with_options(max_retries=retries)
    assert await _attempts(recorded, derived.jobs.retrieve("ftjob-1")) == retries + 1
    assert await _attempts(recorded, derived.graders.validate(grader=GRADER)) == retries + 1
    assert derived.retry_policy.max_retries == retries
    # The parent keeps its own policy; a call's own max_retries wins over the derived client's.
    assert await _attempts(recorded, recorded_client.jobs.retrieve("ftjob-1")) == 3
    assert await _attempts(recorded, derived.jobs.retrieve("ftjob-1", max_retries=1)) == 2


async def test_with_options_retry_policy_and_max_retries(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    recorded.status = 429
    derived = recorded_client.with_options(
        retry_policy=ftclient.RetryPolicy(max_retries=4), max_retries=1
    )
    assert await _attempts(recorded, derived.jobs.retrieve("ftjob-1")) == 2  # as the constructor
    policy_only = recorded_client.with_options(retry_policy=ftclient.RetryPolicy(max_retries=4))
    assert await _attempts(recorded, policy_only.jobs.retrieve("ftjob-1")) == 5
    assert recorded_client.retry_policy.max_retries == 2


async def test_a_derived_client_sends_over_the_parents_connection(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    derived = recorded_client.with_options(timeout=30, max_retries=0, extra_headers={"X-Team": "a"})
    again = derived.with_options(max_retries=1)
    for made in (recorded_client, derived, again, recorded_client, derived):
        await made.jobs.retrieve("ftjob-1")
    assert len(recorded.seen) == 5
    assert len(recorded.ports()) == 1  # one kept-alive connection: one pool


async def test_a_derived_client_shares_the_gate_and_the_in_flight_limit(recorded: Recorder) -> None:
    flow = ftclient.FlowControl(max_in_flight=1)
    async with ftclient.FineTuningClient(
        api_key=KEY, base_url=recorded.url, clock=SimClock(), flow_control=flow
    ) as client:
        derived = client.with_options(max_retries=0)
        assert derived.rate_gate is client.rate_gate
        recorded.hold = asyncio.Event()
        first = asyncio.create_task(derived.jobs.retrieve("ftjob-1"))
        second = asyncio.create_task(client.jobs.retrieve("ftjob-2"))
        await _until(lambda: len(recorded.seen) >= 1)
        assert client.rate_gate.in_flight == 1
        # The parent's call waits for the one slot the derived client holds: it never reaches
        # the server while the first is held (a limit of its own would let it through).
        assert not await _until(lambda: len(recorded.seen) >= 2)
        recorded.hold.set()
        await asyncio.gather(first, second)
    assert len(recorded.seen) == 2
    assert recorded.peak == 1


async def test_the_in_flight_probe_sees_two_clients_with_limits_of_their_own(
    recorded: Recorder,
) -> None:
    # The control of the test above: two clients, a slot each, do reach the server together.
    flow = ftclient.FlowControl(max_in_flight=1)
    async with (
        ftclient.FineTuningClient(api_key=KEY, base_url=recorded.url, flow_control=flow) as one,
        ftclient.FineTuningClient(api_key=KEY, base_url=recorded.url, flow_control=flow) as two,
    ):
        recorded.hold = asyncio.Event()
        calls = [asyncio.create_task(c.jobs.retrieve("ftjob-1")) for c in (one, two)]
        assert await _until(lambda: len(recorded.seen) >= 2)
        recorded.hold.set()
        await asyncio.gather(*calls)
    assert recorded.peak == 2


async def _until(condition: Callable[[], bool], turns: int = 2000) -> bool:
    """Let the loop run (no real sleep) until ``condition`` holds or ``turns`` pass."""
    for _ in range(turns):
        if condition():
            return True
        await asyncio.sleep(0)
    return condition()


async def test_a_derived_timeout_bounds_its_calls(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    # The server asks for 10 s between attempts: a 5 s call cannot take the wait, a 600 s one can.
    recorded.status, recorded.headers = 500, {"Retry-After": "10"}
    derived = recorded_client.with_options(timeout=5)
    assert derived.timeouts.total == 5
    assert recorded_client.timeouts.total == 600
    recorded.seen.clear()
    with pytest.raises(ftclient.APIStatusError) as caught:
        await derived.jobs.retrieve("ftjob-1")
    assert len(recorded.seen) == 1
    assert "would start after the call's timeout" in "".join(caught.value.__notes__)
    assert await _attempts(recorded, recorded_client.jobs.retrieve("ftjob-1")) == 3
    assert await _attempts(recorded, derived.jobs.retrieve("ftjob-1", timeout=600)) == 3
    none = recorded_client.with_options(timeout=None)
    assert none.timeouts.total is None
    assert await _attempts(recorded, none.jobs.retrieve("ftjob-1")) == 3


async def test_derived_extra_headers_arrive_and_a_calls_own_win(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    derived = recorded_client.with_options(extra_headers={"X-Team": "a", "X-Trace": "1"})
    nested = derived.with_options(extra_headers={"x-team": "b"})
    await derived.jobs.retrieve("ftjob-1")
    await derived.jobs.retrieve("ftjob-1", extra_headers={"x-trace": "2"})
    await nested.jobs.cancel("ftjob-1")
    await recorded_client.jobs.retrieve("ftjob-1")
    first, own, posted, parent = (s.headers for s in recorded.seen)
    assert (first["X-Team"], first["X-Trace"]) == ("a", "1")
    assert (own["X-Team"], own["X-Trace"]) == ("a", "2")
    assert own.getall("X-Trace") == ["2"]  # sent once
    assert own.getall("X-Team") == ["a"]
    assert (posted.getall("X-Team"), posted["X-Trace"]) == (["b"], "1")
    assert "Idempotency-Key" in posted  # still one of its own per POST
    assert "X-Team" not in parent
    assert parent["Authorization"] == first["Authorization"] == f"Bearer {KEY}"


async def test_closing_a_derived_client_leaves_the_parents_pool_open(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    async with recorded_client.with_options(max_retries=0) as derived:
        await derived.jobs.retrieve("ftjob-1")
    await derived.aclose()
    assert not derived.closed
    await recorded_client.jobs.retrieve("ftjob-1")
    await derived.jobs.retrieve("ftjob-1")  # still usable: its pool is open
    assert len(recorded.seen) == 3
    assert len(recorded.ports()) == 1
    await recorded_client.aclose()
    assert derived.closed
    with pytest.raises(ftclient.ClientClosedError):
        await derived.jobs.retrieve("ftjob-1")
    with pytest.raises(ftclient.ClientClosedError):
        async with derived:
            pass
    with pytest.raises(ftclient.ClientClosedError):
        async with recorded_client.with_options(timeout=1):
            pass
    assert len(recorded.seen) == 3


async def test_a_derived_azure_client_stays_azures(recorded: Recorder) -> None:
    async with ftclient.AzureFineTuningClient(
        azure_endpoint=recorded.url.removesuffix("/v1"),
        api_version="2025-04-01-preview",
        api_key=KEY,
        clock=SimClock(),
    ) as azure:
        derived = azure.with_options(max_retries=0, extra_headers={"X-Team": "a"})
        assert type(derived) is ftclient.AzureFineTuningClient
        assert derived.provider is azure.provider
        await derived.jobs.retrieve("ftjob-1")
        recorded.status = 500
        assert await _attempts(recorded, derived.jobs.retrieve("ftjob-1")) == 1
    sent = recorded.seen[0]
    assert sent.path == "/openai/fine_tuning/jobs/ftjob-1"
    assert sent.query == {"api-version": "2025-04-01-preview"}
    assert (sent.headers["api-key"], sent.headers["X-Team"]) == (KEY, "a")
    assert "Authorization" not in sent.headers


async def test_a_derived_bedrock_client_keeps_bedrocks_refusals(recorded: Recorder) -> None:
    async with ftclient.BedrockFineTuningClient(base_url=recorded.url, api_key=KEY) as bedrock:
        derived = bedrock.with_options(timeout=30)
        assert type(derived) is ftclient.BedrockFineTuningClient
        with pytest.raises(ftclient.InvalidParameterError, match="Bedrock"):
            await derived.graders.validate(grader=GRADER)
        assert recorded.seen == []
        await derived.jobs.retrieve("ftjob-1")
    assert recorded.seen[0].headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(
    ("options", "param", "says"),
    [
        ({"max_retries": -1}, "max_retries", "must be an integer >= 0, got -1"),
        ({"max_retries": True}, "max_retries", "must be an integer >= 0, got True"),
        ({"max_retries": 1.0}, "max_retries", "must be an integer >= 0, got 1.0"),
        ({"timeout": -1}, "timeout", "-1"),
        ({"timeout": "30"}, "timeout", "must be a number of seconds, got str"),
        ({"retry_policy": {"max_retries": 1}}, "retry_policy", "must be a RetryPolicy or None"),
        ({"extra_headers": ["X-A"]}, "extra_headers", "must be a mapping"),
        ({"extra_headers": {"X-A": "a\r\nX-B: b"}}, "extra_headers['X-A']", "control"),
        (
            {"extra_headers": {"idempotency-key": "k"}},
            "extra_headers",
            "Idempotency-Key names one call: pass it to that call",
        ),
    ],
)
async def test_bad_options_are_refused_at_the_call(
    recorded: Recorder,
    recorded_client: ftclient.FineTuningClient,
    options: dict[str, Any],
    param: str,
    says: str,
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        recorded_client.with_options(**options)
    assert caught.value.param == param
    assert says in caught.value.message
    assert recorded.seen == []


@pytest.mark.parametrize("name", ["base_url", "max_connections", "session", "flow_control"])
def test_what_needs_another_pool_is_not_accepted(name: str) -> None:
    client = ftclient.FineTuningClient(api_key=KEY)
    with pytest.raises(TypeError, match=name):
        client.with_options(**{name: None})
