"""Client-wide flow control: a cap on requests in flight and an adaptive rate gate.

Every coroutine using one client passes the same gate before each attempt, so the client as a
whole slows down when the server pushes back, instead of each coroutine retrying on its own:

* A 429 closes the gate for everyone until its ``retry-after-ms``/``Retry-After`` has passed
  (honoured once, not once per coroutine).
* Where responses carry ``x-ratelimit-limit-requests``, ``x-ratelimit-remaining-requests`` and
  ``x-ratelimit-reset-requests``, the gate mirrors the server's token bucket: it estimates the
  refill rate as ``(limit - remaining) / reset`` and keeps, as a reserve, one token per request
  still in flight, so that bursts stop before the server has to refuse them.
* Where they are absent, it adapts like the AWS SDKs' "adaptive" retry mode: a 429 sets a send
  rate of 70% of the rate measured just before it, and successes raise it again by 5% per tenth of
  a second until the limit is well above demand and is dropped.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping

from ._config import DEFAULT_FLOW_CONTROL, FlowControl
from ._protocol import retry_after

__all__ = ["RateGate", "parse_duration"]

_DURATION = re.compile(
    r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?"
)


def parse_duration(text: str) -> float | None:
    """Parse the API's reset durations (``"1s"``, ``"120ms"``, ``"6m0s"``, ``"1h2m3.5s"``)."""
    text = text.strip()
    match = _DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        try:
            return float(text) if text else None
        except ValueError:
            return None
    hours, minutes, seconds, millis = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


_DECREASE = 0.7
_INCREASE = 1.05
_INCREASE_EVERY = 0.1
_DROP_AFTER = 5.0
_EPSILON = 1e-6  # float slack, so that a wait that has just ended is not waited again


class RateGate:
    """The adaptive gate; one per client. Safe for many coroutines on one event loop.

    Args:
        settings: the client's :class:`FlowControl`.
        clock: monotonic seconds.
        sleep: how to wait.
        wait: False (with ``RetryPolicy(wait=False)``) moves the gate's clock forward instead of
            sleeping, so tests keep the gate's decisions without waiting for them.
    """

    def __init__(
        self,
        settings: FlowControl = DEFAULT_FLOW_CONTROL,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wait: bool = True,
    ) -> None:
        self.settings = settings
        self._skew = 0.0
        if wait:
            self._clock = clock
            self._sleep = sleep
        else:
            # Waiting switched off (tests): time jumps forward instead of passing.
            self._clock = lambda: clock() + self._skew
            self._sleep = self._warp
        self.in_flight = 0
        self.throttled = 0
        """429 responses seen."""
        self._blocked_until = 0.0
        # Token bucket the gate enforces (None rate: unlimited).
        self._rate: float | None = None
        self._capacity = 1.0
        self._tokens = 0.0
        self._updated = 0.0
        self._from_headers = False
        self._last_throttle = -1e9
        self._last_increase = 0.0
        # Send-rate measurement over ~1 s windows.
        self._window_start = clock()
        self._window_count = 0
        self._measured = 0.0

    async def _warp(self, seconds: float) -> None:
        self._skew += seconds
        await asyncio.sleep(0)

    @property
    def rate(self) -> float | None:
        """Requests per second the gate currently allows (None: no limit)."""
        return self._rate

    async def acquire(self) -> float:
        """Wait until this client may send one more request, count it, and return the time."""
        if not self.settings.adaptive:
            return 0.0
        while True:
            now = self._clock()
            wait = self._blocked_until - now
            if wait <= _EPSILON:
                wait = self._take(now)
                if wait <= 0:
                    break
            await self._sleep(wait)
        self._count_send(now)
        return now

    def _take(self, now: float) -> float:
        if self._rate is None:
            return 0.0
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate

    def _count_send(self, now: float) -> None:
        self._window_count += 1
        elapsed = now - self._window_start
        if elapsed >= 1.0:
            self._measured = self._window_count / elapsed
            self._window_start, self._window_count = now, 0

    def _send_rate(self, now: float) -> float | None:
        elapsed = now - self._window_start
        current = self._window_count / elapsed if elapsed > 0.05 else 0.0
        best = max(self._measured, current)
        return best if best > 0 else None

    def on_response(
        self, status: int, headers: Mapping[str, str], *, sent_at: float | None = None
    ) -> None:
        """Learn from a response; call it once per attempt that got a status.

        Args:
            status: the HTTP status.
            headers: the response headers, names lower-cased.
            sent_at: when the attempt passed :meth:`acquire` (the gate's clock); a 429 for a
                request sent before the last slow-down does not slow down again.
        """
        if not self.settings.adaptive:
            return
        now = self._clock()
        if status == 429:
            self.throttled += 1
            wait = retry_after(headers)
            self._blocked_until = max(self._blocked_until, now + (1.0 if wait is None else wait))
            stale = sent_at is not None and sent_at < self._last_throttle
            self._last_throttle = max(self._last_throttle, now)
            if stale:
                return
        if self._mirror(headers, now):
            return
        if status == 429:
            measured = self._send_rate(now)
            if measured is None and self._rate is None:
                return  # nothing measured yet: the block above is all we can do
            rate = min(r for r in (measured, self._rate) if r is not None)
            self._set_rate(max(self.settings.min_rate, rate * _DECREASE), now)
        elif self._rate is not None and not self._from_headers and 200 <= status < 300:
            self._recover(now)

    def _mirror(self, headers: Mapping[str, str], now: float) -> bool:
        raw_limit = headers.get("x-ratelimit-limit-requests")
        raw_remaining = headers.get("x-ratelimit-remaining-requests")
        raw_reset = headers.get("x-ratelimit-reset-requests")
        if raw_limit is None or raw_remaining is None or raw_reset is None:
            return False
        try:
            limit, remaining = float(raw_limit), float(raw_remaining)
        except ValueError:
            return False
        reset = parse_duration(raw_reset)
        if reset is None or limit <= 0:
            return False
        if reset > 0 and remaining < limit:
            estimate = (limit - remaining) / reset
            self._rate = (
                estimate
                if self._rate is None or not self._from_headers
                else (0.7 * self._rate + 0.3 * estimate)
            )
        if self._rate is None:
            return True  # nothing spent yet: no rate to enforce
        self._from_headers = True
        self._capacity = max(1.0, limit)
        # Requests still in flight were sent but not yet counted by the server: keep their tokens.
        self._tokens = min(self._capacity, remaining - max(self.in_flight - 1, 0))
        self._updated = now
        return True

    def _set_rate(self, rate: float, now: float) -> None:
        self._rate = rate
        self._from_headers = False
        self._capacity = max(1.0, rate * 0.1)
        self._tokens = min(self._tokens, self._capacity)
        self._updated = now
        self._last_increase = now

    def _recover(self, now: float) -> None:
        assert self._rate is not None
        if now - self._last_increase < _INCREASE_EVERY:
            return
        self._rate *= _INCREASE
        self._capacity = max(1.0, self._rate * 0.1)
        self._last_increase = now
        calm = now - self._last_throttle > _DROP_AFTER
        demand = self._send_rate(now) or self.settings.min_rate
        if calm and self._rate > 4 * demand:
            self._rate = None
