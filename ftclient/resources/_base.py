"""What every resource shares: building a call, running it, and paginating."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .._checks import check_headers, check_limit, json_object, non_negative_int, query_params
from .._config import Clock, RetryPolicy, TimeoutArg, Timeouts
from .._core import protocol
from .._core.body import Form, Sink
from .._core.call import Call, Guard
from .._core.pagination import AsyncPaginator, PageLike
from .._core.response import Response
from .._core.runner import Runner
from .._wire.decode import decode, decoder
from ..providers import OPENAI, Provider
from ._guards import new_key

__all__ = ["Options", "Resource", "TimeoutArg", "decode"]

T = TypeVar("T")
PageT = TypeVar("PageT", bound=PageLike[Any])


class Options:
    """The per-call options every method takes, checked once, before anything is sent.

    Every method that sends a request takes them as keyword-only arguments:

    * ``timeout``: seconds for the whole call, a :class:`~ftclient.Timeouts`, None for no
      limit; default: the client's.
    * ``max_retries``: retries after the first attempt, for this call only (and the checks made
      on its behalf); default: the client's ``RetryPolicy.max_retries``. openai-python's name.
    * ``extra_headers``, ``extra_query``, ``extra_body``: sent as given, over what the method
      sends (``extra_body`` only where the body is JSON).
    """

    __slots__ = ("extra_body", "extra_headers", "extra_query", "max_retries", "timeout")

    def __init__(
        self,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        *,
        max_retries: int | None = None,
    ) -> None:
        self.timeout = timeout if timeout is ... else Timeouts.coerce(timeout)
        self.max_retries = (
            None if max_retries is None else non_negative_int(max_retries, "max_retries")
        )
        self.extra_headers = check_headers(extra_headers)
        self.extra_query = query_params(extra_query, "extra_query")
        self.extra_body = json_object(extra_body, "extra_body")


class Resource:
    """Base of the resource classes: holds the client's call runner."""

    __slots__ = ("_provider", "_runner")
    _name = "resource"

    def __init__(self, runner: Runner, provider: Provider = OPENAI) -> None:
        self._runner = runner
        self._provider = provider

    @property
    def clock(self) -> Clock:
        """The clock the client runs by (the polling helpers wait on it)."""
        return self._runner.as_clock

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client's retry policy (the polling helpers classify failures with it)."""
        return self._runner.policy

    def _call(
        self,
        operation: str,
        model: type[T],
        method: str,
        path: str,
        options: Options,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        guard: Guard[T] | None = None,
        idempotency_key: str | None = None,
        form: Form | None = None,
        sink: Sink | None = None,
        decode: Callable[[Response], T] | None = None,
    ) -> Call[T]:
        # What the client's provider documents as unsupported never leaves (extra_body included).
        if self._provider.unsupported:  # OpenAI's has none: no cost per call
            self._provider.refuse(
                f"{self._name}.{operation}",
                {**(body if isinstance(body, Mapping) else {}), **options.extra_body},
            )
        headers: Mapping[str, str] = options.extra_headers
        if self._runner.default_headers:  # a client's with_options(extra_headers=...)
            headers = protocol.merge_headers(self._runner.default_headers, headers)
        if method == "POST" and not any(name.lower() == "idempotency-key" for name in headers):
            # One key for every attempt of this call, so that a server that honours it dedupes.
            headers = {**headers, "Idempotency-Key": idempotency_key or new_key()}
        call: Call[T] = Call(
            operation=f"{self._name}.{operation}",
            method=method,
            path=path,
            decode=decode or decoder(model, method, path),
            query=query or {},
            body=body,
            headers=headers,
            extra_query=options.extra_query,
            extra_body=options.extra_body,
            # Resolved here, once: the runner enforces its total, the transport the rest.
            timeout=self._runner.default_timeout if options.timeout is ... else options.timeout,
            guard=guard,
            form=form,
            sink=sink,
            max_retries=options.max_retries,
        )
        return call

    async def _request(
        self,
        operation: str,
        model: type[T],
        method: str,
        path: str,
        options: Options,
        *,
        body: Any = None,
        guard: Guard[T] | None = None,
    ) -> T:
        call = self._call(operation, model, method, path, options, body=body, guard=guard)
        return await self._runner.run(call)

    def _paginate(
        self,
        operation: str,
        page_model: type[PageT],
        path: str,
        params: Mapping[str, Any],
        options: Options,
        *,
        after: str | None,
    ) -> AsyncPaginator[Any, PageT]:
        """Check the common list arguments now, and return a paginator over ``path``."""
        self._provider.refuse(f"{self._name}.{operation}", None)
        check_limit(params.get("limit"))
        if after is not None:
            protocol.path_segment(after, "after")

        async def fetch(cursor: str | None) -> PageT:
            query = {**params, "after": cursor}
            call = self._call(operation, page_model, "GET", path, options, query=query)
            return await self._runner.run(call)

        return AsyncPaginator(fetch, after=after, operation=f"{self._name}.{operation}")
