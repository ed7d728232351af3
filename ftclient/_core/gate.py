"""Client-wide flow control: an adaptive rate gate that every attempt of one client passes.

Every coroutine using one client passes the same gate before each attempt, so the client as a
whole slows down when the server pushes back, instead of each coroutine retrying on its own.
What the gate obeys and how long it may wait is bounded by one cap, the client's
``RetryPolicy.max_retry_after`` (see ``protocol.server_wait``): nothing a server says can stop the
client for longer than that.

* A 429 whose ``retry-after-ms``/``Retry-After`` is within the cap closes the gate for everyone
  until that time (honoured once, not once per coroutine). A hint above the cap (a daily limit's
  ``Retry-After: 86400``, a hostile ``1e12``) is no usable hint: the gate treats that 429 like
  one without a hint, and the call runner raises it at once with its ``retry_after``.
* Where responses carry ``x-ratelimit-limit-requests``, ``x-ratelimit-remaining-requests`` and a
  ``x-ratelimit-reset-requests`` within the cap, the gate mirrors the server's token bucket: it
  estimates the refill rate as ``(limit - remaining) / reset`` and keeps, as a reserve, one token
  per request still in flight, so that bursts stop before the server has to refuse them.
* A 429 (with or without those headers) sets the send rate to 90% of the rate the server
  *accepted* over the last second (which, while the client is over the limit, is the limit
  itself); the headers of later answers take over again where they come, else the rate grows
  back along a cubic curve (as in TCP CUBIC and the AWS SDKs' "adaptive" mode): fast
  at first, flat near the rate that was refused, faster again the longer the server keeps
  accepting. Only a 429 for a request sent after the gate last reacted counts: the others of the
  same burst were sent before and say nothing new. A 429 again with nothing accepted since (a
  fixed window that is spent) pauses the gate instead, 10 ms, doubling, at most a second,
  and no tokens accrue meanwhile. Once the server has been calm for a while and the rate is far
  above what the client sends, the limit is dropped.

:meth:`RateGate.close` wakes every waiting :meth:`~RateGate.acquire` with
:class:`~ftclient.errors.ClientClosedError`; the client calls it when it is closed.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Awaitable, Callable, Mapping

from .. import errors
from .._config import DEFAULT_FLOW_CONTROL, DEFAULT_RETRY_POLICY, FlowControl
from .protocol import capped_wait, server_wait

__all__ = ["RateGate", "parse_duration", "rate_headers"]

_DURATION = re.compile(
    r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?"
)


def parse_duration(text: str) -> float | None:
    """Parse the API's reset durations (``"1s"``, ``"120ms"``, ``"6m0s"``, ``"1h2m3.5s"``).

    Returns:
        Seconds, or None when the text is not a duration (a bare number counts as seconds).
    """
    text = text.strip()
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        try:
            return float(text)
        except ValueError:  # "" too
            return None
    hours, minutes, seconds, millis = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def rate_headers(headers: Mapping[str, str], cap: float) -> tuple[float, float, float] | None:
    """The server's request bucket from its ``x-ratelimit-*-requests`` headers.

    Both waits the bucket implies go through the one rule, ``protocol.capped_wait``: the reset,
    and the pace (``reset / (limit - remaining)`` seconds per request, the gate's wait for its
    next token).

    Returns:
        ``(limit, remaining, reset seconds)``, or None when a header is absent or the values
        make no bucket: not numbers, NaN, infinite, negative, ``remaining`` above ``limit``, a
        reset beyond ``cap`` (a daily limit, a hostile ``999999h``), or a pace beyond ``cap``
        (``limit: 1e-9`` with a 1 s reset: one request every 31 years).
    """
    raw_limit = headers.get("x-ratelimit-limit-requests")
    raw_remaining = headers.get("x-ratelimit-remaining-requests")
    raw_reset = headers.get("x-ratelimit-reset-requests")
    if raw_limit is None or raw_remaining is None or raw_reset is None:
        return None
    try:
        limit, remaining = float(raw_limit), float(raw_remaining)
    except ValueError:
        return None
    reset = capped_wait(parse_duration(raw_reset), cap)
    if reset is None or not (0.0 < limit < math.inf and 0.0 <= remaining <= limit):
        return None
    spent = limit - remaining
    if spent > 0.0 and capped_wait(reset / spent, cap) is None:
        return None
    return limit, remaining, reset


_BACK_OFF = 0.9  # after a 429: this share of the rate the server accepted over the last second
_CUBIC = 0.1  # requests/s per s**3: how fast the rate grows back (gentle near the refused rate)
_DROP_AFTER = 5.0  # seconds without a 429 before the limit may be dropped...
_DROP_ABOVE = 4.0  # ...when it is this many times what the client sends
_BURST = 0.1  # the gate lets this many seconds' worth of requests through at once
_PAUSE = 0.01  # seconds: the first pause after a second refusal in a row (then doubling)...
_MAX_PAUSE = 1.0  # ...up to this
_EPSILON = 1e-6  # float slack, so that a wait that has just ended is not waited again
_CLOSED = "the client is closed; create a new FineTuningClient"


class _Meter:
    """Events per second over the last second: a sliding window over one-second buckets."""

    __slots__ = ("_count", "_previous", "_second")

    def __init__(self) -> None:
        self._second = 0
        self._count = 0
        self._previous = 0

    def _roll(self, now: float) -> float:
        second = math.floor(now)
        if second != self._second:
            self._previous = self._count if second == self._second + 1 else 0
            self._second, self._count = second, 0
        return now - second

    def add(self, now: float) -> None:
        self._roll(now)
        self._count += 1

    def rate(self, now: float) -> float:
        """Events in the last second; the previous bucket counts for the part still in it."""
        into = self._roll(now)
        return self._count + self._previous * (1.0 - into)


class RateGate:
    """The adaptive gate; one per client. Safe for many coroutines on one event loop.

    Args:
        settings: the client's :class:`FlowControl`.
        max_retry_after: the longest wait a server may impose (``RetryPolicy.max_retry_after``):
            a longer ``Retry-After`` or ``x-ratelimit-reset-requests`` is no usable hint.
        clock: seconds on a monotonic clock; default: the running event loop's ``time()``.
        sleep: how to wait; default ``asyncio.sleep`` (both follow the loop, so a loop whose
            time is simulated moves the gate with it).
        wait: False (with ``RetryPolicy(wait=False)``) moves the gate's clock forward instead of
            sleeping, so tests keep the gate's decisions without waiting for them.
    """

    def __init__(
        self,
        settings: FlowControl = DEFAULT_FLOW_CONTROL,
        *,
        max_retry_after: float = DEFAULT_RETRY_POLICY.max_retry_after,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wait: bool = True,
    ) -> None:
        self.settings = settings
        self.max_retry_after = max_retry_after
        self._clock = clock
        self._skew = 0.0  # how far wait=False has moved the clock forward
        self._sleep = sleep if wait else self._warp
        self._closed = False
        self._waiters: set[asyncio.Task[object]] = set()  # in acquire(), sleeping
        self.in_flight = 0
        """Requests sent and not yet answered (kept by the caller)."""
        self.throttled = 0
        """429 responses seen."""
        self._blocked_until = -math.inf
        # The token bucket the gate enforces (rate None: unlimited).
        self._rate: float | None = None
        self._capacity = 1.0
        self._tokens = 0.0
        self._updated = 0.0
        self._from_headers = False
        # The last reaction to a 429 (older requests' 429s are stale), the 429s since the last
        # 2xx, and the last slow-down, the origin of the cubic curve the rate grows back on.
        self._reacted_at = -math.inf
        self._refusals = 0
        self._slowed_at = -math.inf
        self._refused_rate = 0.0
        self._sent = _Meter()
        self._accepted = _Meter()

    def _now(self) -> float:
        if self._clock is None:
            self._clock = asyncio.get_running_loop().time
        return self._clock() + self._skew

    async def _warp(self, seconds: float) -> None:
        self._skew += seconds

    @property
    def rate(self) -> float | None:
        """Requests per second the gate currently allows (None: no limit)."""
        return self._rate

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Refuse every later :meth:`acquire` and wake every waiting one; both raise."""
        if self._closed:
            return  # a second cancel would turn a waiter's ClientClosedError into a cancellation
        self._closed = True
        for task in self._waiters:
            task.cancel()

    async def acquire(self) -> float:
        """Wait until this client may send one more request, and count it.

        Returns:
            The time it was let through, on the gate's clock (pass it back as ``sent_at``).

        Raises:
            ClientClosedError: the gate was closed, before or while waiting.
        """
        if not self.settings.adaptive:
            if self._closed:
                raise errors.ClientClosedError(_CLOSED)
            return self._now()
        queued = False  # the first rate wait counts the waiters ahead: they wake one by one
        while True:
            if self._closed:
                raise errors.ClientClosedError(_CLOSED)
            now = self._now()
            wait = self._blocked_until - now
            if wait <= _EPSILON:
                wait = self._take(now)
                if wait <= 0:
                    break
                if not queued and self._rate is not None:
                    queued = True
                    wait += len(self._waiters) / self._rate
            await self._wait(wait)
        self._sent.add(now)
        return now

    async def _wait(self, seconds: float) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._waiters.add(task)
        try:
            await self._sleep(seconds)
        except asyncio.CancelledError:
            # close() cancelled every waiter (none starts waiting after it); a cancellation of
            # the caller's own, before or after, stays one.
            if self._closed and task.uncancel() == 0:
                raise errors.ClientClosedError("the client was closed while waiting") from None
            raise
        finally:
            self._waiters.discard(task)

    def _refill(self, now: float) -> None:
        # Nothing accrues while the gate is closed: its end is no burst into a spent window.
        earned = now - max(self._updated, self._blocked_until)
        if self._rate is not None and earned > 0:
            self._tokens = min(self._capacity, self._tokens + earned * self._rate)
        self._updated = now

    def _take(self, now: float) -> float:
        if self._rate is None:
            return 0.0
        self._refill(now)
        wait = (1.0 - self._tokens) / self._rate
        # A wait within float slack is none: at a hostile rate (limit 1e308) it is too short
        # to move the clock, and waiting it would loop for ever.
        if self._tokens >= 1.0 - _EPSILON or wait <= _EPSILON:
            self._tokens -= 1.0
            return 0.0
        return wait

    def on_response(
        self, status: int, headers: Mapping[str, str], *, sent_at: float | None = None
    ) -> None:
        """Learn from a response; call it once per attempt that got a status.

        Args:
            status: the HTTP status.
            headers: the response headers, names lower-cased.
            sent_at: what :meth:`acquire` returned for this attempt; a 429 for a request sent
                before the gate last reacted to one says nothing new.
        """
        if not self.settings.adaptive:
            return
        now = self._now()
        if status == 429:
            self._refused(headers, now, sent_at)
            return
        accepted = 200 <= status < 300
        if accepted:
            self._accepted.add(now)
            self._refusals = 0
        bucket = rate_headers(headers, self.max_retry_after)
        if bucket is not None:
            self._mirror(*bucket, now)
        if accepted and self._rate is not None and not self._from_headers:
            self._recover(now)

    def _refused(self, headers: Mapping[str, str], now: float, sent_at: float | None) -> None:
        self.throttled += 1
        hint = server_wait(headers, self.max_retry_after)
        if hint is not None:
            self._blocked_until = max(self._blocked_until, now + hint)
        if sent_at is not None and sent_at < self._reacted_at:
            return  # sent before the gate last reacted: that reaction answers it too
        self._reacted_at = now
        if self._refusals:
            # Refused again with nothing accepted since the slow-down: what the server lets
            # through is spent (a fixed window, an empty bucket). Lowering the rate again would
            # not refill it; pausing does, and the pause doubles while the refusals go on.
            pause = min(_PAUSE * 2.0 ** (self._refusals - 1), _MAX_PAUSE, self.max_retry_after)
            self._blocked_until = max(self._blocked_until, now + pause)
        else:
            self._slow_down(now)
        self._refusals += 1

    def _mirror(self, limit: float, remaining: float, reset: float, now: float) -> None:
        if reset > 0 and remaining < limit:
            estimate = (limit - remaining) / reset
            previous = self._rate if self._from_headers else None
            self._rate = estimate if previous is None else 0.7 * previous + 0.3 * estimate
            self._from_headers = True
        if self._from_headers:
            self._capacity = max(1.0, limit)
            # Requests in flight were sent but not yet counted by the server: keep their tokens.
            self._tokens = min(self._capacity, remaining - self.in_flight)
            self._updated = now

    def _slow_down(self, now: float) -> None:
        # What the server accepted over the last second is, while the client is over the limit,
        # the limit itself; the send rate would overshoot by however far the client was over.
        # Before anything was accepted, what was sent is all there is to go by.
        measured = self._accepted.rate(now) or self._sent.rate(now)
        if self._rate is not None:
            measured = min(measured, self._rate)
        elif not measured:
            return  # nothing sent through the gate: nothing to slow down from
        self._refused_rate = max(self.settings.min_rate, measured)
        self._slowed_at = now
        self._from_headers = False
        self._set_rate(max(self.settings.min_rate, _BACK_OFF * self._refused_rate), now)

    def _set_rate(self, rate: float, now: float) -> None:
        self._refill(now)  # what the old rate earned until now
        self._rate = rate
        self._capacity = max(1.0, rate * _BURST)
        self._tokens = min(self._tokens, self._capacity)

    def _recover(self, now: float) -> None:
        # CUBIC: back at the refused rate after `k` seconds, then growing ever faster.
        k = ((1.0 - _BACK_OFF) * self._refused_rate / _CUBIC) ** (1.0 / 3.0)
        calm = now - self._slowed_at
        rate = self._refused_rate + _CUBIC * (calm - k) ** 3
        demand = max(self._sent.rate(now), self.settings.min_rate)
        if calm > _DROP_AFTER and rate > _DROP_ABOVE * demand:
            self._rate = None
            return
        self._set_rate(max(self.settings.min_rate, rate), now)
