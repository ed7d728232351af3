"""Fixtures for the CLI: an emulator served from a background thread, and a runner of ``main``.

``ftclient.cli.main`` calls ``asyncio.run``, so the tests are synchronous and the emulator gets
its own event loop in a thread. Its clock stands still unless a test advances it, so every job
moves exactly when the test says.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any, NamedTuple, TypeVar

import pytest

from ftclient.cli import main
from ftclient.testing import FineTuningEmulator
from tests.spec.request_validator import validate_request

T = TypeVar("T")

API_KEY = "sk-test-cli-secret-0123456789"


def assert_requests_conform(emulator: FineTuningEmulator) -> None:
    """Fail if any request the CLI sent breaks the OpenAPI document."""
    problems: list[str] = []
    for record in emulator.requests:
        problems += validate_request(
            record.method, record.path, record.query, record.headers, record.body
        )
    assert not problems, "requests that break the OpenAPI document:\n" + "\n".join(problems)


class Result(NamedTuple):
    """What one ``ftclient`` invocation produced."""

    code: int
    out: str
    err: str


class ThreadedEmulator:
    """A :class:`FineTuningEmulator` running on its own loop in a daemon thread."""

    def __init__(self, **kwargs: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        # The CLI's tests pass made-up file ids.
        self.emu = FineTuningEmulator(**{"require_files": False, **kwargs})
        self.call(self.emu.start())
        self.url = self.emu.url

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the emulator's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward."""

        async def go() -> None:
            self.emu.clock.advance(seconds)

        self.call(go())

    def job(self, job_id: str) -> dict[str, Any]:
        """The job's current document, as the emulator sees it."""

        async def get() -> dict[str, Any]:
            return self.emu.job_json(job_id)

        return self.call(get())

    @contextlib.contextmanager
    def advancing(self, seconds: float, *, after_requests: int) -> Iterator[None]:
        """Advance the clock once ``after_requests`` more requests were answered.

        Lets a test move a job on while the CLI is polling it, at a known point of the polling
        rather than after a guessed delay.
        """
        target = len(self.emu.requests) + after_requests

        def run() -> None:
            deadline = time.monotonic() + 10
            while len(self.emu.requests) < target and time.monotonic() < deadline:
                time.sleep(0.002)
            self.advance(seconds)

        thread = threading.Thread(target=run)
        thread.start()
        try:
            yield
        finally:
            thread.join()

    def close(self) -> None:
        """Stop the emulator, then the loop and the thread."""
        self.call(self.emu.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@pytest.fixture
def emu() -> Iterator[ThreadedEmulator]:
    """An emulator with a still clock; every ftclient request it saw must conform to the spec."""
    server = ThreadedEmulator(seed=0, speed=0)
    try:
        yield server
        assert_requests_conform(server.emu)
    finally:
        server.close()


class Runner:
    """Calls ``main`` against the emulator and returns the exit code and captured output."""

    def __init__(self, capsys: pytest.CaptureFixture[str], url: str | None) -> None:
        self._capsys = capsys
        self._url = url

    def __call__(self, *argv: str, auth: bool = True) -> Result:
        """Run ``ftclient [--base-url URL --api-key KEY] *argv``."""
        prefix = ["--base-url", self._url, "--api-key", API_KEY] if auth and self._url else []
        self._capsys.readouterr()
        code = main([*prefix, *argv])
        captured = self._capsys.readouterr()
        assert API_KEY not in captured.out + captured.err
        return Result(code, captured.out, captured.err)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``OPENAI_*`` configuration from the environment the tests run in."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], emu: ThreadedEmulator, clean_env: None) -> Runner:
    """Run the CLI against the test's emulator."""
    return Runner(capsys, emu.url)


@pytest.fixture
def bare_cli(capsys: pytest.CaptureFixture[str], clean_env: None) -> Runner:
    """Run the CLI with no emulator and no ``OPENAI_*`` configuration in the environment."""
    return Runner(capsys, None)


def serve_process(*args: str) -> subprocess.Popen[str]:
    """``python -m ftclient serve --port 0 ARGS`` without the caller's ``OPENAI_*`` variables,
    its output piped as text."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    return subprocess.Popen(
        [sys.executable, "-m", "ftclient", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
