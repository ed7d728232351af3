"""Strict only where the contract is explicit: what the document allows is sent as given, to a
recording server of the test's own that answers like the service; what a caller passes that
cannot be sent at all is refused clearly, and errors themselves are always printable."""

from __future__ import annotations

import io
import json
import logging
import traceback
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import ftclient

JOB = {
    "id": "ftjob-1",
    "object": "fine_tuning.job",
    "created_at": 1,
    "model": "gpt-4o-mini",
    "status": "queued",
    "training_file": "file-t",
    "organization_id": "org-1",
    "result_files": [],
    "seed": 1,
    "error": None,
    "fine_tuned_model": None,
    "finished_at": None,
    "hyperparameters": {"n_epochs": "auto", "batch_size": "auto"},
    "trained_tokens": None,
    "validation_file": None,
}


class Recorder:
    """A stand-in for the service on 127.0.0.1 that records what arrives."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, list[tuple[str, str]], Any]] = []

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        self.requests.append((request.method, request.path, list(request.query.items()), body))
        if request.method == "GET" and request.path.endswith(("/jobs", "/events", "/checkpoints")):
            return web.json_response({"object": "list", "data": [], "has_more": False})
        return web.json_response(JOB)


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield rec, f"http://127.0.0.1:{port}/v1"
    finally:
        await runner.cleanup()


def client_for(url: str) -> ftclient.FineTuningClient:
    return ftclient.FineTuningClient(api_key="sk-test", base_url=url, max_retries=0)


UNKNOWN_METHOD = {
    "type": "dpo",
    "dpo": {"hyperparameters": {"beta": 0.2, "x_future_knob": 3}, "x_block": True},
    "x_method": {"nested": [1, "two"]},
}


async def test_unknown_keys_are_sent_as_given_and_logged_once_at_debug(
    recorder: tuple[Recorder, str], caplog: pytest.LogCaptureFixture
) -> None:
    rec, url = recorder
    caplog.set_level(logging.DEBUG, logger="ftclient")
    async with client_for(url) as client:
        await client.jobs.create(model="m", training_file="f", method=UNKNOWN_METHOD)
        await client.graders.validate(
            grader={"type": "python", "name": "p", "source": "x", "x_sandbox": "strict"}
        )
    [(_, _, _, body), (_, _, _, grader_body)] = rec.requests
    assert body["method"] == UNKNOWN_METHOD
    assert grader_body["grader"]["x_sandbox"] == "strict"
    lines = [r.getMessage() for r in caplog.records if "does not name" in r.getMessage()]
    assert lines == [
        "sending fields that CreateFineTuningJobRequest does not name, as given: "
        "method.dpo.hyperparameters.x_future_knob, method.dpo.x_block, method.x_method",
        "sending fields that ValidateGraderRequest does not name, as given: grader.x_sandbox",
    ]
    assert all(r.levelno == logging.DEBUG for r in caplog.records if "does not name" in r.msg)


@pytest.mark.parametrize("suffix", ["a:b", "a b", "a/b", "modèle", "x" * 64, "-"])
async def test_any_suffix_of_1_to_64_characters_is_sent(
    recorder: tuple[Recorder, str], suffix: str
) -> None:
    rec, url = recorder
    async with client_for(url) as client:
        await client.jobs.create(model="m", training_file="f", suffix=suffix)
    assert rec.requests[0][3]["suffix"] == suffix


@pytest.mark.parametrize("limit", [0, -1, 100, 101, 10_000])
async def test_any_integer_limit_is_left_to_the_server(
    recorder: tuple[Recorder, str], limit: int
) -> None:
    rec, url = recorder
    async with client_for(url) as client:
        await client.jobs.list(limit=limit)
        await client.jobs.list_events("ftjob-1", limit=limit)
        await client.checkpoints.list("ftjob-1", limit=limit)
    assert [dict(q)["limit"] for _, _, q, _ in rec.requests] == [str(limit)] * 3


async def test_metadata_with_an_empty_key_and_a_512_character_value_is_sent(
    recorder: tuple[Recorder, str],
) -> None:
    rec, url = recorder
    metadata = {"": "empty key", "k": "v" * 512, **{f"k{i}": "v" for i in range(13)}}
    async with client_for(url) as client:
        await client.jobs.create(model="m", training_file="f", metadata=metadata, deduplicate=False)
        await client.jobs.create(
            model="m", training_file="f", idempotency_key="k" * 512, deduplicate=False
        )
    assert rec.requests[0][3]["metadata"] == metadata
    assert len(rec.requests) == 2


async def test_refused_input_sends_nothing_and_names_the_path(
    recorder: tuple[Recorder, str],
) -> None:
    rec, url = recorder
    method = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 99}}}
    async with client_for(url) as client:
        with pytest.raises(ftclient.InvalidParameterError) as caught:
            await client.jobs.create(model="m", training_file="f", method=method)
    assert str(caught.value) == "method.supervised.hyperparameters.n_epochs: must be <= 50, got 99"
    assert rec.requests == []


def test_repr_of_a_client_whose_constructor_failed_does_not_raise() -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        ftclient.FineTuningClient(api_key="k", base_url="http://127.0.0.1/v1", timeout=float("nan"))
    # Rendering the constructor's frame locals calls repr() of the half-built ``self``.
    rendered = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    assert "self = <FineTuningClient (not initialised)>" in "".join(rendered.format())


def test_an_error_message_with_a_lone_surrogate_prints() -> None:
    errors: list[ftclient.FTClientError] = [
        ftclient.InvalidParameterError("metadata['\udc80']", "bad \ud800"),
        ftclient.BadRequestError("Invalid value '\udc80'.", status=400),
        ftclient.APIConnectionError("reset while reading '\udc80'"),
    ]
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    for exc in errors:
        print(exc, file=out)
        out.flush()
        assert "\\udc80" in str(exc) or "\\ud800" in str(exc)
