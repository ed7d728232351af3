"""Everything the CLI prints: tables, JSON, times, sparklines and progress bars.

Pure functions returning strings, plus :class:`Output`, which knows where text goes and whether
the destination is a terminal. Nothing here talks to the API.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from .._wire.decode import to_dict
from ..models.metrics import SPARK_CHARS, sparkline  # the public chart, one rule for both

__all__ = [
    "SPARK_CHARS",
    "Output",
    "format_ago",
    "format_duration",
    "format_float",
    "format_time",
    "progress_bar",
    "render_kv",
    "render_table",
    "sparkline",
    "to_jsonable",
    "truncate",
]

MAX_CELL = 48
ELLIPSIS = "…"


def truncate(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: width - 1] + ELLIPSIS


def render_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    max_cell: int = MAX_CELL,
    max_width: int | None = None,
    keep: frozenset[int] = frozenset(),
) -> str:
    """Render rows as left-aligned columns separated by two spaces.

    Args:
        headers: column titles (printed upper-case).
        rows: cells; ``None`` shows as ``-``.
        max_cell: longest cell before it is truncated with ``…``.
        max_width: when given, the widest columns shrink until a line fits (down to 8 chars).
        keep: indexes of columns never truncated (identifiers a user copies).

    Returns:
        The table without a trailing newline; just the header line when there are no rows.
    """
    cells = [[_cell(value) for value in row] for row in rows]
    titles = [h.upper() for h in headers]
    widths = [len(t) for t in titles]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell) if i in keep else min(len(cell), max_cell))
    shrinkable = [i for i in range(len(widths)) if i not in keep]
    if max_width is not None and shrinkable:
        while sum(widths) + 2 * (len(widths) - 1) > max_width:
            widest = max(shrinkable, key=widths.__getitem__)
            if widths[widest] <= 8:
                break
            widths[widest] -= 1
    lines = []
    for row in [titles, *cells]:
        parts = [truncate(cell, widths[i]).ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def render_kv(pairs: Sequence[tuple[str, object]]) -> str:
    """Render ``key: value`` lines with the values aligned; ``None`` values are skipped."""
    shown = [(k, _cell(v)) for k, v in pairs if v is not None]
    width = max((len(k) for k, _ in shown), default=0)
    return "\n".join(f"{(k + ':').ljust(width + 1)} {v}" for k, v in shown)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return format_float(value)
    text = str(value)
    return " ".join(text.split()) if "\n" in text else text


def format_float(value: float) -> str:
    """Four significant digits, keeping a decimal point: ``0.2749``, ``1.0``, ``1.235e-05``."""
    text = f"{value:.4g}"
    return text if any(c in text for c in ".einf") else text + ".0"


def format_duration(seconds: float) -> str:
    """Compact duration: ``45s``, ``3m``, ``2h05m``, ``3d4h``."""
    s = int(abs(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def format_ago(ts: float | None, now: float | None = None) -> str:
    """Relative time: ``just now``, ``5m ago``, ``in 2h00m`` (for a time in the future)."""
    if ts is None:
        return "-"
    delta = (time.time() if now is None else now) - ts
    if abs(delta) < 5:
        return "just now"
    return f"{format_duration(delta)} ago" if delta > 0 else f"in {format_duration(delta)}"


def format_time(ts: float | None, now: float | None = None) -> str:
    """Local date and time with the relative time: ``2025-11-25 08:24:01 (5m ago)``."""
    if ts is None:
        return "-"
    stamp = dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp} ({format_ago(ts, now)})"


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """A bar such as ``[██████░░░░░░]``; an unknown total gives an empty bar."""
    filled = 0 if total <= 0 else min(width, round(width * done / total))
    return "[" + "█" * filled + "░" * (width - filled) + "]"


def to_jsonable(obj: Any) -> Any:
    """Turn a model, a list of models or plain data into JSON-ready data."""
    if isinstance(obj, list | tuple):
        return [to_jsonable(item) for item in obj]
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if hasattr(obj, "__attrs_attrs__"):
        return to_dict(obj)  # the API's object as it arrived, fields ftclient does not model too
    return obj


class Output:
    """Where the CLI writes, and how: JSON or human text, terminal or pipe.

    Args:
        json_mode: print JSON documents instead of tables.
        stream: defaults to ``sys.stdout`` at the time of each write (so test capture works).
        tty: override terminal detection (``None``: ask the stream).
    """

    def __init__(
        self, *, json_mode: bool = False, stream: TextIO | None = None, tty: bool | None = None
    ) -> None:
        self.json_mode = json_mode
        self._stream = stream
        self._tty = tty

    @property
    def stream(self) -> TextIO:
        """The text stream written to."""
        return self._stream if self._stream is not None else sys.stdout

    @property
    def is_tty(self) -> bool:
        """True when writing to an interactive terminal (live progress is then shown)."""
        if self._tty is not None:
            return self._tty
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    @property
    def width(self) -> int:
        """Columns of the terminal (``COLUMNS`` or 80 when unknown)."""
        return shutil.get_terminal_size((80, 24)).columns

    def line(self, text: str = "") -> None:
        """Print one line of text."""
        self.stream.write(text + "\n")
        self.stream.flush()

    def write(self, text: str) -> None:
        """Write raw text (no newline) and flush."""
        self.stream.write(text)
        self.stream.flush()

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        keep: frozenset[int] = frozenset({0}),
        max_width: int | None = None,
    ) -> None:
        """Print a table, shrunk to the terminal's width on a terminal (and to ``max_width``).

        Args:
            headers: column titles.
            rows: the cells.
            keep: columns never truncated (by default the first, usually an id).
            max_width: the widest a line may be, terminal or not.
        """
        widths = [w for w in (self.width if self.is_tty else None, max_width) if w is not None]
        self.line(render_table(headers, rows, max_width=min(widths, default=None), keep=keep))

    def json(self, obj: Any, *, lines: bool = False) -> None:
        """Print ``obj`` as an indented JSON document, or one compact line with ``lines=True``."""
        data = to_jsonable(obj)
        if lines:
            self.line(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        else:
            self.line(json.dumps(data, ensure_ascii=False, indent=2))
