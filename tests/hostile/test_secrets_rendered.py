"""The API key stays secret: not in reprs, logs at any level, exception text, tracebacks or CLI
output; never sent to another host on a redirect; TLS verification stays on."""

from __future__ import annotations

import logging
import traceback

import pytest

import ftclient
from ftclient.cli import main
from ftclient.testing import FineTuningEmulator
from tests.cli.conftest import ThreadedEmulator
from tests.conftest import NO_WAIT

KEY = "sk-proj-SECRET-3f9a7c1e5b2d4680aa11"
NOISY = ["", "aiohttp", "aiohttp.client", "aiohttp.access", "aiohttp.server", "ftclient"]


def leaks(text: str) -> bool:
    return KEY in text or KEY[8:] in text


def formatted(exc: BaseException) -> str:
    """What a traceback printer shows, chained causes and notes included."""
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(vars(exc))


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in NOISY:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


async def test_key_absent_from_reprs_logs_errors_and_tracebacks(
    emulator: FineTuningEmulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    seen: list[BaseException] = []
    async with ftclient.FineTuningClient(
        api_key=KEY, base_url=emulator.url, retry_policy=NO_WAIT
    ) as client:
        for text in (
            repr(client),
            repr(client._config),
            repr(client._transport),
            str(vars(client)),
        ):
            assert not leaks(text)
        job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")  # succeeds
        emulator.faults.add("retrieveFineTuningJob", "status", status=500)
        await client.jobs.retrieve(job.id)  # retried, then succeeds
        faults = [
            ("status", {"status": 503, "times": 3}),  # InternalServerError
            ("status", {"status": 401}),  # AuthenticationError
            ("html", {"times": 3}),
            ("drop_before", {"times": 3}),  # APIConnectionError from aiohttp's error
            ("delay", {"seconds": 0.3}),  # APITimeoutError: the call's whole timeout
            ("status", {"status": 200, "body": "{not json"}),  # APIResponseValidationError
        ]
        for kind, params in faults:
            emulator.faults.add("retrieveFineTuningJob", kind, **params)
            with pytest.raises(ftclient.APIError) as caught:
                await client.jobs.retrieve(job.id, timeout=0.1)
            seen.append(caught.value)
        with pytest.raises(ftclient.InvalidParameterError) as bad:
            await client.jobs.create(model="m", training_file="f", seed=-1)
        seen.append(bad.value)
    kinds = {type(e).__name__ for e in seen}
    assert {"InternalServerError", "AuthenticationError", "APIConnectionError"} <= kinds
    assert {"APITimeoutError", "APIResponseValidationError", "InvalidParameterError"} <= kinds
    assert any(e.__cause__ is not None for e in seen), "chained causes are printed too"
    for exc in seen:
        assert not leaks(formatted(exc)), type(exc).__name__
    assert debug_logs.records, "DEBUG logging was on and the client logged"
    assert any(r.name == "ftclient" for r in debug_logs.records)
    for record in debug_logs.records:
        assert not leaks(record.getMessage()), record.name
        assert not leaks(str(record.args)), record.name
    sent = [r for r in emulator.requests if r.headers.get("Authorization")]
    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in sent)


def test_cli_output_never_shows_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    server = ThreadedEmulator(seed=0, api_keys=[KEY])
    try:
        runs = [
            ["jobs", "create", "--model", "gpt-4o-mini", "--training-file", "file-t"],
            ["--json", "jobs", "list"],
            ["jobs", "list"],
            ["--json", "jobs", "get", "ftjob-missing"],  # 404
            ["jobs", "get", "../x"],
            ["jobs", "create", "--model", "m", "--training-file", "f", "--seed", "-1"],
        ]
        codes: list[int] = []
        outputs: list[str] = []
        for argv in runs:
            codes.append(main(["--base-url", server.url, "--api-key", KEY, *argv]))
            captured = capsys.readouterr()
            assert not leaks(captured.out + captured.err), argv
            outputs.append(captured.out + captured.err)
        wrong = KEY[:-1] + "X"  # a rejected key: the error names a masked form only
        codes.append(main(["--base-url", server.url, "--api-key", wrong, "jobs", "list"]))
        captured = capsys.readouterr()
        assert wrong not in captured.out + captured.err
        assert "401" in captured.err or "API key" in captured.err
    finally:
        server.close()
    assert codes[:3] == [0, 0, 0]
    assert codes[3:] == [1, 1, 2, 1], outputs[3:]  # 2: bad input, refused before sending
    assert "404" in outputs[3] or "not found" in outputs[3].lower()
    assert "seed" in outputs[5]


@pytest.mark.parametrize("status", [302, 307, 308])
async def test_redirects_are_not_followed_so_the_key_stays_home(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, status: int
) -> None:
    async with FineTuningEmulator() as elsewhere:
        assert elsewhere.port != emulator.port
        target = f"{elsewhere.url}/fine_tuning/jobs"
        emulator.faults.add(
            "listPaginatedFineTuningJobs", "status", status=status, headers={"Location": target}
        )
        with pytest.raises(ftclient.APIStatusError) as caught:
            await client.jobs.list()
        assert elsewhere.requests == []
    assert caught.value.status == status
    assert caught.value.headers["location"] == target
    assert len(emulator.requests) == 1  # not retried either


def test_plain_http_off_loopback_warns_and_sends_nothing() -> None:
    with pytest.warns(ftclient.InsecureURLWarning, match="plain http"):
        client = ftclient.FineTuningClient(api_key=KEY, base_url="http://api.example.com/v1")
    assert client.base_url == "http://api.example.com/v1"
    assert client._transport._session is None  # constructed only: no session, no traffic
    with pytest.raises(ftclient.InvalidParameterError):
        ftclient.FineTuningClient(api_key=KEY, base_url="https://user:pw@api.example.com/v1")


async def test_tls_verification_stays_on() -> None:
    client = ftclient.FineTuningClient(api_key=KEY)  # the real https base URL; nothing is sent
    try:
        connector = client._transport._get_session().connector
        assert connector is not None
        assert connector._ssl is True  # aiohttp's default: verify against the system CAs
        assert client.base_url.startswith("https://")
    finally:
        await client.aclose()
