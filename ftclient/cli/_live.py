"""Live progress: what is known about a running job, and a board of lines redrawn in place.

On a terminal the board keeps one line per job and rewrites them with ANSI cursor moves; on a
pipe it prints a plain line only when a job reaches a new milestone (its status changes), so
logs stay short and readable.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import FineTuningJob, FineTuningJobEvent, MetricPoint
from ._output import Output, format_duration, progress_bar, truncate

__all__ = ["JobProgress", "LiveBoard"]

_CLEAR_LINE = "\x1b[2K"


def _up(lines: int) -> str:
    return f"\x1b[{lines}F" if lines else ""


class JobProgress:
    """What the CLI knows about one job: its last status and its training metrics so far."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.status = "unknown"
        self.step = 0
        self.total_steps = 0
        self.last_loss: float | None = None
        self.error: str | None = None
        self.fine_tuned_model: str | None = None
        self.estimated_finish: int | None = None
        self.server_now: float | None = None
        """The latest moment known on the server's clock (job and event times): ETAs are
        measured on it, never on this machine's clock (an emulator at --speed 20, or a server
        whose clock is off, would make them meaningless)."""

    @property
    def fraction(self) -> float:
        """Training progress between 0 and 1 (0 while the total is unknown)."""
        return self.step / self.total_steps if self.total_steps else 0.0

    def update_job(self, job: FineTuningJob) -> None:
        """Take in a freshly retrieved job."""
        self.status = str(job.status)
        if job.error is not None:
            self.error = job.error.message
        self.fine_tuned_model = job.fine_tuned_model
        self.estimated_finish = job.estimated_finish
        self._saw(job.created_at, job.finished_at)

    def update_event(self, event: FineTuningJobEvent) -> None:
        """Take in an event; metrics events (their typed ``data``) move progress."""
        self._saw(event.created_at)
        point = event.data
        if not isinstance(point, MetricPoint):
            return
        if point.step > self.step:
            self.step = point.step
            if point.train_loss is not None:
                self.last_loss = float(point.train_loss)
        if point.total_steps is not None and point.total_steps > 0:
            self.total_steps = point.total_steps

    def _saw(self, *times: float | None) -> None:
        known = [t for t in (self.server_now, *times) if isinstance(t, int | float)]
        self.server_now = max(known) if known else None

    def describe(self, *, prefix: str = "", status_width: int = 16, bar_width: int = 16) -> str:
        """One line: ``<prefix>  running  [████░░░░]  40/90  loss 0.412  eta 50s``.

        The ETA is ``estimated_finish`` less the latest server time seen, both on the server's
        clock.
        """
        now = self.server_now
        parts = [prefix] if prefix else []
        parts.append(self.status.ljust(status_width))
        if self.total_steps and self.status in ("running", "paused", "succeeded", "cancelled"):
            width = len(str(self.total_steps))
            parts.append(progress_bar(self.step, self.total_steps, bar_width))
            parts.append(f"{self.step:>{width}}/{self.total_steps}")
        if self.last_loss is not None:
            parts.append(f"loss {self.last_loss:.3f}")
        if self.status == "running" and self.estimated_finish and now is not None:
            parts.append(f"eta {format_duration(max(0.0, self.estimated_finish - now))}")
        if self.status == "failed" and self.error:
            parts.append(self.error)
        return "  ".join(parts).rstrip()

    @property
    def milestone(self) -> str:
        """Changes with the status and each quarter of training: when a log line is due."""
        return f"{self.status}:{int(self.fraction * 4)}"


class LiveBoard:
    """Lines keyed by job, shown live on a terminal or as milestone lines on a pipe.

    Args:
        out: where to draw.
        live: redraw in place (default: when ``out`` is a terminal).
        order: the keys in the order their lines are drawn (others follow, as first updated);
            without it, lines would follow whichever job happened to report first.
    """

    def __init__(self, out: Output, *, live: bool | None = None, order: Sequence[str] = ()) -> None:
        self.out = out
        self.live = out.is_tty if live is None else live
        self._rank = {key: index for index, key in enumerate(order)}
        self._lines: dict[str, str] = {}
        self._milestones: dict[str, str] = {}
        self._drawn = 0

    def update(self, key: str, text: str, *, milestone: str) -> None:
        """Set the line of ``key``; without a terminal it is printed when ``milestone`` changes."""
        changed = self._lines.get(key) != text
        self._lines[key] = text
        if self.live:
            if changed:
                self._redraw()
        elif self._milestones.get(key) != milestone:
            self.out.line(text)
        self._milestones[key] = milestone

    def note(self, text: str) -> None:
        """Print a line above the board (the board is redrawn below it on a terminal)."""
        if self.live and self._drawn:
            self.out.write(_up(self._drawn) + _CLEAR_LINE)
            self._drawn = 0
            self.out.line(text)
            self._redraw()
        else:
            self.out.line(text)

    def _redraw(self) -> None:
        width = max(20, self.out.width - 1)
        chunks = [_up(self._drawn)]
        keys = sorted(self._lines, key=lambda key: self._rank.get(key, len(self._rank)))
        for key in keys:
            chunks.append(_CLEAR_LINE + truncate(self._lines[key], width) + "\n")
        self.out.write("".join(chunks))
        self._drawn = len(self._lines)
