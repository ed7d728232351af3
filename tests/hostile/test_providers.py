"""Each provider's client against a server of the test's own that behaves like that provider:
the URL, the auth header and the body sent; the lambda grader both ways; local refusals."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import ftclient
from ftclient.models import FineTuneMethod, FineTuneReinforcementMethod, GraderLambda
from ftclient.providers import BEDROCK, OPENAI, provider

from .fake_api import job_document

ARN = "arn:aws:lambda:us-west-2:123456789012:function:reward-fn"
LAMBDA_METHOD = {
    "type": "reinforcement",
    "reinforcement": {"grader": {"type": "lambda", "lambda": {"function": ARN}}},
}


class Recorder:
    """Answers every request with a job (echoing the create's method), like Bedrock's
    ``/v1/fine_tuning/jobs`` would; refuses tokens not in ``tokens`` with 401 when given."""

    def __init__(self, tokens: set[str] | None = None) -> None:
        self.seen: list[tuple[str, str, dict[str, str], dict[str, str], Any]] = []
        self.tokens = tokens

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        self.seen.append(
            (request.method, request.path, dict(request.query), dict(request.headers), body)
        )
        auth = request.headers.get("Authorization", "")
        if self.tokens is not None and auth.removeprefix("Bearer ") not in self.tokens:
            return web.json_response({"error": {"message": "expired", "code": "401"}}, status=401)
        job = {**job_document("ftjob-1", 1), "status": "queued"}
        if body and "method" in body:
            job["method"] = body["method"]
        return web.json_response(job)


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, Recorder]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", rec
    await runner.cleanup()


def test_provider_descriptions_are_data() -> None:
    assert provider("bedrock") is BEDROCK
    assert (
        BEDROCK.base_url.format(region="us-west-2") == "https://bedrock-mantle.us-west-2.api.aws/v1"
    )
    rule = BEDROCK.data_rule("reinforcement")
    assert rule is not None
    assert (rule.min_examples, rule.max_examples) == (100, 20_000)
    assert OPENAI.data_rule("reinforcement") is None
    assert "grader:lambda" in BEDROCK.additions
    assert not OPENAI.additions
    with pytest.raises(ftclient.InvalidParameterError, match="profile"):
        provider("vertex")


def test_bedrock_url_from_region_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ftclient.InvalidParameterError, match="region"):
        ftclient.BedrockFineTuningClient(api_key="k")
    with pytest.raises(ftclient.InvalidParameterError, match="AWS_BEARER_TOKEN_BEDROCK"):
        ftclient.BedrockFineTuningClient(region="us-west-2")
    with pytest.raises(ftclient.InvalidParameterError, match="region"):
        ftclient.BedrockFineTuningClient(region="us west", api_key="k")
    client = ftclient.BedrockFineTuningClient(region="eu-central-1", api_key="k")
    assert client.base_url == "https://bedrock-mantle.eu-central-1.api.aws/v1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key-from-env")
    assert ftclient.BedrockFineTuningClient().base_url.startswith(
        "https://bedrock-mantle.us-east-1"
    )
    monkeypatch.setenv("AWS_REGION", "us-west-2")  # AWS_REGION wins, as in the AWS SDKs
    assert ftclient.BedrockFineTuningClient().base_url.startswith(
        "https://bedrock-mantle.us-west-2"
    )
    assert ftclient.BedrockFineTuningClient().provider is BEDROCK


async def test_bedrock_sends_bearer_key_and_the_lambda_grader(
    recorder: tuple[str, Recorder],
) -> None:
    url, rec = recorder
    async with ftclient.BedrockFineTuningClient(
        api_key="bedrock-api-key-123", base_url=url + "/v1"
    ) as client:
        job = await client.jobs.create(
            model="openai.gpt-oss-20b",
            training_file="file-1",
            method=FineTuneMethod(
                type="reinforcement",
                reinforcement=FineTuneReinforcementMethod(grader=GraderLambda(function=ARN)),
            ),
        )
    method, path, _, headers, body = rec.seen[0]
    assert (method, path) == ("POST", "/v1/fine_tuning/jobs")
    assert headers["Authorization"] == "Bearer bedrock-api-key-123"
    assert body["method"] == LAMBDA_METHOD
    assert job.method is not None
    assert job.method.reinforcement is not None
    grader = job.method.reinforcement.grader
    assert isinstance(grader, GraderLambda)
    assert grader.function == ARN
    assert ftclient.to_dict(grader) == LAMBDA_METHOD["reinforcement"]["grader"]


async def test_the_lambda_grader_as_a_mapping_is_checked_not_refused(
    recorder: tuple[str, Recorder],
) -> None:
    url, rec = recorder
    async with ftclient.FineTuningClient(api_key="k", base_url=url + "/v1") as client:
        await client.jobs.create(model="m", training_file="f", method=LAMBDA_METHOD)
        with pytest.raises(ftclient.InvalidParameterError, match=r"grader.lambda: is required"):
            await client.jobs.create(
                model="m",
                training_file="f",
                method={"type": "reinforcement", "reinforcement": {"grader": {"type": "lambda"}}},
            )
    assert len(rec.seen) == 1
    assert rec.seen[0][4]["method"] == LAMBDA_METHOD


async def test_bedrock_refuses_what_it_does_not_support_and_only_bedrock(
    recorder: tuple[str, Recorder],
) -> None:
    url, rec = recorder
    async with ftclient.BedrockFineTuningClient(api_key="k", base_url=url + "/v1") as bedrock:
        with pytest.raises(ftclient.InvalidParameterError, match=r"suffix.*Amazon Bedrock"):
            await bedrock.jobs.create(model="m", training_file="f", suffix="mine")
        with pytest.raises(ftclient.InvalidParameterError, match=r"suffix.*Amazon Bedrock"):
            await bedrock.jobs.create(model="m", training_file="f", extra_body={"suffix": "x"})
        with pytest.raises(ftclient.InvalidParameterError, match=r"permissions.list.*Bedrock"):
            bedrock.permissions.list("ft:gpt-4o-mini:org::ckpt-1")
        with pytest.raises(ftclient.InvalidParameterError, match=r"graders.validate.*Bedrock"):
            await bedrock.graders.validate(
                grader={
                    "type": "string_check",
                    "name": "g",
                    "input": "a",
                    "reference": "b",
                    "operation": "eq",
                }
            )
    assert rec.seen == []  # nothing left
    async with ftclient.FineTuningClient(api_key="k", base_url=url + "/v1") as openai:
        await openai.jobs.create(model="m", training_file="f", suffix="mine")
    assert rec.seen[0][4]["suffix"] == "mine"


def _jwt(exp: float) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': exp, 'aud': 'cognitiveservices'})}.sig"


async def test_azure_entra_token_travels_as_bearer_and_is_renewed_when_it_expires(
    recorder: tuple[str, Recorder],
) -> None:
    import time

    url, rec = recorder
    now = time.time()
    issued = [_jwt(now + 3600), _jwt(now + 120), _jwt(now + 7200)]
    calls: list[str] = []

    async def token_provider() -> str:
        calls.append(issued[len(calls)])
        return calls[-1]

    async with ftclient.AzureFineTuningClient(
        azure_endpoint=url, api_version="2025-04-01-preview", azure_ad_token_provider=token_provider
    ) as client:
        for _ in range(3):  # a token good for an hour: asked once
            await client.jobs.retrieve("ftjob-1")
        assert len(calls) == 1
        source = client._transport.tokens
        assert source is not None
        source.invalidate()  # as a 401 does: the next request asks again
        await client.jobs.retrieve("ftjob-1")  # gets a token that expires within the margin
        await client.jobs.retrieve("ftjob-1")  # so this one asks again
    assert len(calls) == 3
    sent = [headers.get("Authorization") for _, _, _, headers, _ in rec.seen]
    assert sent == [f"Bearer {t}" for t in (issued[0],) * 3 + (issued[1], issued[2])]
    assert all("api-key" not in headers for _, _, _, headers, _ in rec.seen)
    assert {path for _, path, _, _, _ in rec.seen} == {"/openai/fine_tuning/jobs/ftjob-1"}
    assert {q["api-version"] for _, _, q, _, _ in rec.seen} == {"2025-04-01-preview"}


async def test_azure_entra_token_dropped_after_401(recorder: tuple[str, Recorder]) -> None:
    url, rec = recorder
    rec.tokens = {"second-token"}
    tokens = iter(["first-token", "second-token"])

    async def token_provider() -> str:
        return next(tokens)

    async with ftclient.AzureFineTuningClient(
        azure_endpoint=url, api_version="v", azure_ad_token_provider=token_provider
    ) as client:
        with pytest.raises(ftclient.AuthenticationError):
            await client.jobs.retrieve("ftjob-1")
        job = await client.jobs.retrieve("ftjob-1")
    assert job.id == "ftjob-1"
    assert [h["Authorization"] for _, _, _, h, _ in rec.seen] == [
        "Bearer first-token",
        "Bearer second-token",
    ]


async def test_azure_token_provider_arguments() -> None:
    async def token_provider() -> str:
        return "t"

    with pytest.raises(ftclient.InvalidParameterError, match="api_key"):
        ftclient.AzureFineTuningClient(
            azure_endpoint="http://127.0.0.1:9",
            api_version="v",
            api_key="k",
            azure_ad_token_provider=token_provider,
        )
    with pytest.raises(ftclient.InvalidParameterError, match="azure_ad_token_provider"):
        ftclient.AzureFineTuningClient(
            azure_endpoint="http://127.0.0.1:9",
            api_version="v",
            azure_ad_token_provider="not callable",  # type: ignore[arg-type]
        )


async def test_a_token_provider_returning_no_token_fails_before_sending(
    recorder: tuple[str, Recorder],
) -> None:
    url, rec = recorder

    async def token_provider() -> object:
        return None

    async with ftclient.AzureFineTuningClient(
        azure_endpoint=url, api_version="v", azure_ad_token_provider=token_provider
    ) as client:
        with pytest.raises(ftclient.InvalidParameterError, match="azure_ad_token_provider"):
            await client.jobs.retrieve("ftjob-1")
    assert rec.seen == []
