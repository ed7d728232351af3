"""A server of the tests' own that answers every path with one status, and records what came.

Every request is recorded with its method, path, headers and the client port it came from (one
port: one connection). ``status`` is what it answers (a 429 or 500 carries an OpenAI error body);
``hold`` keeps requests waiting until the test sets it, to observe how many are in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import attrs
from aiohttp import web
from multidict import CIMultiDict

from .fake_api import job_document

__all__ = ["GRADER", "KEY", "Recorder", "Seen", "recorder"]

KEY = "sk-proj-OPTIONS-0123456789abcdef"
GRADER = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}


@attrs.frozen
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDict[str]  # every header as sent: names case-insensitive, repeats kept
    port: int


@attrs.define
class Recorder:
    """The server's state: what it answers and what it saw."""

    url: str = ""
    status: int = 200
    headers: dict[str, str] = attrs.Factory(dict)
    seen: list[Seen] = attrs.Factory(list)
    hold: asyncio.Event | None = None
    active: int = 0
    peak: int = 0

    def ports(self) -> set[int]:
        """The client ports requests came from: the connections used."""
        return {s.port for s in self.seen}


def _body(method: str, path: str) -> dict[str, Any]:
    if method == "GET" and path.endswith(("/jobs", "/events", "/checkpoints", "/permissions")):
        return {"object": "list", "data": [], "has_more": False}
    return job_document("ftjob-1", 1_700_000_000)


@asynccontextmanager
async def recorder() -> AsyncIterator[Recorder]:
    """Run a :class:`Recorder` on 127.0.0.1; ``url`` is its base URL (``.../v1``)."""
    state = Recorder()

    async def answer(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        state.seen.append(
            Seen(
                request.method,
                request.path,
                dict(request.query),
                CIMultiDict(request.headers),
                peer[1] if peer else 0,
            )
        )
        state.active += 1
        state.peak = max(state.peak, state.active)
        try:
            if state.hold is not None:
                await asyncio.wait_for(state.hold.wait(), 10)  # bounded: a stuck test ends
        finally:
            state.active -= 1
        if state.status != 200:
            error = {"message": "try later", "type": "server_error", "param": None, "code": None}
            return web.json_response({"error": error}, status=state.status, headers=state.headers)
        return web.json_response(_body(request.method, request.path), headers=state.headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        await runner.cleanup()
