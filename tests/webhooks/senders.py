"""A hostile sender of the tests' own, and the servers it talks to, all on 127.0.0.1.

The sender writes raw bytes to a socket (no HTTP client tidies them up first): header values
that are not UTF-8, timestamps of thousands of digits, repeated headers. The servers run the
webhook handlers as users do: ``aiohttp_handler`` in an ``aiohttp.web`` app, and ``asgi_handler``
(alone or inside FastAPI) under uvicorn. Each starts on a port of its own and stops when its
context ends; :class:`Threaded` runs one on a loop of its own for the synchronous Hypothesis
tests.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import socket
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import uvicorn
from aiohttp import web

SECRET = "whsec_" + base64.b64encode(b"the hostile sender's test secret").decode()
KEY = base64.b64decode(SECRET.removeprefix("whsec_"))
Headers = Sequence[tuple[bytes, bytes]]


def signature(msg_id: bytes, stamp: bytes, body: bytes, key: bytes = KEY) -> bytes:
    """``v1,<base64 HMAC>`` over the bytes exactly as sent, whatever they decode to."""
    digest = hmac.new(key, msg_id + b"." + stamp + b"." + body, hashlib.sha256).digest()
    return b"v1," + base64.b64encode(digest)


def signed(msg_id: bytes, stamp: bytes, body: bytes) -> list[tuple[bytes, bytes]]:
    """The three headers of a delivery signed over these raw bytes."""
    return [
        (b"webhook-id", msg_id),
        (b"webhook-timestamp", stamp),
        (b"webhook-signature", signature(msg_id, stamp, body)),
    ]


def request(
    headers: Headers, body: bytes, *, method: bytes = b"POST", path: bytes = b"/hooks"
) -> bytes:
    """One HTTP/1.1 request as bytes; the connection closes after the answer."""
    lines = [
        method + b" " + path + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Connection: close",
        b"Content-Length: %d" % len(body),
        *(name + b": " + value for name, value in headers),
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _answer(data: bytes) -> tuple[int, bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def send(port: int, data: bytes) -> tuple[int, bytes]:
    """Send raw bytes, read the answer to the end: its status and body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return _answer(await asyncio.wait_for(reader.read(), 30))
    finally:
        writer.close()
        await writer.wait_closed()


def send_blocking(port: int, data: bytes) -> tuple[int, bytes]:
    """:func:`send` for a synchronous test."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return _answer(b"".join(chunks))


@asynccontextmanager
async def aiohttp_app(handler: Any, path: str = "/hooks") -> AsyncIterator[int]:
    """An ``aiohttp.web`` app serving ``handler`` at ``path``; yields its port."""
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@asynccontextmanager
async def uvicorn_app(app: Any) -> AsyncIterator[int]:
    """``app`` served by uvicorn (with its lifespan) on a socket bound first; yields its port.

    The socket listens before uvicorn starts, so a connection made at once waits in the backlog
    instead of being refused: no polling for the server to come up.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    # interface named: under mutmut the handler's __call__ is a sync trampoline, which uvicorn
    # would otherwise take for an ASGI2 application
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", interface="asgi3"
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)
        sock.close()


class Threaded:
    """One of the servers above, run on an event loop of its own in a daemon thread."""

    def __init__(self, make: Callable[[], AbstractAsyncContextManager[int]]) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._context = make()
        self.port = self._run(self._context.__aenter__())

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def close(self) -> None:
        """Stop the server, then the loop and the thread."""
        self._run(self._context.__aexit__(None, None, None))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
