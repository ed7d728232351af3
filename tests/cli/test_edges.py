"""The CLI's rough edges: one-line errors and warnings, no options that do nothing, local checks
before sending, an empty error body, a busy port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.cli.conftest import Runner, ThreadedEmulator


def test_a_usage_error_is_one_line_and_a_hint(bare_cli: Runner) -> None:
    result = bare_cli("jobs", "create", "--model", "gpt-4o-mini")
    assert result.code == 2
    assert result.err.splitlines() == [
        "ftclient jobs create: error: the following arguments are required: --training-file",
        "(see 'ftclient jobs create --help')",
    ]
    assert "usage:" not in result.err


@pytest.mark.parametrize(
    "argv",
    [
        ["jobs", "create", "--model", "", "--training-file", "file-abc"],
        ["jobs", "create", "--model", "gpt-4o-mini", "--training-file", " "],
    ],
)
def test_empty_create_arguments_exit_2_before_sending(
    cli: Runner, emu: ThreadedEmulator, argv: list[str]
) -> None:
    result = cli(*argv)
    assert result.code == 2
    assert "must not be empty" in result.err
    assert emu.emu.requests == []


@pytest.mark.parametrize(
    ("argv", "unknown"),
    [
        (["serve", "--organization", "org-x"], "--organization org-x"),
        (["serve", "--base-url", "http://127.0.0.1:1/v1"], "--base-url"),
        (["demo", "--json"], "--json"),
    ],
)
def test_options_that_would_do_nothing_are_not_offered(
    bare_cli: Runner, argv: list[str], unknown: str
) -> None:
    result = bare_cli(*argv)
    assert result.code == 2
    assert f"unrecognized arguments: {unknown}" in result.err
    assert len(result.err.splitlines()) == 2


def test_serve_on_a_busy_port_is_one_line(bare_cli: Runner) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = bare_cli("serve", "--port", str(port))
    assert result.code == 1
    assert result.err == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(choose another with --port, or --port 0)\n"
    )


def test_serve_runs_at_wall_speed_by_default() -> None:
    from ftclient.cli._parser import build_parser

    args = build_parser().parse_args(["serve"])
    assert args.speed == 1.0


def test_a_warning_is_one_line(bare_cli: Runner) -> None:
    # Plain http to a host that is not loopback warns; the empty id then fails before sending.
    result = bare_cli("--base-url", "http://ft.example/v1", "--api-key", "sk-x", "jobs", "get", "")
    assert result.code == 2
    assert result.err.splitlines() == [
        "warning: base_url 'http://ft.example/v1' is plain http to a host that is not loopback: "
        "the API key would travel unencrypted; use https",
        "error: job_id: must be a non-empty string",
    ]


class _EmptyNotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def empty_404_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _EmptyNotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_an_empty_404_says_what_it_likely_means(bare_cli: Runner, empty_404_server: str) -> None:
    result = bare_cli("--base-url", empty_404_server, "--api-key", "sk-x", "jobs", "list")
    assert result.code == 1
    assert result.err == (
        "error: 404 Not Found, with no error message in the response; is --base-url "
        "(OPENAI_BASE_URL) the API's, ending in /v1?\n"
    )
