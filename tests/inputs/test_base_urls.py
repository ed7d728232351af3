"""Odd base URLs, as users paste them: what reaches a server of the test's own on 127.0.0.1, or the
``InvalidParameterError`` raised before anything does.

A query in the base URL (Azure's portal shows ``...?api-version=...``) is carried into
``default_query`` instead of having the operation path appended after it
(``/v1?api-version=1/fine_tuning/jobs/...``); a fragment, credentials, spaces and control
characters are refused; the rest is sent the way it was meant.
"""

from __future__ import annotations

from typing import Any

import pytest

import ftclient

from .recorder import Recorder

JOB = "/fine_tuning/jobs/ftjob-1"

# (base URL after the server's http://127.0.0.1:PORT, path and query the server sees)
SENT = [
    ("/v1?api-version=2025-04-01", f"/v1{JOB}?api-version=2025-04-01"),
    ("/v1/?api-version=2025-04-01&x=", f"/v1{JOB}?api-version=2025-04-01&x="),
    ("?api-version=1", f"{JOB}?api-version=1"),
    ("/v1?", f"/v1{JOB}"),
    ("/v1?a=b%20c", f"/v1{JOB}?a=b+c"),
    ("/v1/", f"/v1{JOB}"),
    ("//v1", f"/v1{JOB}"),  # "https://host/" + "/v1": sent as ////v1 before
    ("/v1//x/", f"/v1/x{JOB}"),
    ("/v1/\u00fc", f"/v1/%C3%BC{JOB}"),  # sent raw (and refused by the server) before
    ("/v1 \n", f"/v1{JOB}"),  # a trailing newline from an env file
]
# (base URL after the server's address, the start of the message)
REFUSED = [
    ("/v1#frag", "must not contain a #fragment"),
    ("/v1#", "must not contain a #fragment"),
    ("/v1?a=1#f", "must not contain a #fragment"),
    ("/v 1", "must not contain spaces or control characters, found ' ' at index"),
    ("/v\t1", "must not contain spaces or control characters, found '\\t' at index"),
    ("/v1?a=1&a=2", "gives the query parameter 'a' more than once"),
]


async def _retrieve(**settings: Any) -> None:
    async with ftclient.FineTuningClient(api_key="sk-test", max_retries=0, **settings) as client:
        await client.jobs.retrieve("ftjob-1")


@pytest.mark.parametrize(("tail", "sent"), SENT)
@pytest.mark.parametrize("source", ["argument", "OPENAI_BASE_URL"])
async def test_an_odd_base_url_is_sent_as_meant(
    tail: str, sent: str, source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Recorder().running() as server:
        base = server.url + tail
        if source == "argument":
            await _retrieve(base_url=base)
        else:
            monkeypatch.setenv("OPENAI_BASE_URL", base)
            await _retrieve()
        assert [(method, path) for method, path, _ in server.requests] == [("GET", sent)]


@pytest.mark.parametrize(("tail", "message"), REFUSED)
@pytest.mark.parametrize("source", ["argument", "OPENAI_BASE_URL"])
async def test_a_base_url_that_cannot_be_meant_is_refused_before_sending(
    tail: str, message: str, source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with Recorder().running() as server:
        base = server.url + tail
        settings = {"base_url": base}
        if source != "argument":
            monkeypatch.setenv("OPENAI_BASE_URL", base)
            settings = {}
        with pytest.raises(ftclient.InvalidParameterError) as caught:
            await _retrieve(**settings)
        assert (server.connections, server.requests) == (0, [])
    assert caught.value.param == "base_url"
    assert caught.value.message.startswith(message), caught.value.message
    if source != "argument":
        assert caught.value.message.endswith("(from OPENAI_BASE_URL)")


@pytest.mark.parametrize(
    "userinfo", ["user:pass@", "user@", ":pass@", "sk-abc:@"], ids=["both", "user", "pass", "key"]
)
async def test_credentials_in_the_base_url_are_refused(userinfo: str) -> None:
    async with Recorder().running() as server:
        with pytest.raises(ftclient.InvalidParameterError) as caught:
            await _retrieve(base_url=server.url.replace("//", "//" + userinfo) + "/v1")
        assert (server.connections, server.requests) == (0, [])
    assert str(caught.value) == "base_url: must not contain credentials"


async def test_the_base_url_query_is_a_default_query_that_the_others_override() -> None:
    async with Recorder().running() as server:
        async with ftclient.FineTuningClient(
            api_key="sk-test",
            base_url=server.url + "/v1?api-version=1&team=a&keep=1",
            default_query={"team": "b"},
        ) as client:
            assert client.base_url == server.url + "/v1"
            await client.jobs.retrieve("ftjob-1", extra_query={"keep": "2"})
            await client.jobs.list(after="ftjob-0").to_list()
        paths = [path for _, path, _ in server.requests]
    assert paths == [
        f"/v1{JOB}?api-version=1&team=b&keep=2",
        "/v1/fine_tuning/jobs?api-version=1&team=b&keep=1&after=ftjob-0",
    ]


@pytest.mark.parametrize(
    ("endpoint", "version", "sent"),
    [
        ("?api-version=2024-10-21", None, "api-version=2024-10-21"),
        ("/?api-version=2024-10-21", "2025-04-01-preview", "api-version=2025-04-01-preview"),
        ("?x=1&api-version=2024-10-21", None, "x=1&api-version=2024-10-21"),
    ],
)
async def test_an_azure_endpoint_pasted_with_its_api_version(
    endpoint: str, version: str | None, sent: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_VERSION", "from-env")  # the endpoint's own version wins
    async with Recorder().running() as server:
        async with ftclient.AzureFineTuningClient(
            azure_endpoint=server.url + endpoint, api_version=version, api_key="k"
        ) as client:
            assert client.base_url == server.url + "/openai"
            await client.jobs.retrieve("ftjob-1")
        ((_, path, headers),) = server.requests
    assert path == f"/openai{JOB}?{sent}"
    assert headers["api-key"] == "k"


async def test_an_azure_endpoint_with_a_fragment_is_refused() -> None:
    async with Recorder().running() as server:
        with pytest.raises(ftclient.InvalidParameterError) as caught:
            ftclient.AzureFineTuningClient(
                azure_endpoint=server.url + "/#x", api_version="v", api_key="k"
            )
        assert (server.connections, server.requests) == (0, [])
    assert caught.value.param == "azure_endpoint"
