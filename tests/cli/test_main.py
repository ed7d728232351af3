"""Argument handling, exit codes and the process boundary (``python -m ftclient``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.cli.conftest import API_KEY, Runner, ThreadedEmulator

RUN = [sys.executable, "-m", "ftclient"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(extra)
    return env


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_help_via_python_m() -> None:
    result = subprocess.run(
        [*RUN, "--help"], capture_output=True, text=True, timeout=60, env=_env()
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: ftclient")
    for command in ("jobs", "checkpoints", "permissions", "graders", "serve", "demo"):
        assert command in result.stdout


def test_connection_error_exit_code_via_process() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    result = subprocess.run(
        [*RUN, "--base-url", url, "--max-retries", "0", "jobs", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(OPENAI_API_KEY=API_KEY),
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: connection error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert API_KEY not in result.stderr


def test_missing_key_is_a_usage_error(bare_cli: Runner) -> None:
    result = bare_cli("--base-url", "http://127.0.0.1:9/v1", "jobs", "list")
    assert result.code == 2
    assert result.err == (
        "error: no API key: pass --api-key or set OPENAI_API_KEY (`ftclient demo` needs none)\n"
    )


def test_key_from_the_environment(
    cli: Runner, emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", emu.url)
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_env")
    result = cli("--json", "jobs", "list", auth=False)
    assert (result.code, json.loads(result.out)) == (0, [])
    request = emu.emu.requests[-1]
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["OpenAI-Project"] == "proj_env"


def test_global_options_anywhere(cli: Runner, emu: ThreadedEmulator) -> None:
    # --json and --organization after the command, --timeout before it.
    result = cli("--timeout", "30", "jobs", "list", "--json", "--organization", "org_x")
    assert json.loads(result.out) == []
    assert emu.emu.requests[-1].headers["OpenAI-Organization"] == "org_x"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["jobs"],
        ["bogus"],
        ["jobs", "get"],
        ["jobs", "list", "--limit", "0"],
        ["jobs", "list", "--metadata", "novalue"],
        ["jobs", "list", "--metadata", "a=b", "--no-metadata"],
        ["jobs", "create", "--model", "m"],
        ["jobs", "create", "--model", "m", "--training-file", "f", "--n-epochs", "many"],
        ["jobs", "create", "--model", "m", "--training-file", "f", "--method", "magic"],
        ["jobs", "wait", "ftjob-x", "--poll-interval", "0"],
        ["permissions", "grant", "ckpt"],
        ["permissions", "list", "ckpt", "--order", "sideways"],
        ["graders", "run", "--sample", "x"],
        ["demo", "--speed", "-1"],
    ],
)
def test_usage_errors_exit_2(bare_cli: Runner, argv: list[str]) -> None:
    result = bare_cli(*argv)
    assert result.code == 2
    [error, hint] = result.err.splitlines()
    assert error.startswith("ftclient")
    assert ": error: " in error
    assert hint.startswith("(see 'ftclient")
    assert hint.endswith(" --help')")
    assert result.out == ""


def test_help_and_version(bare_cli: Runner) -> None:
    result = bare_cli("jobs", "create", "--help")
    assert result.code == 0
    assert "--learning-rate-multiplier" in result.out
    result = bare_cli("--version")
    assert result.code == 0
    assert result.out.startswith("ftclient ")


def test_bad_base_url_is_a_usage_error(bare_cli: Runner) -> None:
    result = bare_cli("--api-key", API_KEY, "--base-url", "ftp://x", "jobs", "list")
    assert result.code == 2
    assert result.err == "error: base_url: must be an http(s) URL with a host, got 'ftp://x'\n"


def test_authentication_error_does_not_echo_the_key(
    capsys: pytest.CaptureFixture[str], clean_env: None
) -> None:
    from ftclient.cli import main

    server = ThreadedEmulator(api_keys=["sk-the-right-one"])
    try:
        code = main(["--base-url", server.url, "--api-key", API_KEY, "jobs", "list"])
    finally:
        server.close()
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith("error: 401 ")
    assert API_KEY not in captured.err


def test_closed_stdout_ends_quietly() -> None:
    proc = subprocess.Popen(
        [*RUN, "demo", "--speed", "400"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("ftclient demo")
    proc.stdout.close()  # like `ftclient demo | head -1`
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141
    assert err == ""
