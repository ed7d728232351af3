"""The API key stays secret: not in reprs, logs at any level, exception text, tracebacks or CLI
output; never sent to another host on a redirect; TLS verification stays on."""

from __future__ import annotations

import logging
import pathlib
import shutil
import ssl
import subprocess
import traceback

import aiohttp
import pytest
from aiohttp import web

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
            *(repr(part) for part in vars(client).values()),  # config, transport, runner...
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
    # Built in a function with no running loop: no session exists yet (aiohttp needs a loop).
    with pytest.raises(ftclient.InvalidParameterError):
        ftclient.FineTuningClient(api_key=KEY, base_url="https://user:pw@api.example.com/v1")


@pytest.fixture
def self_signed(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """A certificate and key for 127.0.0.1 that no CA signed (made by openssl, locally)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


async def test_tls_verification_stays_on(self_signed: tuple[pathlib.Path, pathlib.Path]) -> None:
    # A TLS server on 127.0.0.1 with a self-signed certificate: a client that verifies
    # certificates (aiohttp's default, against the system CAs) refuses it before sending.
    cert, key = self_signed
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with ftclient.FineTuningClient(
            api_key=KEY, base_url=f"https://127.0.0.1:{port}/v1", retry_policy=NO_WAIT
        ) as client:
            with pytest.raises(ftclient.APIConnectionError) as caught:
                await client.jobs.retrieve("ftjob-1")
    finally:
        await runner.cleanup()
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorCertificateError)
    assert not caught.value.request_sent
    assert seen == []
