"""FineTuningClient: configuration, the session's lifecycle, and the resources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from . import _inputs
from ._config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_TIMEOUTS,
    FlowControl,
    RetryPolicy,
    Timeouts,
    resolve_config,
)
from ._flow import RateGate
from ._transport import Transport
from .errors import ClientClosedError
from .resources import Checkpoints, Graders, Jobs, Permissions

if TYPE_CHECKING:
    import aiohttp

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
        base_url: defaults to ``OPENAI_BASE_URL`` or ``https://api.openai.com/v1``.
        organization: sent as ``OpenAI-Organization``; defaults to ``OPENAI_ORG_ID``.
        project: sent as ``OpenAI-Project``; defaults to ``OPENAI_PROJECT_ID``.
        timeout: seconds for a whole attempt, a :class:`Timeouts`, or None for no limit.
        max_retries: retries after the first attempt; overrides ``retry_policy.max_retries``.
        retry_policy: a :class:`RetryPolicy` (default: 2 retries, 0.5 s base, 8 s cap, jitter).
        max_connections: size of the connection pool.
        default_headers: extra headers for every request.
        flow_control: a :class:`FlowControl`: requests in flight, adaptive rate limiting.
        session: an aiohttp session to use as-is; the client never closes or changes it.
        trace_configs: aiohttp ``TraceConfig`` objects for the client's own session, to observe
            every attempt (connection reuse, DNS, request start/end).

    Raises:
        InvalidParameterError: no API key anywhere, or a malformed argument.
    """

    def __init__(
        self,
        api_key: str | None = None,
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
        session: aiohttp.ClientSession | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        _inputs.instance_of(trace_configs, (list, tuple), "trace_configs", "a list of TraceConfig")
        self._config = resolve_config(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            timeout=timeout,
            max_retries=max_retries,
            retry_policy=retry_policy,
            max_connections=max_connections,
            default_headers=default_headers,
            flow_control=flow_control,
        )
        self._transport = Transport(self._config, session=session, trace_configs=trace_configs)
        self.jobs = Jobs(self._transport)
        """Jobs: create, retrieve, list, cancel, pause, resume, list_events."""
        self.checkpoints = Checkpoints(self._transport)
        """Checkpoints: list."""
        self.permissions = Permissions(self._transport)
        """Checkpoint permissions: create, list, delete."""
        self.graders = Graders(self._transport)
        """Graders (alpha): run, validate."""

    @property
    def base_url(self) -> str:
        """The API's base URL, without a trailing slash."""
        return self._config.base_url

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
        return self._transport.gate

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._transport.closed

    async def aclose(self) -> None:
        """Close the connection pool (unless the session was borrowed). Idempotent."""
        await self._transport.aclose()

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
        # Safe on a client whose constructor raised (rendered by tracebacks with locals).
        config = getattr(self, "_config", None)
        if config is None:
            return "<FineTuningClient (not initialised)>"
        transport = getattr(self, "_transport", None)
        state = "closed" if transport is not None and transport.closed else "open"
        return f"<FineTuningClient base_url={config.base_url!r} {state}>"
