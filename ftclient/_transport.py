"""The only module that touches aiohttp: the session's lifecycle and one HTTP exchange.

:meth:`Transport.exchange` returns ``(status, headers, body)`` or raises an
:class:`~ftclient.APIConnectionError` already classified for the runner: ``request_sent=False``
when the request never left (refused, unresolvable, connect timeout), ``True`` when the server
may have acted (reset, cut body, read timeout: :class:`~ftclient.APITimeoutError`).

The key is added to the headers at the last moment, in :meth:`Transport._open`, and the aiohttp
exceptions kept as causes are scrubbed: their request headers masked and their tracebacks (whose
frames hold the sent headers) dropped, so no rendering of an error can show the key.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import errors
from ._config import ClientConfig, Secret, Timeouts, mask
from ._core import protocol
from ._core.body import FileSlice, Form, Sink, read_chunks
from ._core.call import Call, Handler, Raw, Request
from ._core.tokens import TokenSource

__all__ = ["USER_AGENT", "ClientSession", "TraceConfig", "Transport"]

# The aiohttp types the client's constructor takes, named here so that only this module imports
# aiohttp.
ClientSession = aiohttp.ClientSession
TraceConfig = aiohttp.TraceConfig

_MIN_REDACTED_KEY = 16
USER_AGENT = protocol.user_agent(f"aiohttp/{aiohttp.__version__}")

logger = logging.getLogger("ftclient")

# aiohttp >= 3.10 tells a connect timeout apart; before, it is a ServerTimeoutError like a read one.
_CONNECT_TIMEOUT: tuple[type[BaseException], ...] = tuple(
    t for t in (getattr(aiohttp, "ConnectionTimeoutError", None),) if t is not None
)


class Transport:
    """One client's HTTP: owns (or borrows) the aiohttp session; sends one exchange at a time."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        handler: Handler | None = None,
    ) -> None:
        for index, trace in enumerate(trace_configs):
            if not isinstance(trace, aiohttp.TraceConfig):
                raise errors.InvalidParameterError(
                    f"trace_configs[{index}]",
                    f"must be an aiohttp.TraceConfig, got {type(trace).__name__}",
                )
        if session is not None and trace_configs:
            raise errors.InvalidParameterError(
                "trace_configs", "cannot be added to a borrowed session; put them on your session"
            )
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise errors.InvalidParameterError(
                "session", f"must be an aiohttp.ClientSession or None, got {type(session).__name__}"
            )
        if handler is not None and (session is not None or trace_configs):
            raise errors.InvalidParameterError(
                "handler", "replaces the HTTP session: pass it without session= or trace_configs="
            )
        if handler is not None and not callable(handler):
            raise errors.InvalidParameterError(
                "handler", f"must be an async callable, got {type(handler).__name__}"
            )
        self._handler = handler
        self._config = config
        self._trace_configs = list(trace_configs)
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._headers = protocol.base_headers(config, USER_AGENT)
        self._timeout = _client_timeout(config.timeouts)
        # HTTP(S)_PROXY and NO_PROXY, as the official SDK honours them. Read once: the base URL
        # is fixed, and aiohttp's own trust_env looks them up in a worker thread on every request
        # (two thread hand-offs per request, more than doubling a small call's CPU).
        self._proxy = env_proxy(config.base_url) if session is None else None
        self._redacted = mask(config.api_key.reveal()).encode()
        # Real keys are long; a short one (the emulator's "test") could match ordinary text.
        self._scan_for_key = len(config.api_key.reveal()) >= _MIN_REDACTED_KEY
        provider = config.token_provider
        self.tokens = TokenSource(provider) if provider is not None else None
        """The Entra ID tokens, when the client was given a token provider."""

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._closed

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise errors.ClientClosedError("the client is closed; create a new FineTuningClient")
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._loop is not None:
                # aiohttp would fail later with "attached to a different loop" or worse.
                raise errors.ClientClosedError(
                    "this client belongs to the event loop it was first used in; create one "
                    "FineTuningClient per event loop (for example inside your asyncio.run())"
                )
            self._loop = loop
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._config.max_connections,
                limit_per_host=self._config.max_connections,
                ttl_dns_cache=300,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                raise_for_status=False,
                trace_configs=self._trace_configs,
            )
            # aiohttp silently resends a GET/DELETE once when a kept-alive connection drops
            # (aiohttp issue 10790, no public switch); the runner's checks must see every send.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session = session
        elif self._session.closed:
            raise errors.ClientClosedError(
                "the aiohttp session given to FineTuningClient is closed"
            )
        return self._session

    async def aclose(self) -> None:
        """Close the owned session (a borrowed one is left alone). Safe to call twice."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def _url(self, call: Call[Any]) -> URL:
        url = URL(self._config.base_url + call.path, encoded=True)
        if not (self._config.default_query or call.query or call.extra_query):
            return url
        params = {**self._config.default_query, **call.query, **call.extra_query}
        pairs = protocol.query_pairs(params)
        return url.with_query(pairs) if pairs else url

    async def exchange(self, call: Call[Any]) -> Raw:
        """Send ``call`` once and read the whole answer.

        Raises:
            APIConnectionError: no usable answer (``request_sent`` says whether it may have
                acted); APITimeoutError for a connect or read timeout.
            APIResponseValidationError: the body is larger than ``max_response_bytes``.
            ClientClosedError: the client or its borrowed session is closed.
        """
        if self._handler is not None:
            return await self._handled(call, self._handler)
        session = self._get_session()
        data: bytes | aiohttp.MultipartWriter | None = None
        if call.form is not None:
            data = _multipart(call.form)  # built per attempt: a sent writer cannot be reused
        elif (body := call.json_body()) is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
        # Asked before the try: a provider's own failure is the caller's, not a connection's.
        token = await self.tokens.token() if self.tokens is not None else None
        start = asyncio.get_running_loop().time()
        try:
            async with self._open(session, call, data, token) as resp:
                status = resp.status
                headers = protocol.headers_of(resp.headers.items())
                if call.sink is not None and 200 <= status < 300:
                    raw = await _stream(resp, call.sink)
                else:
                    raw = await self._read(resp, call)
        except errors.FTClientError:
            raise
        except Exception as exc:
            if self._closed:  # aiohttp fails in many ways when its session closes under it
                raise errors.ClientClosedError("the client was closed during the request") from None
            if isinstance(exc, aiohttp.ClientError | TimeoutError):  # < 3.10: bare TimeoutError
                raise self._failure(call, exc, start) from _scrubbed(exc)
            if isinstance(exc, RuntimeError):  # a borrowed session closed or of another loop
                raise errors.ClientClosedError(
                    f"the aiohttp session cannot send: {exc}"
                ) from _scrubbed(exc)
            _scrubbed(exc)
            raise
        except BaseException as exc:  # cancellation: keep it, without the frames that hold the key
            _scrubbed(exc)
            raise
        if status == 401 and self.tokens is not None:
            self.tokens.invalidate()  # revoked or expired early: the next attempt asks anew
        if self._scan_for_key:
            return status, self._redact_headers(headers), self._redact(raw)
        return status, headers, raw

    async def _handled(self, call: Call[Any], handler: Handler) -> Raw:
        """The exchange through the caller's handler: the request as aiohttp would send it."""
        if self._closed:
            raise errors.ClientClosedError("the client is closed; create a new FineTuningClient")
        body = call.json_body()
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        token = await self.tokens.token() if self.tokens is not None else None
        request = Request(
            method=call.method,
            url=str(self._url(call)),
            headers=self._send_headers(call, data, token),
            content=data,
            operation=call.operation,
        )
        status, headers, raw = await handler(request)
        if len(raw) > self._config.max_response_bytes:
            raise self._too_large(status, headers.get("x-request-id"), call)
        return status, protocol.headers_of(headers.items()), raw

    def _too_large(
        self, status: int, request_id: str | None, call: Call[Any]
    ) -> errors.APIResponseValidationError:
        return errors.APIResponseValidationError(
            f"response body larger than max_response_bytes ({self._config.max_response_bytes} "
            "bytes); raise the limit on FineTuningClient if this answer is expected",
            status=status,
            request_id=request_id,
            method=call.method,
            url=call.path,
        )

    def _redact(self, body: bytes) -> bytes:
        # A server that echoes the key back gets it masked in every message built from the body.
        key = self._config.api_key.reveal().encode()
        if key not in body:
            return body
        return body.replace(key, self._redacted)

    def _redact_headers(self, headers: dict[str, str]) -> dict[str, str]:
        key = self._config.api_key.reveal()
        if not any(key in value for value in headers.values()):
            return headers
        masked = self._redacted.decode()
        return {name: value.replace(key, masked) for name, value in headers.items()}

    def _timeouts(self, call: Call[Any]) -> aiohttp.ClientTimeout:
        # The call's limits were resolved where it was built; the client's default maps to
        # the ClientTimeout made once.
        if call.timeout is self._config.timeouts:
            return self._timeout
        return _client_timeout(call.timeout)

    def _send_headers(
        self,
        call: Call[Any],
        data: bytes | aiohttp.MultipartWriter | None,
        token: Secret | None = None,
    ) -> dict[str, str]:
        # The one frame that holds the key (or token); it returns before anything is sent.
        # A caller's header replaces the client's whatever the case of its name (one spelling
        # is sent, also to a handler=); the body's type and the credentials are the client's.
        name, value = protocol.auth_header(self._config, token)
        own = {name.lower(), "content-type"} if isinstance(data, bytes) else {name.lower()}
        merged = protocol.merge_headers(self._headers, call.headers)
        headers = {n: v for n, v in merged.items() if n.lower() not in own}
        if isinstance(data, bytes):  # a multipart writer sets its own, with the boundary
            headers["Content-Type"] = "application/json"
        headers[name] = value
        return headers

    def _open(
        self,
        session: aiohttp.ClientSession,
        call: Call[Any],
        data: bytes | aiohttp.MultipartWriter | None,
        token: Secret | None = None,
    ) -> Any:
        return session.request(
            call.method,
            self._url(call),
            data=data,
            headers=self._send_headers(call, data, token),
            timeout=self._timeouts(call),
            allow_redirects=False,
            raise_for_status=False,  # also on a borrowed session that raises by default
            proxy=self._proxy,
        )

    async def _read(self, resp: aiohttp.ClientResponse, call: Call[Any]) -> bytes:
        limit = self._config.max_response_bytes
        length = resp.content_length  # of the body as sent: compressed, if it is
        if length is not None and length <= limit and "Content-Encoding" not in resp.headers:
            return await resp.read()
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_any():
            size += len(chunk)
            if size > limit:
                resp.close()
                raise self._too_large(resp.status, resp.headers.get("x-request-id"), call)
            chunks.append(chunk)
        return b"".join(chunks)

    def _failure(
        self, call: Call[Any], exc: BaseException, start: float
    ) -> errors.APIConnectionError:
        logger.debug(
            "%s %s -> %s after %.3fs",
            call.method,
            call.path,
            type(exc).__name__,
            asyncio.get_running_loop().time() - start,
        )
        method, url = call.method, call.path
        if isinstance(exc, _CONNECT_TIMEOUT):
            return errors.APITimeoutError(
                f"connect timed out: {method} {url}", method=method, url=url, request_sent=False
            )
        if isinstance(exc, TimeoutError):
            return errors.APITimeoutError(
                f"request timed out: {method} {url}", method=method, url=url
            )
        return errors.APIConnectionError(
            f"connection error: {type(exc).__name__}: {exc}",
            method=method,
            url=url,
            request_sent=not isinstance(exc, aiohttp.ClientConnectorError),
        )


class _SlicePayload(aiohttp.payload.Payload):
    """A :class:`FileSlice` as a multipart part of known size, read a chunk at a time as the
    socket takes it (never the whole slice in memory)."""

    _autoclose = True

    def __init__(self, piece: FileSlice) -> None:
        super().__init__(piece, content_type=piece.content_type, filename=piece.filename)
        self._size = piece.length

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise TypeError("a file slice is streamed, never decoded")

    async def write(self, writer: Any) -> None:
        piece: FileSlice = self._value
        report = piece.progress
        if report is not None:
            report(0)
        sent = 0
        for chunk in read_chunks(piece):
            await writer.write(chunk)
            sent += len(chunk)
            if report is not None:
                report(sent)


def _multipart(form: Form) -> aiohttp.MultipartWriter:
    writer = aiohttp.MultipartWriter("form-data")
    for name, value in form:
        if isinstance(value, FileSlice):
            part = writer.append_payload(_SlicePayload(value))
            part.set_content_disposition("form-data", name=name, filename=value.filename)
        else:
            part = writer.append(value)
            part.set_content_disposition("form-data", name=name)
    return writer


async def _stream(resp: aiohttp.ClientResponse, sink: Sink) -> bytes:
    """Write a 2xx body to a fresh writer from ``sink``, a chunk at a time; return no body."""
    with sink.open() as out:
        async for chunk in resp.content.iter_chunked(1024 * 1024):
            out.write(chunk)
    return b""


def env_proxy(base_url: str) -> str | None:
    """The proxy the environment names for ``base_url`` (``HTTP(S)_PROXY``), unless ``NO_PROXY``
    exempts its host; None when there is none."""
    parts = urlsplit(base_url)
    if parts.hostname is None or urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme)


@functools.lru_cache(maxsize=32)  # a with_options client's default: made once, not per call
def _client_timeout(t: Timeouts) -> aiohttp.ClientTimeout:
    # The call's total limit is the runner's; aiohttp gets only the per-connection ones.
    # sock_connect, not connect: aiohttp's `connect` also counts time queued for the pool. A read
    # limit not below the call's total can never expire first, while aiohttp re-arms the read
    # timer on every chunk (~5% of a small GET's CPU): leave it out then, as with the defaults.
    read = t.read if t.total is None or (t.read is not None and t.read < t.total) else None
    return aiohttp.ClientTimeout(total=None, sock_connect=t.connect, sock_read=read)


def _scrubbed(exc: BaseException) -> BaseException:
    """``exc`` and its chain without tracebacks (their frames hold the sent headers), and any
    aiohttp ``request_info`` with its headers masked."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        info = getattr(current, "request_info", None)
        if isinstance(info, aiohttp.RequestInfo):
            masked = CIMultiDict(info.headers)
            for name in ("Authorization", "api-key"):
                if name in masked:
                    masked[name] = "***"
            current.request_info = aiohttp.RequestInfo(  # type: ignore[attr-defined]
                info.url, info.method, CIMultiDictProxy(masked), info.real_url
            )
        current = current.__cause__ or current.__context__
    return exc
