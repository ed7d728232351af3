"""The call runner: attempt, classify, wait, check and retry one call. No aiohttp here.

The :class:`Runner` is handed an ``exchange`` (the transport: one HTTP exchange, returning
``(status, headers, body)`` or raising an already classified :class:`~ftclient.APIConnectionError`),
the client's rate gate, and a clock and a sleep (the running event loop's by default, so that
loop-time libraries move everything together). It runs :class:`~ftclient._core.call.Call` values.

The rules, in the order the runner applies them after a failed attempt:

1. Not retryable (``RetryPolicy``, ``x-should-retry``, quota) or out of retries: raise it (with
   the guard's ``if_maybe_acted`` note when the attempt may have acted).
2. A 429 asking for a wait above ``max_retry_after`` (a daily limit): raise it at once, with
   its ``retry_after``, instead of sleeping on it.
3. Wait: the server's hint through :func:`~ftclient._core.protocol.server_wait`, else
   :func:`retry_waits`. A wait that would end past the call's deadline is not slept: the
   failure is raised at once.
4. The server may have acted (5xx, a connection lost or timed out after sending): the call's
   guard is asked (after the wait, so that a server still at work has had time). Its hooks are
   generators (see ``_core/call.py``): the runner drives them, runs every :class:`Check` they
   yield within the call's deadline (a check's own guard included), throws a check's failure
   back into the hook, records their notes, and acts on the decision they return: a result
   recovered, or the call to send again. A call without a guard (reads, graders) is simply
   sent again.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import backoff

from .._config import Clock, RetryPolicy, Timeouts
from ..errors import APIError, APIStatusError, APITimeoutError
from . import protocol
from .call import Call, Check, Exchange, Hook, Note, Raw, Recovered, may_have_acted
from .gate import RateGate
from .pagination import AsyncPaginator
from .response import Response, ResponseInfo, carried_info, keep_info

__all__ = ["Runner", "RunnerClock", "retry_waits"]

logger = logging.getLogger("ftclient")

T = TypeVar("T")
R = TypeVar("R")


def retry_waits(policy: RetryPolicy) -> Iterator[float]:
    """The exponential waits between attempts under ``policy`` (the one backoff rule).

    backoff's ``expo`` from ``base_delay``, capped at ``max_delay``; with ``jitter``, each drawn
    between half and all of it. A server's hint, when it gives one, is used instead.
    """
    waits = backoff.expo(factor=policy.base_delay, max_value=policy.max_delay)
    next(waits)  # backoff's generators start with a priming yield
    for delay in waits:
        yield delay / 2 + backoff.full_jitter(delay / 2) if policy.jitter else delay


@attrs.define
class _State:
    """One run of a call: its deadline and what happened so far (notes from its guard)."""

    deadline: float
    start: float
    attempts: int = 0
    retry_waits: list[float] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)


@attrs.frozen
class RunnerClock:
    """The runner's clock and sleep as a :class:`~ftclient.Clock`, for the polling helpers
    (their waits are not switched off by ``RetryPolicy(wait=False)``: they are the caller's)."""

    runner: Runner

    def time(self) -> float:
        """The runner's monotonic clock."""
        return self.runner.clock()

    async def sleep(self, seconds: float) -> None:
        """Wait on the runner's sleep."""
        await self.runner.sleep(seconds)


class Runner:
    """Runs calls for one client. See the module docstring for the rules.

    Args:
        exchange: one HTTP exchange (the transport's).
        policy: the client's retry policy.
        gate: the client-wide rate gate.
        max_in_flight: most exchanges in flight at once.
        default_timeout: the client's limits, for calls built without their own.
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
        """The limits of a call given none (resources resolve ``timeout=...`` to it)."""
        self._clock = clock
        self.sleep = sleep
        self._slots = asyncio.Semaphore(max_in_flight)
        self.as_clock: Clock = RunnerClock(self)
        """This runner's clock and sleep as one :class:`~ftclient.Clock`."""
        self.default_headers: Mapping[str, str] = {}
        """Headers every call built for this runner carries beneath its own (``with_options``)."""

    def derive(
        self, *, policy: RetryPolicy, default_timeout: Timeouts, default_headers: Mapping[str, str]
    ) -> Runner:
        """A runner with other defaults on the same exchange, rate gate, in-flight slots and
        clock: what ``client.with_options`` runs on, so that it adds no concurrency of its own."""
        runner = Runner(
            self._exchange,
            policy=policy,
            gate=self.gate,
            max_in_flight=1,  # replaced by the shared slots below
            default_timeout=default_timeout,
            clock=self._clock,
            sleep=self.sleep,
        )
        runner._slots = self._slots
        runner.default_headers = default_headers
        return runner

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds`` (with ``RetryPolicy(wait=False)``: only yield to the loop)."""
        await self.sleep(seconds if self.policy.wait else 0.0)

    def clock(self) -> float:
        """The runner's monotonic clock, in seconds (the running loop's unless one was given)."""
        if self._clock is None:  # a client serves one event loop (the transport enforces it)
            self._clock = asyncio.get_running_loop().time
        return self._clock()

    async def run(self, call: Call[T]) -> T:
        """Run ``call`` to its result under the client's policy (``call.max_retries`` in place of
        its ``max_retries`` when set) and ``call.timeout.total``.

        Raises:
            APIStatusError: the final attempt got an error status.
            APIConnectionError: the final attempt got no usable response.
            APITimeoutError: the call's ``timeout`` ran out; it names ``call.operation``.
        """
        now = self.clock()
        total = call.timeout.total
        state = _State(math.inf if total is None else now + total, now)
        if total is None:
            return await self._run(call, state)
        timer = asyncio.timeout(total)
        try:
            async with timer:
                return await self._run(call, state)
        except TimeoutError:
            if not timer.expired():
                raise
            raise self._deadline_error(call, total) from None

    @staticmethod
    def _deadline_error(call: Call[Any], total: float) -> APITimeoutError:
        message = f"{call.operation} did not finish within its timeout of {total:g}s"
        if call.guard is not None and call.guard.if_timed_out:
            message += f"; {call.guard.if_timed_out}"
        return APITimeoutError(message, method=call.method, url=call.path)

    def _info(self, state: _State, status: int, headers: dict[str, str]) -> ResponseInfo:
        return ResponseInfo(
            status=status,
            headers=headers,
            request_id=headers.get("x-request-id"),
            attempts=state.attempts,
            retry_waits=tuple(state.retry_waits),
            elapsed=self.clock() - state.start,
            recovery=tuple(state.notes),
        )

    async def _run(self, call: Call[T], state: _State) -> T:
        guard = call.guard
        if guard is not None:
            found = await self._drive(guard.before_send(call), state)
            if found is not None:
                return self._recovered(found, state)
        resent = guard is not None and guard.resend_before_first
        waits: Iterator[float] | None = None  # the exponential waits, made at the first failure
        while True:
            state.attempts += 1
            try:
                raw = await self._attempt(call, state.attempts)
            except APIError as failure:
                failure.attempts = state.attempts
                if (
                    resent
                    and guard is not None
                    and isinstance(failure, APIStatusError)
                    and not protocol.should_retry(failure, self.policy)
                ):
                    return await self._confirm(call, failure, state)
                self._raise_unless_retryable(call, failure, state.attempts)
                waits = waits or retry_waits(self.policy)
                wait = self._wait(failure, waits)
                state.retry_waits.append(wait)
                if self.policy.wait and wait > state.deadline - self.clock():
                    failure.add_note(
                        f"not retried: the next attempt, in {wait:.3g}s, would start after the "
                        "call's timeout"
                    )
                    raise
                logger.debug("%s: retrying in %.3fs after %s", call.operation, wait, failure)
                await self.pause(wait)
                if may_have_acted(failure) and guard is not None:
                    # Checked after the wait, so that a server still at work has had time.
                    outcome = await self._drive(guard.after_ambiguous(call, failure), state)
                    if isinstance(outcome, Recovered):
                        return self._recovered(outcome, state)
                    call, resent = outcome, True
                continue
            status, headers, body = raw
            result = call.decode(Response(self._info(state, status, headers), body))
            if resent and guard is not None:
                return await self._confirm(call, result, state)
            return result

    async def _confirm(self, call: Call[T], outcome: T | APIStatusError, state: _State) -> T:
        assert call.guard is not None  # only a guarded call is confirmed
        decided = await self._drive(call.guard.confirm(call, outcome), state)
        return self._recovered(decided, state) if isinstance(decided, Recovered) else decided

    def _recovered(self, decision: Recovered[R], state: _State) -> R:
        """The result the guard recovered, its :class:`ResponseInfo` saying how.

        A result a check answered keeps that answer's status and headers; one the checks only
        proved (a revoke's) gets a 200 without headers.
        """
        result = decision.result
        state.notes.append(decision.how)
        found = carried_info(result)
        headers = dict(found.headers) if found else {}
        keep_info(result, self._info(state, found.status if found else 200, headers))
        return result

    async def _drive(self, hook: Hook[R], state: _State) -> R:
        """Run a guard's hook: make each check it yields, send it the result, return its
        decision. A check's failure is thrown into the hook, which may handle it."""
        try:
            request = next(hook)
            while True:
                if isinstance(request, Note):
                    state.notes.append(request.text)
                    request = hook.send(None)
                    continue
                try:
                    result = await self._check(request, state)
                except Exception as exc:  # the guard decides what a failed check means
                    request = hook.throw(exc)
                else:
                    request = hook.send(result)
        except StopIteration as stop:
            decision: R = stop.value
            return decision

    async def _check(self, check: Check, state: _State) -> Any:
        """One check, probed again within the consistency window while ``until`` says not yet.

        The API's lists and reads may lag behind its writes; the window is how a check gives
        them time. Probes are spaced 0.25 s, 0.5 s, 1 s, then every 2 s.
        """
        window = self.policy.consistency_window
        waited, interval = 0.0, 0.25
        while True:
            result = await self._probe(check, state)
            if check.until is None or check.until(result):
                return result
            pause = min(interval, window - waited, state.deadline - self.clock())
            if pause <= 0:
                return result
            waited += pause
            await self.pause(pause)
            interval = min(interval * 2, 2.0)

    async def _probe(self, check: Check, state: _State) -> Any:
        """Run the check's call within the deadline of the call it serves (every page of it)."""
        call = check.call
        if not check.pages:
            return await self._run(call, _State(state.deadline, self.clock()))

        async def fetch(cursor: str | None) -> Any:
            page = attrs.evolve(call, query={**call.query, "after": cursor})
            return await self._run(page, _State(state.deadline, self.clock()))

        return await AsyncPaginator[Any, Any](fetch, operation=call.operation).to_list()

    def _raise_unless_retryable(self, call: Call[Any], failure: APIError, attempts: int) -> None:
        limit = self.policy.max_retries if call.max_retries is None else call.max_retries
        if not protocol.should_retry(failure, self.policy) or attempts > limit:
            guard = call.guard
            if guard is not None and guard.if_maybe_acted and may_have_acted(failure):
                failure.add_note(guard.if_maybe_acted)
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
