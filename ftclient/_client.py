"""FineTuningClient: configuration, the session's lifecycle, and the resources."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import attrs

from . import _checks
from ._config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUTS,
    Clock,
    FlowControl,
    RetryPolicy,
    Secret,
    TimeoutArg,
    Timeouts,
    resolve_config,
)
from ._core import protocol
from ._core.call import Handler
from ._core.gate import RateGate
from ._core.runner import Runner
from ._logs import configure_from_env
from ._transport import ClientSession, TraceConfig, Transport
from .errors import ClientClosedError, InvalidParameterError
from .providers import OPENAI, Provider
from .resources import Checkpoints, Files, Graders, Jobs, Permissions, Uploads

__all__ = ["FineTuningClient"]


class FineTuningClient:
    """An asyncio client for the OpenAI Fine-Tuning API.

    Use it as an async context manager (or call :meth:`aclose`)::

        async with FineTuningClient() as client:
            job = await client.jobs.create(model="gpt-4o-mini", training_file="file-abc")

    The aiohttp session and its connection pool are created lazily inside the running event loop
    on the first request, and closed by :meth:`aclose`. A closed client cannot be reopened.

    Args:
        api_key: API key; defaults to ``OPENAI_API_KEY``. Required.
        base_url: defaults to ``OPENAI_BASE_URL`` or ``https://api.openai.com/v1``. A query it
            carries (``?api-version=...``) is sent with every request, like ``default_query``
            (whose keys win); a ``#fragment``, credentials, spaces or control characters are
            refused.
        organization: sent as ``OpenAI-Organization``; defaults to ``OPENAI_ORG_ID``.
        project: sent as ``OpenAI-Project``; defaults to ``OPENAI_PROJECT_ID``.
        timeout: seconds for a whole call (retries, waits and checks included), a
            :class:`Timeouts`, or None for no limit; each method's ``timeout=`` overrides it.
        max_retries: retries after the first attempt; overrides ``retry_policy.max_retries``.
        retry_policy: a :class:`RetryPolicy` (default: 2 retries, 0.5 s base, 8 s cap, jitter).
        max_connections: size of the connection pool.
        default_headers: extra headers for every request.
        flow_control: a :class:`FlowControl`: requests in flight, adaptive rate limiting.
        session: an aiohttp session to use as-is; the client never closes or changes it.
        trace_configs: aiohttp ``TraceConfig`` objects for the client's own session, to observe
            every attempt (connection reuse, DNS, request start/end).
        default_query: query parameters added to every request.
        max_response_bytes: the largest response body read (after decompression); a larger one
            is refused with :class:`APIResponseValidationError` (default 32 MiB).
        clock: a :class:`Clock` (``time()``, ``async sleep(seconds)``) that the retries, the
            rate gate and the polling helpers run by; default: the running event loop's. For
            tests: :class:`ftclient.testing.SimClock` makes every wait cost no real time.
        handler: ``async (Request) -> (status, headers, body)`` answering every request in
            place of HTTP (no aiohttp session is made), like httpx's ``MockTransport``; it may
            raise :class:`APIConnectionError` to play a lost connection. For tests.

    The client's own session honours ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY``, read when the
    client is created. With a borrowed ``session``, everything holds except one aiohttp behaviour
    ftclient cannot switch off on a session it does not own: aiohttp may resend a GET or DELETE
    once, unseen, when a kept-alive connection drops, so a revoke whose answer was lost may be
    reported as :class:`NotFoundError`. Its ``raise_for_status`` setting is overridden per request.

    Raises:
        InvalidParameterError: no API key anywhere, or a malformed argument.
    """

    _provider: Provider = OPENAI  # whose refusals apply; how the key travels and is found
    # A subclass taking a token provider (Azure's Entra ID) sets this before calling __init__.
    _token_provider: Any = None
    # A client made by with_options shares its parent's pool and leaves closing it to the parent.
    _owns_pool = True

    def __init__(
        self,
        api_key: str | Secret | None = None,
        *,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        timeout: float | Timeouts | None = DEFAULT_TIMEOUTS,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        default_headers: Mapping[str, str] | None = None,
        flow_control: FlowControl | None = None,
        session: ClientSession | None = None,
        trace_configs: Sequence[TraceConfig] = (),
        default_query: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Clock | None = None,
        handler: Handler | None = None,
    ) -> None:
        if clock is not None and not isinstance(clock, Clock):
            raise InvalidParameterError(
                "clock", f"must have time() and async sleep(seconds), got {type(clock).__name__}"
            )
        _checks.instance_of(trace_configs, (list, tuple), "trace_configs", "a list of TraceConfig")
        secret = api_key if isinstance(api_key, Secret) or api_key is None else Secret(api_key)
        del api_key  # from here on only the masked Secret sits in a frame a traceback can show
        configure_from_env()
        config = resolve_config(
            api_key=secret,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_connections=max_connections,
            default_headers=default_headers,
            flow_control=flow_control,
            default_query=default_query,
            auth_header=self._provider.auth_header,
            key_variable=self._provider.key_variable,
            max_response_bytes=max_response_bytes,
            token_provider=self._token_provider,
        )
        self._config = config
        self._transport = Transport(
            config, session=session, trace_configs=trace_configs, handler=handler
        )
        # One clock for everything that waits: the runner, the gate and (through the
        # resources) the polling helpers. None: the running loop's, read lazily.
        now, sleep = (clock.time, clock.sleep) if clock is not None else (None, asyncio.sleep)
        gate = RateGate(
            config.flow,
            max_retry_after=config.retry.max_retry_after,
            wait=config.retry.wait,
            clock=now,
            sleep=sleep,
        )
        self._runner = Runner(
            self._transport.exchange,
            policy=config.retry,
            gate=gate,
            max_in_flight=config.flow.max_in_flight or config.max_connections,
            default_timeout=config.timeouts,
            clock=now,
            sleep=sleep,
        )
        self._attach_resources()

    def _attach_resources(self) -> None:
        runner, provider = self._runner, self._provider
        self.jobs = Jobs(runner, provider)
        """Jobs: create, retrieve, list, cancel, pause, resume, list_events."""
        self.checkpoints = Checkpoints(runner, provider)
        """Checkpoints: list."""
        self.permissions = Permissions(runner, provider)
        """Checkpoint permissions: create, list, delete."""
        self.graders = Graders(runner, provider)
        """Graders (alpha): run, validate."""
        self.uploads = Uploads(runner)
        """Uploads (large files in parts): create, add_part, complete, cancel."""
        self.files = Files(runner, self.uploads)
        """Files: upload, create, retrieve, list, delete, content, download, wait_processed."""

    def with_options(
        self,
        *,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Self:
        """A client of the same class with other defaults, on this client's connection pool.

        openai-python's ``client.with_options(...)``: ``client.with_options(max_retries=0)``
        for one fail-fast call, or a client kept for a worker with its own limits. The derived
        client shares the pool, the rate gate and the in-flight limit (``FlowControl``,
        ``max_connections``) with this one: it adds no concurrency and costs nothing per call.
        What would need another pool (``base_url``, ``max_connections``, ``session``, the key,
        ``flow_control``) is not accepted; make another client for it.

        Closing: the client that made the pool owns it. ``aclose()`` (or ``async with``) on a
        derived client leaves the pool open; a derived client is closed once its parent is.

        Args:
            timeout: the calls' default limits (seconds, :class:`Timeouts`, None for none);
                default: this client's. A method's own ``timeout=`` still wins.
            max_retries: retries after the first attempt; overrides the policy's (as in the
                constructor). A method's own ``max_retries=`` still wins.
            retry_policy: a :class:`RetryPolicy` for the derived client's calls (the rate gate
                stays this client's, with its ``max_retry_after`` and ``wait``).
            extra_headers: headers added to every call of the derived client, over this
                client's (a call's own ``extra_headers`` win). Not ``Idempotency-Key``: that is
                one call's.

        Returns:
            A client of this client's class (``AzureFineTuningClient`` stays Azure's).

        Raises:
            InvalidParameterError: a malformed argument, named, at this call.
        """
        config = self._config
        policy = config.retry
        if retry_policy is not None:
            _checks.instance_of(retry_policy, RetryPolicy, "retry_policy", "a RetryPolicy or None")
            policy = retry_policy
        if max_retries is not None:
            policy = attrs.evolve(
                policy, max_retries=_checks.non_negative_int(max_retries, "max_retries")
            )
        timeouts = config.timeouts if timeout is ... else Timeouts.coerce(timeout)
        headers = _checks.check_headers(extra_headers, "extra_headers")
        if any(name.lower() == "idempotency-key" for name in headers):
            raise InvalidParameterError(
                "extra_headers", "Idempotency-Key names one call: pass it to that call"
            )
        derived = object.__new__(type(self))
        derived.__dict__.update(self.__dict__)  # the transport (pool) and a subclass's state
        derived._config = attrs.evolve(config, retry=policy, timeouts=timeouts)
        derived._runner = self._runner.derive(
            policy=policy,
            default_timeout=timeouts,
            default_headers=protocol.merge_headers(self._runner.default_headers, headers),
        )
        derived._owns_pool = False
        derived._attach_resources()
        return derived

    @property
    def base_url(self) -> str:
        """The API's base URL, without a trailing slash."""
        return self._config.base_url

    @property
    def provider(self) -> Provider:
        """The server this client is made for (:mod:`ftclient.providers`)."""
        return self._provider

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in force."""
        return self._config.retry

    @property
    def timeouts(self) -> Timeouts:
        """The default timeouts of each attempt."""
        return self._config.timeouts

    @property
    def rate_gate(self) -> RateGate:
        """The client-wide adaptive rate gate (``.rate``, ``.throttled``, ``.in_flight``)."""
        return self._runner.gate

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called (for a :meth:`with_options` client: the
        parent's)."""
        return self._transport.closed

    async def aclose(self) -> None:
        """Close the connection pool (unless the session was borrowed). Idempotent.

        Calls still waiting (for a slot or the rate gate) raise :class:`ClientClosedError`.
        On a client made by :meth:`with_options` it does nothing: the pool is its parent's.
        """
        if not self._owns_pool:
            return
        await self._transport.aclose()
        self._runner.gate.close()

    async def __aenter__(self) -> FineTuningClient:
        if self.closed:
            raise ClientClosedError("a closed FineTuningClient cannot be reopened")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        config = getattr(self, "_config", None)  # also for a client whose constructor failed
        if config is None:
            return f"<{type(self).__name__} (not initialised)>"
        state = "closed" if self.closed else "open"
        return f"<{type(self).__name__} base_url={config.base_url!r} {state}>"
