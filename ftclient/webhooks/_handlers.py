"""Web handlers around :func:`~ftclient.webhooks.unwrap`: aiohttp, and plain ASGI for the rest.

Both answer the same way, from one verdict: 200 once the callback has returned; 400 with the
reason for a delivery that does not verify or parse (the callback is not called); 413 for a
body over the size limit. An exception from the callback propagates (the server answers 500),
so the service delivers the event again. Neither imports anything beyond the standard library
until it is built (aiohttp's ``web`` module is imported by :func:`aiohttp_handler` only).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from .. import _checks
from ..errors import InvalidParameterError, InvalidWebhookPayloadError, InvalidWebhookSignatureError
from ._events import WebhookEvent, parse
from ._signing import DEFAULT_TOLERANCE, HeaderPairs, check, secret_key

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["DEFAULT_MAX_BODY", "ASGIHandler", "OnEvent", "aiohttp_handler", "asgi_handler"]

OnEvent = Callable[[WebhookEvent], Awaitable[None] | None]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_MAX_BODY = 1024**2  # bytes; aiohttp's own default limit on a request body
_OK = b"ok\n"
_UNREADABLE = b"the body could not be read as its headers describe it\n"
_TEXT = [(b"content-type", b"text/plain; charset=utf-8")]
_AIOHTTP_TEXT = {"Content-Type": "text/plain; charset=utf-8"}


class _Endpoint:
    """What both handlers share: the checked settings, the verdict and the callback."""

    def __init__(self, on_event: object, secret: object, tolerance: object) -> None:
        self._key = secret_key(secret)  # read once: a bad or missing secret fails at start-up
        self._limit = _checks.seconds(tolerance, "tolerance", zero=True)
        if not callable(on_event):
            raise InvalidParameterError("on_event", "must be a callable taking the event")
        self._on_event: OnEvent = on_event

    def verdict(self, body: bytes, pairs: HeaderPairs) -> WebhookEvent | bytes:
        """The event, or the text of the 400 that refuses the delivery."""
        try:
            check(body, pairs, self._key, self._limit, time.time())
            return parse(body)
        except (InvalidWebhookSignatureError, InvalidWebhookPayloadError) as exc:
            return f"{exc}\n".encode(errors="backslashreplace")

    async def deliver(self, event: WebhookEvent) -> None:
        """Run the callback, sync or async."""
        result = self._on_event(event)
        if inspect.isawaitable(result):
            await result


def aiohttp_handler(
    on_event: OnEvent, *, secret: str | bytes | None = None, tolerance: float = DEFAULT_TOLERANCE
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An ``aiohttp.web`` handler that verifies each delivery and passes its event on.

    ::

        app.router.add_post("/webhooks/openai", webhooks.aiohttp_handler(on_event))

    Answers 200 once ``on_event`` (sync or async) has returned; 400 with the reason for a
    request that does not verify or parse, or whose body cannot be read as its headers
    describe it (``on_event`` is not called); aiohttp's 413 for a body over the
    application's ``client_max_size``. An exception from ``on_event``
    propagates (aiohttp answers 500), so the service delivers the event again.

    Args:
        on_event: called with each verified event.
        secret: the endpoint's ``whsec_...`` secret; default ``$OPENAI_WEBHOOK_SECRET``, read
            now.
        tolerance: seconds a ``webhook-timestamp`` may be away from the clock.

    Returns:
        The handler, for ``add_post``.

    Raises:
        InvalidParameterError: at once, a bad or missing ``secret``, ``tolerance`` or
            ``on_event``.
    """
    from aiohttp import web
    from aiohttp.web_protocol import RequestPayloadError

    endpoint = _Endpoint(on_event, secret, tolerance)

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            body = await request.read()
        except RequestPayloadError:  # a Content-Encoding its body does not hold, a cut chunk
            return web.Response(status=400, body=_UNREADABLE, headers=_AIOHTTP_TEXT)
        verdict = endpoint.verdict(body, list(request.headers.items()))
        if isinstance(verdict, bytes):
            return web.Response(status=400, body=verdict, headers=_AIOHTTP_TEXT)
        await endpoint.deliver(verdict)
        return web.Response(status=200, body=_OK, headers=_AIOHTTP_TEXT)

    return handle


class _TooLarge(Exception):
    pass


class ASGIHandler(_Endpoint):
    """A plain ASGI application (HTTP and lifespan) that receives webhook deliveries.

    Made by :func:`asgi_handler`; it is a class, not a function, so that Starlette's and
    FastAPI's ``add_route`` run it as an ASGI application.
    """

    def __init__(self, on_event: object, secret: object, tolerance: object, max_body: object):
        super().__init__(on_event, secret, tolerance)
        self._max_body = _checks.positive_int(max_body, "max_body")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection: an HTTP request, or the server's lifespan."""
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)
        else:  # a websocket, where a framework mounts the app at a prefix: refuse it
            await send({"type": "websocket.close", "code": 1008})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            allow = (b"allow", b"POST")
            await _answer(send, 405, b"webhook deliveries are POSTed\n", allow)
            return
        try:
            body = await _read(receive, self._max_body)
        except _TooLarge:
            await _answer(send, 413, b"the body is over %d bytes\n" % self._max_body)
            return
        if body is None:
            return  # the sender went away: nobody to answer
        # ASGI gives raw bytes; decoded as aiohttp decodes them, so both judge alike (bytes
        # that are not UTF-8 survive as lone surrogates and are refused where they matter)
        pairs: HeaderPairs = [
            (name.decode("latin-1"), value.decode("utf-8", "surrogateescape"))
            for name, value in scope["headers"]
        ]
        verdict = self.verdict(body, pairs)
        if isinstance(verdict, bytes):
            await _answer(send, 400, verdict)
            return
        await self.deliver(verdict)
        await _answer(send, 200, _OK)


def asgi_handler(
    on_event: OnEvent,
    *,
    secret: str | bytes | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_body: int = DEFAULT_MAX_BODY,
) -> ASGIHandler:
    """An ASGI application that verifies each delivery and passes its event on.

    For FastAPI or Starlette, add it as a route (it answers ``POST`` only)::

        app.add_route("/webhooks/openai", webhooks.asgi_handler(on_event), methods=["POST"])

    or serve it alone (``uvicorn.run(webhooks.asgi_handler(on_event))``). It answers as
    :func:`aiohttp_handler` does: 200 once ``on_event`` (sync or async) has returned, 400 with
    the reason for a delivery that does not verify or parse, 413 for a body over ``max_body``
    bytes, 405 for another method; an exception from ``on_event`` propagates (the server
    answers 500), so the service delivers the event again.

    Args:
        on_event: called with each verified event.
        secret: the endpoint's ``whsec_...`` secret; default ``$OPENAI_WEBHOOK_SECRET``, read
            now.
        tolerance: seconds a ``webhook-timestamp`` may be away from the clock.
        max_body: the largest body read, in bytes (default 1 MiB, as aiohttp's).

    Returns:
        The ASGI application.

    Raises:
        InvalidParameterError: at once, a bad or missing ``secret``, ``tolerance``,
            ``max_body`` or ``on_event``.
    """
    return ASGIHandler(on_event, secret, tolerance, max_body)


async def _read(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None if the sender disconnected first."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, text: bytes, *headers: tuple[bytes, bytes]) -> None:
    length = (b"content-length", b"%d" % len(text))
    await send(
        {"type": "http.response.start", "status": status, "headers": [*_TEXT, length, *headers]}
    )
    await send({"type": "http.response.body", "body": text})


async def _lifespan(receive: Receive, send: Send) -> None:
    # nothing to start or stop; answering lets the app be served on its own
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
