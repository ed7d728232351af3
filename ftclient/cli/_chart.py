"""A chart of a job's losses drawn with text, for ``ftclient jobs metrics`` on a terminal.

Pure: a :class:`~ftclient.models.MetricSeries` in, lines of text out. Steps run left to right
(each column averages the points that fall in it), the value bottom to top; checkpoints are
marked on the step axis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import MetricSeries
from ._output import format_float

__all__ = ["LOSS_GLYPHS", "loss_chart"]

# Drawn in this order: training over validation, the sparse full-validation points over both.
LOSS_GLYPHS = (("valid_loss", "o"), ("train_loss", "•"), ("full_valid_loss", "◆"))
CHECKPOINT_MARK = "┴"


def loss_chart(series: MetricSeries, *, width: int = 64, height: int = 10) -> list[str]:
    """The loss curves of ``series`` as lines of text (none when no point has a loss).

    Args:
        series: the job's metrics.
        width: columns of the plotting area (the labels take about ten more).
        height: rows of the plotting area.

    Returns:
        The chart's lines: the plot, the step axis, its labels and a legend.
    """
    curves = [(g, series.curve(m), m) for m, g in LOSS_GLYPHS if series.curve(m)]
    if not curves:
        return []
    width, height = max(8, width), max(3, height)
    first, last = series.steps[0], series.steps[-1]
    grid = [[" "] * width for _ in range(height)]

    def column(step: int) -> int:
        return 0 if last == first else round((step - first) / (last - first) * (width - 1))

    drawn = [(glyph, _by_column(curve, column)) for glyph, curve, _ in curves]
    values = [v for _, columns in drawn for v in columns.values()]  # what is drawn: the labels
    low, high = min(values), max(values)
    for glyph, columns in drawn:
        for col, value in columns.items():
            row = 0 if high == low else round((value - low) / (high - low) * (height - 1))
            grid[height - 1 - row][col] = glyph
    labels = [format_float(high), format_float(low)]
    pad = max(len(label) for label in labels)
    lines = []
    for index, cells in enumerate(grid):
        label = labels[0] if index == 0 else labels[1] if index == height - 1 else ""
        tick = "┤" if label else "│"
        lines.append(f"{label:>{pad}} {tick}{''.join(cells)}".rstrip())
    axis = ["─"] * width
    for checkpoint in series.checkpoints:
        step = checkpoint.step_number
        if step is not None and first <= step <= last:
            axis[column(step)] = CHECKPOINT_MARK
    lines.append(" " * pad + " └" + "".join(axis))
    left, right = str(first), str(last)
    lines.append(" " * (pad + 2) + left + right.rjust(width - len(left)) + "  step")
    legend = [f"{glyph} {metric}" for glyph, _, metric in curves]
    if series.checkpoints:
        legend.append(f"{CHECKPOINT_MARK} checkpoint")
    lines.append(" " * (pad + 2) + "  ".join(legend))
    return lines


def _by_column(
    curve: Sequence[tuple[int, float]], column: Callable[[int], int]
) -> dict[int, float]:
    """The mean value of the points that fall in each column."""
    sums: dict[int, list[float]] = {}
    for step, value in curve:
        sums.setdefault(column(step), []).append(value)
    return {col: sum(vs) / len(vs) for col, vs in sums.items()}
