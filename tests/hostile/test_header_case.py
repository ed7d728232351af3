"""A caller's header replaces ftclient's own whatever the case of its name, and is sent once.

HTTP header names are case-insensitive; a dict keyed by spelling kept both ``Idempotency-Key``
(ftclient's) and ``idempotency-key`` (the caller's), so a server saw two keys, or two
``User-Agent``s, or the caller's ``authorization`` beside the client's own.
"""

from __future__ import annotations

import json

import ftclient
from ftclient.testing import SimClock

from .conftest import RECORDED_KEY
from .fake_api import job_document
from .recorder import Recorder


async def test_a_callers_header_in_any_case_is_sent_once_and_wins(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    headers = {"idempotency-key": "my-key-1", "user-agent": "my-app/2", "x-trace": "t"}
    await recorded_client.jobs.cancel("ftjob-1", extra_headers=headers)
    sent = recorded.seen[0].headers
    assert sent.getall("Idempotency-Key") == ["my-key-1"]
    assert sent.getall("User-Agent") == ["my-app/2"]
    assert sent.getall("X-Trace") == ["t"]


async def test_the_clients_credentials_are_the_one_authorization_sent(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    await recorded_client.jobs.retrieve("ftjob-1", extra_headers={"authorization": "Bearer x"})
    assert recorded.seen[0].headers.getall("Authorization") == [f"Bearer {RECORDED_KEY}"]


async def test_a_with_options_header_and_a_calls_own_meet_once(
    recorded: Recorder, recorded_client: ftclient.FineTuningClient
) -> None:
    derived = recorded_client.with_options(extra_headers={"X-Team": "a"})
    await derived.jobs.cancel("ftjob-1", extra_headers={"x-team": "b", "IDEMPOTENCY-KEY": "k2"})
    sent = recorded.seen[0].headers
    assert sent.getall("X-Team") == ["b"]
    assert sent.getall("Idempotency-Key") == ["k2"]


async def test_a_handler_sees_one_spelling_of_each_header_the_callers_or_the_credentials() -> None:
    # aiohttp's session folds a dict's two spellings into one (the later wins), which hides a
    # transport that sends both; a handler= gets the transport's headers as they are.
    seen: list[ftclient.Request] = []

    async def handler(request: ftclient.Request) -> tuple[int, dict[str, str], bytes]:
        seen.append(request)
        return 200, {}, json.dumps(job_document("ftjob-1", 1_700_000_000)).encode()

    async with ftclient.FineTuningClient(
        api_key=RECORDED_KEY, base_url="http://127.0.0.1:9/v1", handler=handler, clock=SimClock()
    ) as client:
        derived = client.with_options(extra_headers={"X-Team": "a"})
        await derived.jobs.create(
            model="gpt-4o-mini",
            training_file="file-t",
            extra_headers={
                "user-agent": "my-app/2",
                "x-team": "b",
                "authorization": "Bearer x",
                "content-type": "text/plain",
            },
        )
    sent = seen[0].headers
    names = [name.lower() for name in sent]
    assert len(names) == len(set(names)), sorted(sent)
    by_name = {name.lower(): value for name, value in sent.items()}
    assert by_name["user-agent"] == "my-app/2"
    assert by_name["x-team"] == "b"
    assert by_name["authorization"] == f"Bearer {RECORDED_KEY}"
    assert by_name["content-type"] == "application/json"  # the body is the client's JSON
    assert by_name["idempotency-key"]
