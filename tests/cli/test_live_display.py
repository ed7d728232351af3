"""``jobs wait`` on a terminal: its last line is the job's final state, its ETA the server's.

A server of the test's own, on a thread, plays a job that ends at step 126 with loss 0.357 and
whose last metrics are listed only once it has ended (the case seen: ``succeeded [████░░]
92/126 loss 0.447``), on a clock 6,000 s ahead of this machine's, as an emulator run with
``serve --speed 20`` is (the case seen: ``eta 1h45m`` for a job a minute from done).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from ftclient.cli import main
from tests.cli._term import TTYBuffer, screen

AHEAD = 6_000.0  # the server's clock, ahead of this machine's
JOB = "ftjob-live"


class JobServer:
    """Running for ``running_polls`` retrieves, then succeeded; the last events appear then."""

    def __init__(self, running_polls: int) -> None:
        self.running_polls = running_polls
        self.polls = 0
        self.start = time.time() + AHEAD
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._runner = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(30)
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"

    @property
    def ended(self) -> bool:
        return self.polls > self.running_polls

    def _job(self) -> dict[str, Any]:
        return {
            "id": JOB,
            "object": "fine_tuning.job",
            "model": "gpt-4o-mini",
            "training_file": "file-train",
            "created_at": int(self.start),
            "status": "succeeded" if self.ended else "running",
            "estimated_finish": int(self.start) + 152,  # a minute after the last event below
            "finished_at": int(self.start) + 126 if self.ended else None,
            "fine_tuned_model": "ft:gpt-4o-mini:live" if self.ended else None,
        }

    def _events(self) -> list[dict[str, Any]]:
        def metrics(step: int, loss: float) -> dict[str, Any]:
            return {
                "id": f"ftevent-{step}",
                "object": "fine_tuning.job.event",
                "created_at": int(self.start) + step,
                "level": "info",
                "message": f"Step {step}/126: training loss={loss}",
                "type": "metrics",
                "data": {"step": step, "total_steps": 126, "train_loss": loss},
            }

        events = [metrics(92, 0.447)]
        if self.ended:
            events.append(metrics(126, 0.357))
        return events[::-1]  # newest first

    async def _serve(self) -> web.AppRunner:
        async def job(request: web.Request) -> web.Response:
            self.polls += 1
            return web.json_response(self._job())

        async def events(request: web.Request) -> web.Response:
            return web.json_response({"object": "list", "data": self._events(), "has_more": False})

        app = web.Application()
        app.router.add_get(f"/v1/fine_tuning/jobs/{JOB}", job)
        app.router.add_get(f"/v1/fine_tuning/jobs/{JOB}/events", events)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def terminal(monkeypatch: pytest.MonkeyPatch) -> TTYBuffer:
    """stdout as a terminal (set in the test's call: pytest's capture resets it after setup)."""
    buffer = TTYBuffer()
    monkeypatch.setattr(sys, "stdout", buffer)
    monkeypatch.setenv("COLUMNS", "100")
    return buffer


def _wait(url: str) -> int:
    return main(
        ["--base-url", url, "--api-key", "sk-test", "jobs", "wait", JOB, "--poll-interval", "0.01"]
    )


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[JobServer]:
    served = JobServer(running_polls=request.param)
    yield served
    served.close()


@pytest.mark.parametrize("server", [0, 3], indirect=True)
def test_the_last_line_is_the_final_state(
    server: JobServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tty = terminal(monkeypatch)
    assert _wait(server.url) == 0
    lines = screen(tty.getvalue())
    board = [line for line in lines if line.startswith("succeeded")]
    assert len(board) == 1, lines
    assert "126/126" in board[0]
    assert "loss 0.357" in board[0]
    assert "eta" not in board[0]


@pytest.mark.parametrize("server", [50], indirect=True)
def test_the_eta_is_measured_on_the_servers_clock(
    server: JobServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    tty = terminal(monkeypatch)
    assert _wait(server.url) == 0
    drawn = tty.getvalue()
    etas = {part.split()[1] for part in drawn.split("  ") if part.startswith("eta ")}
    # estimated_finish less the newest server time seen: 2m from the job's creation, 1m from
    # step 92, 26s from step 126 (seen by the event follower just before the status poll);
    # the code before this measured it on this machine's clock: 1h40m.
    assert "1m" in etas
    assert etas <= {"2m", "1m", "26s"}, etas
