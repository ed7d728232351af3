"""A server of the tests' own on 127.0.0.1 that counts every connection and records every request.

Counting connections, not only requests, catches a client that connected and then failed to write
(aiohttp refuses a bad header only once the connection is open). Every answer is a finished job,
or an empty page for a list, so any operation that reaches it ends at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import attrs
from aiohttp import web

from tests.hostile.fake_api import job_document

LISTS = ("/jobs", "/events", "/checkpoints", "/permissions")


@attrs.define
class Recorder:
    url: str = ""
    connections: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = attrs.Factory(list)

    async def _answer(self, request: web.Request) -> web.Response:
        await request.read()
        self.requests.append((request.method, request.path_qs, dict(request.headers)))
        if request.method == "GET" and request.path.endswith(LISTS):
            page = {"object": "list", "data": [], "has_more": False}
            return web.json_response({**page, "first_id": None, "last_id": None})
        return web.json_response({**job_document("ftjob-1", 1), "status": "succeeded"})

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Recorder]:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        serve = runner.server
        assert serve is not None

        def counted() -> web.RequestHandler:  # type: ignore[type-arg]
            self.connections += 1
            return serve()

        server = await asyncio.get_running_loop().create_server(counted, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            yield self
        finally:
            server.close()
            await runner.cleanup()
            await server.wait_closed()
