"""Real deployments: Azure OpenAI's request shape, proxies from the environment, extra_* options."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import ftclient

from .fake_api import FakeAPI, job_document

JOB = {**job_document("ftjob-1", 1), "status": "queued"}


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[web.Request]]]:
    seen: list[web.Request] = []

    async def anything(request: web.Request) -> web.Response:
        await request.read()
        seen.append(request)
        return web.json_response(JOB)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", anything)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}", seen
    await runner.cleanup()


async def test_azure_sends_what_the_official_azure_client_sends(
    recorder: tuple[str, list[web.Request]],
) -> None:
    endpoint, seen = recorder
    async with ftclient.AzureFineTuningClient(
        azure_endpoint=endpoint + "/", api_version="2025-04-01-preview", api_key="azure-key-123"
    ) as client:
        job = await client.jobs.retrieve("ftjob-1")
        await client.jobs.cancel("ftjob-1", extra_query={"trace": "1"})
    assert job.id == "ftjob-1"
    first, second = seen
    assert first.path == "/openai/fine_tuning/jobs/ftjob-1"
    assert first.query["api-version"] == "2025-04-01-preview"
    assert first.headers["api-key"] == "azure-key-123"
    assert "Authorization" not in first.headers
    assert second.path == "/openai/fine_tuning/jobs/ftjob-1/cancel"
    assert (second.query["api-version"], second.query["trace"]) == ("2025-04-01-preview", "1")


def test_azure_needs_an_endpoint_a_version_and_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ftclient.InvalidParameterError, match="azure_endpoint"):
        ftclient.AzureFineTuningClient(api_version="v", api_key="k")
    with pytest.raises(ftclient.InvalidParameterError, match="api_version"):
        ftclient.AzureFineTuningClient(azure_endpoint="http://127.0.0.1:9", api_key="k")
    with pytest.raises(ftclient.InvalidParameterError, match="AZURE_OPENAI_API_KEY"):
        ftclient.AzureFineTuningClient(azure_endpoint="http://127.0.0.1:9", api_version="v")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "from-env")
    client = ftclient.AzureFineTuningClient()
    assert client.base_url == "http://127.0.0.1:9/openai"


class Proxy:
    """A forward proxy on 127.0.0.1 that answers every request itself and records its line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.lines.append(head.split(b"\r\n", 1)[0].decode())
        body = json.dumps(JOB).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    proxy = Proxy()
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    yield proxy
    server.close()
    await server.wait_closed()


async def test_http_proxy_and_no_proxy_from_the_environment_are_honoured(
    proxy: Proxy, api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with ftclient.FineTuningClient(api_key="k", base_url=api.url) as client:
        await client.jobs.retrieve("ftjob-1")
    assert proxy.lines == [f"GET {api.url}/fine_tuning/jobs/ftjob-1 HTTP/1.1"]
    assert api.seen == []  # it went through the proxy
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    api.add_job()
    async with ftclient.FineTuningClient(api_key="k", base_url=api.url) as client:
        await client.jobs.retrieve("ftjob-1")
    assert len(proxy.lines) == 1
    assert len(api.sent("retrieve")) == 1


async def test_a_borrowed_session_keeps_its_own_proxy_settings(
    proxy: Proxy, api: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment's proxy is for the client's own session; a session you pass decides alone
    # (aiohttp's trust_env, or proxy= per request in your own code).
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    job = api.add_job()
    async with (
        aiohttp.ClientSession() as session,
        ftclient.FineTuningClient(api_key="k", base_url=api.url, session=session) as client,
    ):
        assert (await client.jobs.retrieve(job["id"])).id == job["id"]
    assert proxy.lines == []
    assert len(api.sent("retrieve")) == 1


async def test_extra_body_query_and_headers_are_sent_as_given(
    recorder: tuple[str, list[web.Request]],
) -> None:
    url, seen = recorder
    async with ftclient.FineTuningClient(api_key="k", base_url=url + "/v1") as client:
        await client.jobs.create(
            model="gpt-4o-mini",
            training_file="file-t",
            extra_body={"new_option": {"deep": [1, 2]}, "seed": 7},
            extra_query={"beta": "true"},
            extra_headers={"OpenAI-Beta": "fine-tuning=v2"},
        )
    [request] = seen
    body: dict[str, Any] = json.loads(await request.read())
    assert body["new_option"] == {"deep": [1, 2]}
    assert body["seed"] == 7  # extra_body wins over the documented argument, as in openai-python
    assert request.query["beta"] == "true"
    assert request.headers["OpenAI-Beta"] == "fine-tuning=v2"


@pytest.mark.parametrize(
    ("option", "value"), [("extra_body", ["x"]), ("extra_query", "a=b"), ("extra_headers", [1])]
)
async def test_extra_options_of_the_wrong_kind_are_refused_before_sending(
    recorder: tuple[str, list[web.Request]], option: str, value: Any
) -> None:
    url, seen = recorder
    async with ftclient.FineTuningClient(api_key="k", base_url=url + "/v1") as client:
        with pytest.raises(ftclient.InvalidParameterError, match=option):
            await client.jobs.retrieve("ftjob-1", **{option: value})
    assert seen == []
