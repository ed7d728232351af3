"""The emulator's simulated clock: jobs progress only as it moves."""

from __future__ import annotations

import time

__all__ = ["SimulatedClock"]


class SimulatedClock:
    """Unix time that moves when told to (``advance``) and, optionally, with real time.

    ``now() = start + speed * (real seconds since creation) + sum(advance(...))``. With
    ``speed=None`` (the default) time stands still between calls to :meth:`advance`, so a test
    decides exactly when a job moves on.
    """

    def __init__(self, start: float | None = None, *, speed: float | None = None) -> None:
        """Create a clock.

        Args:
            start: the initial Unix time; defaults to the current wall-clock second so timestamps
                look like today's.
            speed: simulated seconds per real second, or ``None`` to move only on ``advance``.

        Raises:
            ValueError: ``speed`` is negative.
        """
        if speed is not None and speed < 0:
            raise ValueError(f"speed must be >= 0, got {speed}")
        self._start = float(int(time.time())) if start is None else float(start)
        self._speed = speed
        self._offset = 0.0
        self._real0 = time.monotonic()

    @property
    def speed(self) -> float | None:
        """Simulated seconds per real second, or ``None`` when only :meth:`advance` moves time."""
        return self._speed

    def now(self) -> float:
        """Return the simulated Unix time in seconds."""
        current = self._start + self._offset
        if self._speed:
            current += self._speed * (time.monotonic() - self._real0)
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
