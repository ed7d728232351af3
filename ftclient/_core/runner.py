"""The call runner: attempt, classify, wait, check and retry one call. No aiohttp here.

A :class:`Call` is a value: what to send, how long the whole call may take, how to decode the
answer and, for calls with side effects, a :class:`Guard` that knows how to check whether a
failed attempt acted anyway. The :class:`Runner` is handed an ``exchange`` (the transport: one
HTTP exchange, returning ``(status, headers, body)`` or raising an already classified
:class:`~ftclient.APIConnectionError`), the client's rate gate, and a clock and a sleep (the
running event loop's by default, so that loop-time libraries move everything together).

The rules, in the order the runner applies them after a failed attempt:

1. Not retryable (``RetryPolicy``, ``x-should-retry``, quota) or out of retries: raise it.
2. A 429 asking for a wait above ``max_retry_after`` (a daily limit): raise it at once, with
   its ``retry_after``, instead of sleeping on it.
3. Wait: the server's hint through :func:`~ftclient._core.protocol.server_wait`, else backoff's
   exponential wait with jitter. A wait that would end past the call's deadline is not slept:
   the failure is raised at once.
4. The server may have acted (5xx, a connection lost or timed out after sending): the call's
   guard checks (after the wait, so that a server still at work has had time) and answers with
   what the earlier attempt did, or says what to send again; a call without a guard (reads,
   graders) is simply sent again.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Mapping
from types import EllipsisType
from typing import Any, Generic, TypeVar

import attrs
import backoff

from .._config import RetryPolicy, Timeouts
from ..errors import APIConnectionError, APIError, APIStatusError, APITimeoutError
from . import protocol
from .gate import RateGate
from .response import Response, ResponseInfo, keep_info, response_info

__all__ = ["Call", "Context", "Exchange", "Guard", "Runner", "may_have_acted", "retry_waits"]

logger = logging.getLogger("ftclient")

T = TypeVar("T")
R = TypeVar("R")
Raw = tuple[int, dict[str, str], bytes]
Exchange = Callable[["Call[Any]"], Awaitable[Raw]]
"""One HTTP exchange of a call (the transport); raises APIConnectionError when it gets no answer."""


def may_have_acted(exc: BaseException) -> bool:
    """Whether the server may have acted on the attempt that raised ``exc`` (5xx, lost answer)."""
    if isinstance(exc, APIStatusError):
        return exc.status >= 500
    return isinstance(exc, APIConnectionError) and exc.request_sent


def retry_waits(policy: RetryPolicy) -> Iterator[float]:
    """The exponential waits between attempts under ``policy`` (the one backoff rule).

    backoff's ``expo`` from ``base_delay``, capped at ``max_delay``; with ``jitter``, each drawn
    between half and all of it. A server's hint, when it gives one, is used instead (``_wait``).
    """
    waits = backoff.expo(factor=policy.base_delay, max_value=policy.max_delay)
    next(waits)  # backoff's generators start with a priming yield
    for delay in waits:
        yield delay / 2 + backoff.full_jitter(delay / 2) if policy.jitter else delay


@attrs.define(kw_only=True)
class Call(Generic[T]):
    """One logical API call, everything about it in one value.

    Treated as immutable: a check or resend is a new call (:meth:`derive`, ``attrs.evolve``).
    Not frozen, because a frozen attrs class costs twice as much to build (measured: 16k against
    7k instructions), and one is built for every call.

    Attributes:
        operation: what the caller called, e.g. ``"jobs.create"``: errors name it.
        method: HTTP method.
        path: path below the base URL, already percent-encoded.
        decode: turns the 2xx :class:`Response` into the result.
        query: the operation's query parameters (None values are dropped).
        body: the operation's JSON document, or None.
        headers: per-call headers (the client's own and the key are added by the transport).
        extra_query: the caller's additional query parameters, sent as given.
        extra_body: the caller's additional top-level body fields, merged over ``body``.
        timeout: limits of the whole call; ``...`` means the client's.
        guard: how to check whether a failed attempt acted (None: a failure is resent).
        idempotency_key: the create's key, named in its errors.
    """

    operation: str
    method: str
    path: str
    decode: Callable[[Response], T] = attrs.field(repr=False)
    query: Mapping[str, Any] = attrs.field(factory=dict)
    body: Any = attrs.field(default=None, repr=False)
    headers: Mapping[str, str] = attrs.field(factory=dict)
    extra_query: Mapping[str, Any] = attrs.field(factory=dict)
    extra_body: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    timeout: Timeouts | None | EllipsisType = ...
    guard: Guard[T] | None = None
    idempotency_key: str | None = None

    def json_body(self) -> Any:
        """The document to send: ``body`` with ``extra_body`` merged over it."""
        if not self.extra_body:
            return self.body
        return {**(self.body or {}), **self.extra_body}

    def derive(
        self,
        operation: str,
        method: str,
        path: str,
        decode: Callable[[Response], Any],
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Call[Any]:
        """A call made on this one's behalf (a check): same headers, extra query and deadline.

        The original's ``Idempotency-Key`` is not passed on: it names the original request, and
        a server that honours it could answer a check with the original's answer.
        """
        return Call(
            operation=f"{self.operation} ({operation})",
            method=method,
            path=path,
            decode=decode,
            query=query or {},
            body=body,
            headers={k: v for k, v in self.headers.items() if k.lower() != "idempotency-key"},
            extra_query=self.extra_query,
            timeout=None,  # bounded by the parent call's deadline
        )


class Guard(Generic[T]):
    """How a call with side effects checks whether a failed attempt acted. Default: resend.

    One guard object serves one call (it may remember what its checks found).
    """

    resend_before_first: bool = False
    """True when the first send may itself repeat an earlier, lost one (an explicit key)."""

    async def before_send(self, ctx: Context[T]) -> T | None:
        """Before the first attempt: a result that already exists, or None to send."""
        return None

    async def after_ambiguous(self, ctx: Context[T], failure: APIError) -> T | Call[T]:
        """After an attempt that may have acted: its result, or the call to send again.

        Raises:
            APIError: ``failure`` (with a note), when sending again could act twice.
        """
        return ctx.call

    async def confirm(self, ctx: Context[T], outcome: T | APIStatusError) -> T:
        """After a resend that followed a possibly acted attempt: reconcile its outcome.

        Raises:
            APIStatusError: ``outcome``, when it is an error the checks do not explain.
        """
        if isinstance(outcome, APIStatusError):
            raise outcome
        return outcome


@attrs.define
class Context(Generic[T]):
    """What a guard may use while one call runs: the call, its deadline, and checks."""

    runner: Runner
    call: Call[T]
    deadline: float
    notes: list[str] = attrs.Factory(list)
    """What the guard did on the caller's behalf; ends up in ``ResponseInfo.recovery``."""
    attempts: int = 0
    retry_waits: list[float] = attrs.Factory(list)
    start: float = 0.0

    def info(self, status: int, headers: dict[str, str]) -> ResponseInfo:
        """The :class:`ResponseInfo` of this call so far, for an answer ``status``/``headers``."""
        return ResponseInfo(
            status=status,
            headers=headers,
            request_id=headers.get("x-request-id"),
            attempts=self.attempts,
            retry_waits=tuple(self.retry_waits),
            elapsed=self.runner.clock() - self.start,
            recovery=tuple(self.notes),
        )

    def remaining(self) -> float:
        """Seconds left before the call's deadline (``inf`` without one)."""
        return self.deadline - self.runner.clock()

    async def check(self, call: Call[Any]) -> Any:
        """Run a check (a call made on this one's behalf) within this call's deadline."""
        return await self.runner.run(call, deadline=self.deadline)

    async def until(self, probe: Callable[[], Awaitable[Any]], done: Callable[[Any], bool]) -> Any:
        """Probe repeatedly until ``done(result)``, for at most the consistency window.

        The API's lists and reads may lag behind its writes; this is how a check gives them
        time. Probes are spaced 0.25 s, 0.5 s, 1 s, then every 2 s.

        Returns:
            The last probe's result (``done`` may be false for it: the window ran out).
        """
        runner = self.runner
        window = runner.policy.consistency_window
        waited = 0.0
        interval = 0.25
        while True:
            result = await probe()
            if done(result):
                return result
            pause = min(interval, window - waited, self.remaining())
            if pause <= 0:
                return result
            waited += pause
            await runner.pause(pause)
            interval = min(interval * 2, 2.0)

    def recovered(self, result: R, how: str) -> R:
        """``result``, recorded as obtained by checks on the caller's behalf, not by its answer.

        Its :class:`ResponseInfo` (that of the check that found it, or a new one for a result
        the checks proved, such as a revoke's) gains ``how`` in ``recovery``.
        """
        self.notes.append(how)
        found = response_info(result)
        keep_info(
            result, self.info(found.status, dict(found.headers)) if found else self.info(200, {})
        )
        return result


class Runner:
    """Runs calls for one client. See the module docstring for the rules.

    Args:
        exchange: one HTTP exchange (the transport's).
        policy: the client's retry policy.
        gate: the client-wide rate gate.
        max_in_flight: most exchanges in flight at once.
        default_timeout: the limits of a call whose ``timeout`` is ``...``.
        clock: monotonic seconds (default: the running loop's).
        sleep: how to wait (default: ``asyncio.sleep``).
    """

    def __init__(
        self,
        exchange: Exchange,
        *,
        policy: RetryPolicy,
        gate: RateGate,
        max_in_flight: int,
        default_timeout: Timeouts,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._exchange = exchange
        self.policy = policy
        self.gate = gate
        self.default_timeout = default_timeout
        self._clock = clock
        self.sleep = sleep
        self._slots = asyncio.Semaphore(max_in_flight)

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds`` (with ``RetryPolicy(wait=False)``: only yield to the loop)."""
        await self.sleep(seconds if self.policy.wait else 0.0)

    def clock(self) -> float:
        """The runner's monotonic clock, in seconds (the running loop's unless one was given)."""
        if self._clock is None:  # a client serves one event loop (the transport enforces it)
            self._clock = asyncio.get_running_loop().time
        return self._clock()

    def timeouts_of(self, call: Call[Any]) -> Timeouts:
        """The limits in force for ``call``."""
        if call.timeout is ...:
            return self.default_timeout
        return Timeouts.coerce(call.timeout)

    async def run(self, call: Call[T], *, deadline: float | None = None) -> T:
        """Run ``call`` to its result under the client's policy.

        Args:
            call: the call.
            deadline: for a check run on another call's behalf: that call's deadline (the
                outer call then also enforces it).

        Raises:
            APIStatusError: the final attempt got an error status.
            APIConnectionError: the final attempt got no usable response.
            APITimeoutError: the call's ``timeout`` ran out; it names ``call.operation``.
        """
        now = self.clock()
        if deadline is not None:
            return await self._run(Context(self, call, deadline, start=now))
        total = self.timeouts_of(call).total
        ctx = Context(self, call, math.inf if total is None else now + total, start=now)
        if total is None:
            return await self._run(ctx)
        timer = asyncio.timeout(total)
        try:
            async with timer:
                return await self._run(ctx)
        except TimeoutError:
            if not timer.expired():
                raise
            raise self._deadline_error(call, total) from None

    @staticmethod
    def _deadline_error(call: Call[Any], total: float) -> APITimeoutError:
        message = f"{call.operation} did not finish within its timeout of {total:g}s"
        if call.idempotency_key is not None:
            message += (
                f"; the job may still be created: call jobs.create again with "
                f"idempotency_key={call.idempotency_key!r} to get it without making a second one"
            )
        return APITimeoutError(message, method=call.method, url=call.path)

    async def _run(self, ctx: Context[T]) -> T:
        call = ctx.call
        guard = call.guard
        if guard is not None:
            found = await guard.before_send(ctx)
            if found is not None:
                return found
        resent = guard is not None and guard.resend_before_first
        waits: Iterator[float] | None = None  # the exponential waits, made at the first failure
        while True:
            ctx.attempts += 1
            try:
                raw = await self._attempt(call, ctx.attempts)
            except APIError as failure:
                if (
                    resent
                    and guard is not None
                    and isinstance(failure, APIStatusError)
                    and not protocol.should_retry(failure, self.policy)
                ):
                    return await guard.confirm(ctx, failure)
                self._raise_unless_retryable(call, failure, ctx.attempts)
                waits = waits or retry_waits(self.policy)
                wait = self._wait(failure, waits)
                ctx.retry_waits.append(wait)
                if self.policy.wait and wait > ctx.remaining():
                    failure.add_note(
                        f"not retried: the next attempt, in {wait:.3g}s, would start after the "
                        "call's timeout"
                    )
                    raise
                logger.debug("%s: retrying in %.3fs after %s", call.operation, wait, failure)
                await self.pause(wait)
                if may_have_acted(failure) and guard is not None:
                    # Checked after the wait, so that a server still at work has had time.
                    outcome = await guard.after_ambiguous(ctx, failure)
                    if not isinstance(outcome, Call):
                        return outcome
                    call, resent = outcome, True
                continue
            status, headers, body = raw
            result = call.decode(Response(ctx.info(status, headers), body))
            if resent and guard is not None:
                return await guard.confirm(ctx, result)
            return result

    def _raise_unless_retryable(self, call: Call[Any], failure: APIError, attempts: int) -> None:
        if not protocol.should_retry(failure, self.policy) or attempts > self.policy.max_retries:
            if call.idempotency_key is not None and may_have_acted(failure):
                failure.add_note(
                    "the job may have been made: call jobs.create again with idempotency_key="
                    f"{call.idempotency_key!r} to get it without making a second one"
                )
            raise failure
        if (
            isinstance(failure, APIStatusError)
            and failure.status == 429
            and failure.retry_after is not None
            and failure.retry_after > self.policy.max_retry_after
        ):
            failure.add_note(
                f"not retried: the server asks to wait {failure.retry_after:.0f}s, more than "
                f"RetryPolicy.max_retry_after ({self.policy.max_retry_after:g}s)"
            )
            raise failure

    def _wait(self, failure: APIError, waits: Iterator[float]) -> float:
        headers = failure.headers if isinstance(failure, APIStatusError) else None
        hinted = protocol.server_wait(headers, self.policy.max_retry_after) if headers else None
        if hinted is not None:
            return hinted
        return next(waits)

    async def _attempt(self, call: Call[Any], attempt: int) -> Raw:
        gate = self.gate
        debug = logger.isEnabledFor(logging.DEBUG)  # skip the log's clock and arguments if not
        async with self._slots:
            sent_at = await gate.acquire()
            gate.in_flight += 1
            started = self.clock() if debug else 0.0
            try:
                status, headers, body = await self._exchange(call)
            finally:
                gate.in_flight -= 1
        gate.on_response(status, headers, sent_at=sent_at)
        if debug:
            logger.debug(
                "%s: %s %s -> %d in %.3fs (request id %s, attempt %d)",
                call.operation,
                call.method,
                call.path,
                status,
                self.clock() - started,
                headers.get("x-request-id"),
                attempt,
            )
        if not 200 <= status < 300:
            raise protocol.error_from_response(
                status, headers, body, method=call.method, url=call.path
            )
        return status, headers, body
