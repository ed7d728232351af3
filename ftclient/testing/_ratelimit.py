"""An optional request-rate limit: a token bucket on the event loop's clock.

The bucket refills as the loop's time passes, the same time a client's ``Retry-After`` sleeps
spend, so a client that obeys the hint is admitted again in real time and under ``looptime``.
"""

from __future__ import annotations

import math

from ftclient._checks import seconds

from ._clock import LoopElapsed

__all__ = ["TokenBucket", "format_reset"]


def format_reset(seconds: float) -> str:
    """Render a reset delay the way the service does: ``"1s"``, ``"120ms"``, ``"1m30s"``."""
    millis = math.ceil(seconds * 1000)
    if millis < 1000:
        return f"{millis}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m{rest:.0f}s"


class TokenBucket:
    """``rate`` requests per second with a burst of ``max(1, rate)``."""

    def __init__(self, rate: float) -> None:
        """Create a full bucket.

        Raises:
            ValueError: ``rate`` is not positive.
        """
        seconds(rate, "rate_limit", unit="requests per second")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._clock = LoopElapsed()
        self._updated = self._clock()

    def acquire(self) -> tuple[bool, dict[str, str]]:
        """Take one token if there is one.

        Returns:
            ``(allowed, headers)``: the ``x-ratelimit-*`` headers, plus ``retry-after`` (whole
            seconds, rounded up) and ``retry-after-ms`` when refused.
        """
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        allowed = self._tokens >= 1.0
        if allowed:
            self._tokens -= 1.0
        headers = {
            "x-ratelimit-limit-requests": f"{self.capacity:g}",
            "x-ratelimit-remaining-requests": str(int(self._tokens)),
            "x-ratelimit-reset-requests": format_reset((self.capacity - self._tokens) / self.rate),
        }
        if not allowed:
            wait = (1.0 - self._tokens) / self.rate
            headers["retry-after"] = str(max(1, math.ceil(wait)))
            headers["retry-after-ms"] = str(max(1, math.ceil(wait * 1000)))
        return allowed, headers
