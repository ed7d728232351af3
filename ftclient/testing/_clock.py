"""The emulator's clock: it follows the running event loop's clock, so jobs progress exactly as
the client's own sleeps pass, in real time or under a loop-time library such as ``looptime``."""

from __future__ import annotations

import asyncio
import time

__all__ = ["LoopElapsed", "SimClock", "SimulatedClock"]


class LoopElapsed:
    """Seconds that have passed on the running event loop's clock since this object was made.

    Outside a running loop it reads ``time.monotonic()``, which is what asyncio's own loops
    return. A ``looptime`` loop whose fake time is on has a timeline of its own: pytest's looptime
    plugin sets fixtures up in real time, then runs the test in fake time starting at 0, so the
    loop's clock jumps when the test starts and again when it ends. When the timeline changes,
    the count carries on from where it was instead of jumping.
    """

    def __init__(self) -> None:
        self._elapsed = 0.0
        self._timeline, self._last = _reading()

    def __call__(self) -> float:
        """Return the seconds elapsed so far (never less than the previous answer)."""
        timeline, reading = _reading()
        if timeline == self._timeline:
            self._elapsed += max(0.0, reading - self._last)
        self._timeline, self._last = timeline, reading
        return self._elapsed


def _reading() -> tuple[int | None, float]:
    """``(timeline, seconds)``: the running loop's clock, or ``time.monotonic()`` outside one."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None, time.monotonic()
    return (id(loop) if getattr(loop, "looptime_on", False) else None), loop.time()


class SimulatedClock:
    """Unix time for the emulator: ``start + speed * (loop seconds elapsed) + advance(...)``.

    With the default ``speed=1`` simulated time passes exactly as the event loop's time does: in
    real time normally, and instantly under a loop-time library (``looptime``), where a client's
    ``await asyncio.sleep(30)`` moves the emulator's jobs 30 seconds on. ``speed=0`` stands time
    still between calls to :meth:`advance`, so a test decides exactly when a job moves on.
    """

    def __init__(self, start: float | None = None, *, speed: float = 1.0) -> None:
        """Create a clock.

        Args:
            start: the initial Unix time; defaults to the current wall-clock second so timestamps
                look like today's.
            speed: simulated seconds per second of the event loop's clock; 0 moves time only on
                :meth:`advance`.

        Raises:
            ValueError: ``speed`` is negative or not a number.
        """
        if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not speed >= 0:
            raise ValueError(f"speed must be a number >= 0, got {speed!r}")
        self._start = float(int(time.time())) if start is None else float(start)
        self._speed = float(speed)
        self._offset = 0.0
        self._elapsed = LoopElapsed()

    @property
    def speed(self) -> float:
        """Simulated seconds per second of the event loop's clock (0: only :meth:`advance`)."""
        return self._speed

    def now(self) -> float:
        """Return the simulated Unix time in seconds."""
        current = self._start + self._offset
        if self._speed:
            current += self._speed * self._elapsed()
        return current

    def advance(self, seconds: float) -> float:
        """Move simulated time forward.

        Args:
            seconds: how far to move; must be >= 0 (time never goes back).

        Returns:
            The new simulated time.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"the clock only moves forward, got {seconds}")
        self._offset += seconds
        return self.now()


class SimClock:
    """Simulated monotonic time for a client under test: ``FineTuningClient(clock=SimClock())``.

    ``sleep`` moves the time on at once (and yields to the loop once), so the client's retry
    waits, rate-gate pauses, consistency-window probes and polling intervals cost no real time,
    while every decision made on them stays the same. A :class:`ftclient.Clock`.

    Attributes:
        now: the current simulated time, seconds.
        slept: every wait asked of :meth:`sleep`, in order.
    """

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = float(start)
        self.slept: list[float] = []

    def time(self) -> float:
        """The simulated time, seconds."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record ``seconds`` and move the time on by it (a negative wait counts as 0)."""
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> float:
        """Move the time on by ``seconds`` without a sleep; return the new time.

        Raises:
            ValueError: ``seconds`` is negative.
        """
        if seconds < 0:
            raise ValueError(f"the clock only moves forward, got {seconds}")
        self.now += seconds
        return self.now
