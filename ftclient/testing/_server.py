"""The emulator's HTTP front: binding, routing, auth, rate limit, faults and recording.

A JSON request body is read whole (at most :data:`MAX_REQUEST_BYTES`); the multipart body of
createFile and addUploadPart is streamed part by part within the limits of :class:`FileRules`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Collection
from types import TracebackType
from typing import Any

from aiohttp import web

from ftclient._checks import identifiers

from ._auth import authenticate
from ._clock import SimulatedClock
from ._errors import EmulatorError
from ._faults import AFTER_KINDS, FaultQueue, FaultSpec, respond_after, respond_before
from ._file_handlers import FILE_HANDLERS, RawBody
from ._files import FileRules, form_limits
from ._handlers import HANDLERS
from ._lifecycle import JobTimings
from ._limits import JobLimits, LimitGate
from ._multipart import read_form
from ._ratelimit import TokenBucket
from ._recording import EmulatorStats, RecordedRequest
from ._routes import BASE_PATH, Route, Router
from ._seeding import SeedData
from ._state import EmulatorState
from ._webhooks import DEFAULT_WEBHOOK_SECRET, WebhookDelivery, WebhookSender

MAX_REQUEST_BYTES = 1024**2
"""The largest request body served (aiohttp's default limit): the API's requests are small."""

__all__ = ["FineTuningEmulator"]

try:
    import orjson

    def _dumps(value: Any) -> bytes:
        try:
            encoded: bytes = orjson.dumps(value)
        except TypeError:  # e.g. an echoed integer beyond 64 bits
            return json.dumps(value).encode()
        return encoded

except ImportError:  # pragma: no cover - orjson is optional

    def _dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(body: bytes) -> Any:
    return json.loads(body, parse_constant=_reject_constant)


_UNSET = object()
_ALL_HANDLERS = {**HANDLERS, **FILE_HANDLERS}
_WEBHOOK_SCAN_EVERY = 0.05  # real seconds between two looks for finished jobs


class FineTuningEmulator(SeedData):
    """A local, in-memory implementation of the Fine-Tuning API over real HTTP.

    Use it as ``async with FineTuningEmulator() as emu:`` (or ``await emu.start()`` /
    ``await emu.stop()``) and point any client at ``emu.url``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_keys: Collection[str] | None = None,
        seed: int | None = None,
        speed: float = 1.0,
        rate_limit: float | None = None,
        clock: SimulatedClock | None = None,
        organization_id: str = "org-emulator",
        timings: JobTimings | None = None,
        require_files: bool = True,
        file_rules: FileRules | None = None,
        webhooks: Collection[str] = (),
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        webhook_attempts: int = 5,
        webhook_retry_wait: float = 0.1,
        limits: JobLimits | None = None,
    ) -> None:
        """Configure (but do not start) an emulator.

        Args:
            host: address to bind; loopback by default.
            port: port to bind; 0 picks a free one.
            api_keys: accepted bearer tokens; ``None`` accepts any non-empty token.
            seed: makes ids, job seeds and metrics reproducible; ``None`` (the default) draws
                one of its own, so that two emulators never mint the same ids (see :attr:`seed`).
            speed: simulated seconds per second of the event loop's clock: 1 (the default)
                follows the loop (real time, or a loop-time library's fast-forwarded time), 0
                moves time only on ``clock.advance``. Ignored when ``clock`` is given.
            rate_limit: requests per second (token bucket, burst of the same size); ``None``
                for no limit.
            clock: a clock to share; by default a new :class:`SimulatedClock`.
            organization_id: the ``organization_id`` of every job.
            timings: durations of the simulated job phases.
            require_files: a job's ``training_file`` and ``validation_file`` must name
                processed ``fine-tune`` files, or the create answers 400 as the service does.
                ``False`` accepts any id (older tests that pass made-up ids; an id containing
                ``fail`` then fails validation).
            file_rules: limits and timings of Files and Uploads (part and file sizes, the
                Upload expiry, processing time).
            webhooks: endpoint URLs on 127.0.0.1 that receive a signed
                ``fine_tuning.job.<status>`` event when a job finishes (see :meth:`add_webhook`).
            webhook_secret: the ``whsec_...`` secret the events are signed with.
            webhook_attempts: tries per event and endpoint (a non-2xx answer is retried).
            webhook_retry_wait: real seconds before the first retry, doubled after each.
            limits: the service's limits on active jobs and daily creations (429s in the
                service's shape, see :class:`~ftclient.testing.JobLimits`); None: no limits.

        Raises:
            ValueError: a ``rate_limit`` that is not a finite number > 0, ``api_keys`` empty or
                a single string, or a webhook endpoint that is not on 127.0.0.1 (the checks'
                :class:`~ftclient.InvalidParameterError` is a ``ValueError``).
        """
        if api_keys is not None and not identifiers(api_keys, "api_keys"):  # "sk-a" is one key
            raise ValueError("api_keys must name at least one key (or be None to accept any)")
        self.host = host
        self.port = port
        self.api_keys = frozenset(api_keys) if api_keys is not None else None
        self.clock = clock if clock is not None else SimulatedClock(speed=speed)
        self.state = EmulatorState(
            seed=seed,
            organization_id=organization_id,
            timings=timings or JobTimings(),
            file_rules=file_rules,
            require_files=require_files,
        )
        self._form_limits = form_limits(self.state.files.rules)
        self.faults = FaultQueue()
        self.requests: list[RecordedRequest] = []
        self.stats = EmulatorStats()
        self._bucket = TokenBucket(rate_limit) if rate_limit is not None else None
        self.limits = LimitGate(limits, self.clock.speed) if limits is not None else None
        self.webhooks = WebhookSender(
            endpoints=webhooks,
            secret=webhook_secret,
            attempts=webhook_attempts,
            retry_wait=webhook_retry_wait,
        )
        self._webhook_scanner: asyncio.Task[None] | None = None
        self._router = Router()
        self._runner: web.ServerRunner | None = None
        self._url: str | None = None

    @property
    def seed(self) -> int:
        """The seed in use: the one given, or the one drawn (pass it again to replay a run)."""
        return self.state.ids.seed

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:<port>/v1``.

        Raises:
            RuntimeError: the emulator is not running.
        """
        if self._url is None:
            raise RuntimeError("the emulator is not running; use 'async with' or await start()")
        return self._url

    async def start(self) -> FineTuningEmulator:
        """Bind and start serving.

        Returns:
            The emulator itself.

        Raises:
            RuntimeError: it was already started.
            OSError: the address cannot be bound.
        """
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        runner = web.ServerRunner(web.Server(self._handle, access_log=None), shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, backlog=4096)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self.port = address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self._url = f"http://{host}:{self.port}{BASE_PATH}"
        self._start_webhook_scanner()
        return self

    async def stop(self) -> None:
        """Stop serving and close open connections (idempotent)."""
        runner, self._runner = self._runner, None
        self._url = None
        scanner, self._webhook_scanner = self._webhook_scanner, None
        if scanner is not None:
            scanner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scanner
        await self.webhooks.close()
        if runner is not None:
            await runner.cleanup()

    aclose = stop

    async def __aenter__(self) -> FineTuningEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- webhooks -----------------------------------------------------------------------------

    def add_webhook(self, url: str) -> None:
        """Deliver the events of jobs that finish from now on to ``url`` too.

        Raises:
            ValueError: ``url`` is not an http(s) URL on 127.0.0.1.
        """
        self.webhooks.add(url)
        if self._runner is not None:
            self._start_webhook_scanner()

    def _start_webhook_scanner(self) -> None:
        # Only with an endpoint to deliver to: an idle scan every few milliseconds of loop time
        # would cost real time under looptime, where a test sleeps simulated hours.
        if self.webhooks.endpoints and self._webhook_scanner is None:
            scan = self._scan_for_webhooks()
            self._webhook_scanner = asyncio.get_running_loop().create_task(scan)

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every delivery attempt so far, in order."""
        return self.webhooks.deliveries

    async def deliver_webhooks(self) -> list[WebhookDelivery]:
        """Send the events of the jobs finished by now and wait until each is delivered or
        given up on (a test moves the clock, then awaits this).

        Returns:
            Every delivery attempt so far.
        """
        self.webhooks.scan(self.state.jobs.values(), self.clock.now(), self._event_id)
        await self.webhooks.drain()
        return self.webhooks.deliveries

    def _event_id(self) -> str:
        return self.state.ids.make("evt_")

    async def _scan_for_webhooks(self) -> None:
        # Jobs move lazily with the clock; look for newly finished ones now and then.
        while True:
            self.webhooks.scan(self.state.jobs.values(), self.clock.now(), self._event_id)
            await asyncio.sleep(_WEBHOOK_SCAN_EVERY)

    # -- serving ------------------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        headers = {
            "x-request-id": "req_" + os.urandom(16).hex(),
            "content-type": "application/json",
            "openai-organization": self.state.organization_id,
            "openai-version": "2020-10-01",
        }
        path = request.raw_path.partition("?")[0]
        try:
            route: Route | None = self._router.match(request.method, path)
        except EmulatorError:
            route = None  # answered once recorded
        raw = b""
        if route is None or not route.multipart:  # a form is streamed once the call is allowed
            try:
                raw = await request.read()  # at most MAX_REQUEST_BYTES, aiohttp's request limit
            except web.HTTPRequestEntityTooLarge:
                too_large = EmulatorError(
                    413,
                    f"Request body larger than {MAX_REQUEST_BYTES} bytes.",
                    code="request_too_large",
                )
                return web.Response(status=413, body=_dumps(too_large.body()), headers=headers)
        data: Any = None
        if raw:
            try:
                data = _loads(raw)
            except (ValueError, RecursionError):  # too deep for json is not JSON either
                data = _UNSET
        query = list(request.query.items())
        # Recorded on arrival, so a test sees a request whose answer is still delayed.
        record = RecordedRequest(
            method=request.method,
            path=path,
            query=query,
            headers=dict(request.headers.items()),
            body=raw,
            json=None if data is _UNSET else data,
            operation_id=None,
            status=0,
            fault=None,
            request_id=headers["x-request-id"],
        )
        self.requests.append(record)
        self.stats.requests += 1
        fault: FaultSpec | None = None
        try:
            if route is None:
                route = self._router.match(request.method, path)  # raises the 404
            record.operation_id = route.operation_id
            self.stats.by_operation[route.operation_id] += 1
            authenticate(request.headers.get("Authorization", ""), self.api_keys)
            self._rate_limit(headers, record)
            fault = self.faults.take(route.operation_id)
            if fault is not None:
                record.fault = fault.kind
                self.stats.faults += 1
                if fault.kind not in AFTER_KINDS:
                    early = await respond_before(fault, request, headers)
                    if early is not None:
                        record.status = 0 if fault.kind == "drop_before" else early.status
                        return early
            if route.multipart:
                data = await read_form(request, self._form_limits[route.operation_id])
            limited = self.limits if route.operation_id == "createFineTuningJob" else None
            if limited is not None:
                limited.check(self.state, self.clock.now(), data, headers)
            status, payload = 200, self._dispatch(route, data, query)
            if limited is not None:
                limited.created(payload, self.clock.now())
        except EmulatorError as exc:
            status, payload = exc.status, exc.body()
        if record.operation_id is None:
            self.stats.by_operation[None] += 1
        record.status = status
        if isinstance(payload, RawBody):
            headers["content-type"] = payload.content_type
            body = payload.data
        else:
            body = _dumps(payload)
        if fault is not None and fault.kind in AFTER_KINDS:
            return await respond_after(fault, request, status, body, headers)
        return web.Response(status=status, body=body, headers=headers)

    def _rate_limit(self, headers: dict[str, str], record: RecordedRequest) -> None:
        if self._bucket is None:
            return
        allowed, limits = self._bucket.acquire()
        headers.update(limits)
        if not allowed:
            self.stats.rate_limited += 1
            record.fault = "rate_limited"
            raise EmulatorError(
                429,
                "Rate limit reached for requests. Please try again later.",
                type="requests",
                code="rate_limit_exceeded",
            )

    def _dispatch(self, route: Route, data: Any, query: list[tuple[str, str]]) -> Any:
        if not route.has_body:
            data = None
        elif route.multipart:
            pass  # a Form, read by _handle
        elif data is None or data is _UNSET:
            raise EmulatorError(
                400,
                "We could not parse the JSON body of your request. The API expects a JSON payload.",
                code="invalid_json",
            )
        handler = _ALL_HANDLERS[route.operation_id]
        return handler(self.state, self.clock.now(), route.params, query, data)
