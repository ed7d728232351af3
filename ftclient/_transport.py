"""The only module that touches aiohttp: the session, one attempt, and retries (via backoff)."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from types import EllipsisType
from typing import Any

import aiohttp
import attrs
import backoff
from yarl import URL

from . import _protocol as protocol
from . import errors
from ._config import ClientConfig, TimeoutArg, Timeouts
from ._flow import RateGate
from ._response import Response, ResponseInfo

__all__ = ["GiveUp", "Recover", "Response", "ResponseInfo", "Transport"]

logger = logging.getLogger("ftclient")


@attrs.define
class _Call:
    method: str
    url: URL
    display_url: str
    headers: dict[str, str]
    body: bytes | None
    timeout: aiohttp.ClientTimeout
    recover: Recover | None = None
    last_error: BaseException | None = None
    replay: errors.APIError | None = None
    attempts: int = 0
    retry_waits: list[float] = attrs.Factory(list)


Recover = Callable[[BaseException | None], Awaitable["tuple[int, dict[str, str], bytes] | None"]]
"""Before a retry: find out whether the failed attempt took effect anyway.

Called with the previous attempt's exception. Returns the ``(status, headers, body)`` to answer
with instead of sending again, or None to send again. An exception it raises counts as that
attempt's failure.
"""


class GiveUp(Exception):
    """Raised by a recover hook to stop retrying and raise ``error`` (the earlier failure)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


_CURRENT_CALL: contextvars.ContextVar[_Call] = contextvars.ContextVar("ftclient_call")


class Transport:
    """Sends requests for one client: owns (or borrows) the aiohttp session and retries."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
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
        self._config = config
        self._trace_configs = list(trace_configs)
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._headers = protocol.base_headers(config)
        self._default_timeout = self._client_timeout(config.timeouts)
        self.gate = RateGate(config.flow, wait=config.retry.wait)
        self._slots = asyncio.Semaphore(config.flow.max_in_flight or config.max_connections)
        policy = config.retry
        self._retry = backoff.on_exception(
            self._wait_gen,
            errors.APIError,
            max_tries=policy.max_retries + 1,
            giveup=lambda exc: not protocol.should_retry(exc, policy),
            jitter=None,
            logger=None,
        )(self._replay_then_attempt)

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._closed

    @staticmethod
    def _client_timeout(t: Timeouts) -> aiohttp.ClientTimeout:
        # sock_connect, not connect: aiohttp's `connect` also counts time queued for the pool.
        # A read limit not below the total limit can never expire first (the total timer started
        # earlier), while aiohttp re-arms the read timer on every chunk (~5% of a small GET's
        # CPU): leave it out then, as with the defaults (600 s each).
        read = t.read if t.total is None or (t.read is not None and t.read < t.total) else None
        return aiohttp.ClientTimeout(total=t.total, sock_connect=t.connect, sock_read=read)

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
                connector=connector, raise_for_status=False, trace_configs=self._trace_configs
            )
            # aiohttp silently resends a GET/DELETE once when the connection drops (aiohttp
            # issue 10790, no public switch). That resend bypasses the recover hooks, so a lost
            # DELETE answer would surface as a 404; retries here are ftclient's alone.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session = session
        return self._session

    async def aclose(self) -> None:
        """Close the owned session (a borrowed one is left alone). Safe to call twice."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        recover: Recover | None = None,
    ) -> Response:
        """Send one logical request, retrying under the client's policy.

        Args:
            method: HTTP method.
            path: path below the base URL, already percent-encoded (see ``path_segment``).
            params: query parameters (``None`` values are dropped).
            json_body: JSON-serialisable body, or None for no body.
            timeout: per-call override (seconds, :class:`Timeouts` or None); ``...`` keeps the
                client's.
            extra_headers: added to (and overriding) the client's headers for this call.
            recover: called before each retry to learn whether a failed attempt took effect
                (see :data:`Recover`); this is how non-idempotent calls avoid acting twice.

        Returns:
            The 2xx :class:`Response`.

        Raises:
            APIStatusError: the final attempt got an error status.
            APIConnectionError: the final attempt got no usable response.
            ClientClosedError: the client is (or got) closed.
        """
        self._get_session()  # fail fast on a closed client, before any work
        display = self._config.base_url + path
        pairs = protocol.query_pairs(params) if params else []
        url = URL(display, encoded=True)
        if pairs:
            url = url.with_query(pairs)
        headers = self._headers
        if extra_headers:
            headers = dict(headers)
            for name, value in extra_headers.items():
                headers[name] = protocol.check_header_value(name, value)
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
            headers = dict(headers)
            headers["Content-Type"] = "application/json"
        if method == "POST" and "Idempotency-Key" not in headers:
            # One key for every attempt of this call, so a server that honours it can dedupe.
            headers = {**headers, "Idempotency-Key": f"ftclient-{uuid.uuid4().hex}"}
        client_timeout = (
            self._default_timeout
            if isinstance(timeout, EllipsisType)
            else self._client_timeout(Timeouts.coerce(timeout))
        )
        call = _Call(method, url, display, headers, body, client_timeout, recover)
        token = _CURRENT_CALL.set(call)
        start = asyncio.get_running_loop().time()
        try:
            status, resp_headers, resp_body = await self._send(call)
        except GiveUp as stop:
            # Keep the failure's own cause (the aiohttp error); hide only the GiveUp signal.
            raise stop.error from stop.error.__cause__
        finally:
            _CURRENT_CALL.reset(token)
        info = ResponseInfo(
            status=status,
            headers=resp_headers,
            request_id=resp_headers.get("x-request-id"),
            attempts=call.attempts,
            retry_waits=tuple(call.retry_waits),
            elapsed=asyncio.get_running_loop().time() - start,
        )
        return Response(info, resp_body)

    def _wait_gen(self) -> Generator[float, BaseException | None, None]:
        # backoff sends each failure into this generator; the server's hint is on the exception.
        policy = self._config.retry
        call = _CURRENT_CALL.get()
        exc = yield 0.0
        retry_index = 0
        while True:
            headers = exc.headers if isinstance(exc, errors.APIStatusError) else None
            delay = protocol.backoff_delay(retry_index, policy, headers)
            call.retry_waits.append(delay)
            logger.debug(
                "%s %s: retrying in %.3fs after %s", call.method, call.display_url, delay, exc
            )
            exc = yield delay if policy.wait else 0.0
            retry_index += 1

    async def _send(self, call: _Call) -> tuple[int, dict[str, str], bytes]:
        # The first attempt skips backoff's wrapper (a generator, two datetime.now() and a handler
        # coroutine per call, ~2 us). A failure hands over to it, and it starts by re-raising that
        # failure, so its giveup, max_tries and wait decisions are those of the plain loop.
        try:
            return await self._attempt(call)
        except errors.APIError as exc:
            call.replay = exc
        return await self._retry(call)

    async def _replay_then_attempt(self, call: _Call) -> tuple[int, dict[str, str], bytes]:
        failure, call.replay = call.replay, None
        if failure is not None:
            raise failure
        return await self._attempt(call)

    async def _attempt(self, call: _Call) -> tuple[int, dict[str, str], bytes]:
        call.attempts += 1
        if call.attempts > 1 and call.recover is not None:
            recovered = await call.recover(call.last_error)
            if recovered is not None:
                logger.debug("%s %s: earlier attempt took effect", call.method, call.display_url)
                return recovered
        try:
            return await self._send_once(call)
        except errors.APIError as exc:
            call.last_error = exc
            raise

    async def _send_once(self, call: _Call) -> tuple[int, dict[str, str], bytes]:
        async with self._slots:
            sent_at = await self.gate.acquire()
            self.gate.in_flight += 1
            try:
                status, headers, body = await self._exchange(call)
            finally:
                self.gate.in_flight -= 1
        self.gate.on_response(status, headers, sent_at=sent_at)
        if not 200 <= status < 300:
            raise protocol.error_from_response(
                status, headers, body, method=call.method, url=call.display_url
            )
        return status, headers, body

    async def _exchange(self, call: _Call) -> tuple[int, dict[str, str], bytes]:
        session = self._get_session()
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            async with session.request(
                call.method,
                call.url,
                data=call.body,
                headers=call.headers,
                timeout=call.timeout,
                allow_redirects=False,
            ) as resp:
                body = await resp.read()
                status = resp.status
                headers = protocol.headers_of(resp.headers.items())
        except TimeoutError as exc:
            self._log_failure(call, start, exc)
            raise errors.APITimeoutError(
                f"request timed out: {call.method} {call.display_url}",
                method=call.method,
                url=call.display_url,
            ) from exc
        except aiohttp.ClientError as exc:
            self._log_failure(call, start, exc)
            if self._closed:
                raise errors.ClientClosedError("the client was closed during the request") from exc
            raise errors.APIConnectionError(
                f"connection error: {type(exc).__name__}: {exc}",
                method=call.method,
                url=call.display_url,
            ) from exc
        if logger.isEnabledFor(logging.DEBUG):  # skip building the arguments on the hot path
            logger.debug(
                "%s %s -> %d in %.3fs (request id %s, attempt %d)",
                call.method,
                call.display_url,
                status,
                loop.time() - start,
                headers.get("x-request-id"),
                call.attempts,
            )
        return status, headers, body

    @staticmethod
    def _log_failure(call: _Call, start: float, exc: BaseException) -> None:
        logger.debug(
            "%s %s -> %s after %.3fs (attempt %d)",
            call.method,
            call.display_url,
            type(exc).__name__,
            asyncio.get_running_loop().time() - start,
            call.attempts,
        )
