"""Every control character but tab, in every value ftclient sends in a header or as the base URL,
from every argument and environment variable: ``InvalidParameterError`` naming the parameter
(and the variable it came from), and not one connection to the server.

aiohttp refuses ``\\x01``-``\\x08``, ``\\x0b``-``\\x1f`` and DEL only when it writes the request,
with a bare ``ValueError`` after the connection is open; the same value with ``-`` in place of the
control character reaches the server, which proves that each entry point does send.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import attrs
import pytest

import ftclient
from ftclient import webhooks

from .recorder import Recorder

# Every character aiohttp refuses in a header: the C0 controls but tab, and DEL. CR, LF and NUL
# (refused before this table existed) come last.
CONTROLS = sorted(
    (chr(c) for c in [*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F]), key=lambda c: c in "\r\n\0"
)
ENVIRONMENT = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "OPENAI_API_VERSION",
)
AZURE = {"api_version": "2025-04-01-preview"}
GRADER = {"type": "string_check", "name": "g", "input": "a", "reference": "a", "operation": "eq"}
CKPT = "ft:gpt-4o-mini:org::abc:ckpt-step-1"
NOT_A_NAME = "is not a valid header name"

Client = ftclient.FineTuningClient
Act = Callable[[str, str], Awaitable[Any]]  # (server url, marker) -> the calls


@attrs.frozen
class Entry:
    """One way a value reaches a header or the URL: ``marker(c)`` is the value built around the
    character, ``act`` sends it, ``param`` is what the error must name, ``variable`` the
    environment variable the value is read from (if any), ``says`` what the message must say."""

    id: str
    param: Callable[[str], str]
    marker: Callable[[str], str]
    act: Act
    variable: str | None = None
    says: str = "control characters"


async def _finish(result: object) -> None:
    if inspect.isawaitable(result):
        await result
    elif hasattr(result, "to_list"):  # a list method's paginator: fetch its first page
        await result.to_list()


async def _retrieve(client: Client) -> None:
    async with client:
        await client.jobs.retrieve("ftjob-1")


def client_arg(name: str, wrap: Callable[[str, str], Any] = lambda url, m: m) -> Act:
    async def act(url: str, marker: str) -> None:
        settings = {"api_key": "sk-test", "base_url": url + "/v1", "max_retries": 0}
        await _retrieve(Client(**{**settings, name: wrap(url, marker)}))

    return act


def from_env(variable: str, *, azure: bool = False) -> Act:
    # The variable itself is set by the test (monkeypatch) before act runs.
    async def act(url: str, marker: str) -> None:
        if azure:
            settings = {"api_key": "k", "azure_endpoint": url, **AZURE, "max_retries": 0}
            settings.pop(_AZURE_SOURCE[variable], None)
            await _retrieve(ftclient.AzureFineTuningClient(**settings))
        else:
            settings = {"api_key": "sk-test", "base_url": url + "/v1", "max_retries": 0}
            settings.pop(_SOURCE[variable], None)
            await _retrieve(Client(**settings))

    return act


_SOURCE = {
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
    "OPENAI_ORG_ID": "organization",
    "OPENAI_PROJECT_ID": "project",
}
_AZURE_SOURCE = {"AZURE_OPENAI_API_KEY": "api_key", "AZURE_OPENAI_ENDPOINT": "azure_endpoint"}

METHODS: dict[str, Callable[[Client, dict[str, str]], object]] = {
    "jobs.create": lambda c, h: c.jobs.create(model="m", training_file="f", extra_headers=h),
    "jobs.retrieve": lambda c, h: c.jobs.retrieve("ftjob-1", extra_headers=h),
    "jobs.list": lambda c, h: c.jobs.list(extra_headers=h),
    "jobs.cancel": lambda c, h: c.jobs.cancel("ftjob-1", extra_headers=h),
    "jobs.pause": lambda c, h: c.jobs.pause("ftjob-1", extra_headers=h),
    "jobs.resume": lambda c, h: c.jobs.resume("ftjob-1", extra_headers=h),
    "jobs.list_events": lambda c, h: c.jobs.list_events("ftjob-1", extra_headers=h),
    "checkpoints.list": lambda c, h: c.checkpoints.list("ftjob-1", extra_headers=h),
    "permissions.create": lambda c, h: c.permissions.create(
        CKPT, project_ids=["proj-1"], extra_headers=h
    ),
    "permissions.list": lambda c, h: c.permissions.list(CKPT, extra_headers=h),
    "permissions.delete": lambda c, h: c.permissions.delete(CKPT, "cp-1", extra_headers=h),
    "graders.run": lambda c, h: c.graders.run(grader=GRADER, model_sample="a", extra_headers=h),
    "graders.validate": lambda c, h: c.graders.validate(grader=GRADER, extra_headers=h),
}


def per_call(method: str, headers: Callable[[str], dict[str, str]]) -> Act:
    async def act(url: str, marker: str) -> None:
        async with Client(api_key="sk-test", base_url=url + "/v1", max_retries=0) as client:
            await _finish(METHODS[method](client, headers(marker)))

    return act


async def _create_with_key(url: str, marker: str) -> None:
    async with Client(api_key="sk-test", base_url=url + "/v1", max_retries=0) as client:
        await client.jobs.create(model="m", training_file="f", idempotency_key=marker)


def _entries() -> Iterator[Entry]:
    def fixed(name: str) -> Callable[[str], str]:
        return lambda m: name

    def named(param: str) -> Callable[[str], str]:
        return lambda m: f"{param}[{m!r:.60}]"

    yield Entry("organization", fixed("organization"), "org{}1".format, client_arg("organization"))
    yield Entry("project", fixed("project"), "proj{}1".format, client_arg("project"))
    yield Entry("api_key", fixed("api_key"), "sk-test{}key".format, client_arg("api_key"))
    yield Entry(
        "base_url",
        fixed("base_url"),
        "v{}1".format,
        client_arg("base_url", wrap=lambda url, m: f"{url}/{m}"),
    )
    yield Entry(
        "default_headers-value",
        fixed("default_headers['X-Team']"),
        "team{}1".format,
        client_arg("default_headers", wrap=lambda url, m: {"X-Team": m}),
    )
    yield Entry(
        "default_headers-name",
        named("default_headers"),
        "X{}Team".format,
        client_arg("default_headers", wrap=lambda url, m: {m: "1"}),
        says=NOT_A_NAME,
    )
    yield Entry(
        "azure_endpoint",
        fixed("azure_endpoint"),
        "r{}1".format,
        _azure_endpoint,
    )
    for variable, param, marker in [
        ("OPENAI_ORG_ID", "organization", "org{}1"),
        ("OPENAI_PROJECT_ID", "project", "proj{}1"),
        ("OPENAI_API_KEY", "api_key", "sk-test{}key"),
        ("OPENAI_BASE_URL", "base_url", "v{}1"),
    ]:
        yield Entry(variable, fixed(param), marker.format, from_env(variable), variable)
    yield Entry(
        "AZURE_OPENAI_API_KEY",
        fixed("api_key"),
        "az{}key".format,
        from_env("AZURE_OPENAI_API_KEY", azure=True),
        "AZURE_OPENAI_API_KEY",
    )
    yield Entry(
        "AZURE_OPENAI_ENDPOINT",
        fixed("azure_endpoint"),
        "r{}1".format,
        from_env("AZURE_OPENAI_ENDPOINT", azure=True),
        "AZURE_OPENAI_ENDPOINT",
    )
    for method in METHODS:
        yield Entry(
            f"{method}-extra_headers-value",
            fixed("extra_headers['X-Trace']"),
            "trace{}1".format,
            per_call(method, lambda m: {"X-Trace": m}),
        )
    yield Entry(
        "jobs.retrieve-extra_headers-name",
        named("extra_headers"),
        "X{}Trace".format,
        per_call("jobs.retrieve", lambda m: {m: "1"}),
        says=NOT_A_NAME,
    )
    yield Entry("idempotency_key", fixed("idempotency_key"), "key{}1".format, _create_with_key)


async def _azure_endpoint(url: str, marker: str) -> None:
    client = ftclient.AzureFineTuningClient(
        azure_endpoint=f"{url}/{marker}", api_key="k", max_retries=0, **AZURE
    )
    await _retrieve(client)


ENTRIES = list(_entries())


def _reached(server: Recorder, marker: str) -> bool:
    return any(
        marker in path or any(marker in name or marker in value for name, value in head.items())
        for _, path, head in server.requests
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
async def test_every_control_character_is_refused_before_anything_is_sent(
    entry: Entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    async with Recorder().running() as server:
        url = server.url
        refused = []
        # the environment cannot hold NUL (os.environ refuses it)
        controls = [c for c in CONTROLS if not (entry.variable and c == "\x00")]
        for control in controls:
            marker = entry.marker(control)
            if entry.variable:
                monkeypatch.setenv(entry.variable, _env_value(entry, url, marker))
            with pytest.raises(ftclient.InvalidParameterError) as caught:
                await entry.act(url, marker)
            error = caught.value
            assert error.param == entry.param(marker), (repr(control), str(error))
            assert entry.says in error.message, (repr(control), error.message)
            if entry.variable:
                assert error.message.endswith(f"(from {entry.variable})"), error.message
            refused.append(control)
        assert (server.connections, server.requests) == (0, [])
        assert len(refused) == len(controls) >= 31

        # The same entry point with "-" in place of the character does send it.
        good = entry.marker("-")
        if entry.variable:
            monkeypatch.setenv(entry.variable, _env_value(entry, url, good))
        # The server answers every operation with a job; reaching it is the point.
        with contextlib.suppress(ftclient.APIResponseValidationError):
            await entry.act(url, good)
        assert server.connections >= 1
        assert _reached(server, good), server.requests


def _env_value(entry: Entry, url: str, marker: str) -> str:
    if entry.variable in ("OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT"):
        return f"{url}/{marker}"
    return marker


@pytest.mark.parametrize(
    ("settings", "call_headers", "sent"),
    [
        ({"organization": "org\t1"}, None, ("OpenAI-Organization", "org\t1")),
        ({"default_headers": {"X-Team": "a\tb"}}, None, ("X-Team", "a\tb")),
        ({}, {"X-Trace": "a\tb"}, ("X-Trace", "a\tb")),
    ],
)
async def test_a_tab_inside_a_header_value_is_sent_as_given(
    settings: dict[str, Any], call_headers: dict[str, str] | None, sent: tuple[str, str]
) -> None:
    async with Recorder().running() as server:
        async with Client(api_key="sk-test", base_url=server.url + "/v1", **settings) as client:
            await client.jobs.retrieve("ftjob-1", extra_headers=call_headers)
        ((_, _, headers),) = server.requests
    name, value = sent
    assert headers[name] == value


@pytest.mark.parametrize("control", CONTROLS)
def test_a_webhook_id_with_a_control_character_is_refused(control: str) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        webhooks.sign(b"{}", secret=b"k" * 32, msg_id=f"msg{control}1", timestamp=100)
    assert caught.value.param == "msg_id"
