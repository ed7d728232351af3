"""``ftclient jobs metrics --plot FILE``: the curves drawn by matplotlib (the ``plot`` extra).

Loss on the left, mean token accuracy on the right, against step: training as a line,
validation as a line of its own, the full-validation values (measured at checkpoints only) as
markers, and each checkpoint as a dotted vertical line. matplotlib's object API is used
(``Figure`` and its Agg/SVG canvases), never pyplot: no GUI backend, no global state.
"""

from __future__ import annotations

import pathlib
from typing import Any

from ..models import MetricSeries

__all__ = ["FORMATS", "PlotUnavailable", "plot_series"]

FORMATS = (".png", ".svg")
_PANELS = (
    ("loss", ("train_loss", "valid_loss", "full_valid_loss")),
    ("mean token accuracy", ("train_mean_token_accuracy", "valid_mean_token_accuracy",
                             "full_valid_mean_token_accuracy")),
)  # fmt: skip
_STYLE = {
    "train": {"color": "#1f77b4", "linewidth": 1.2},
    "valid": {"color": "#ff7f0e", "linewidth": 1.2},
    "full": {"color": "#2ca02c", "marker": "D", "linestyle": "none", "markersize": 5},
}


class PlotUnavailable(Exception):
    """matplotlib is not installed: ``pip install 'ftclient[plot]'``."""


def plot_series(series: MetricSeries, path: pathlib.Path, *, title: str | None = None) -> None:
    """Draw ``series`` into ``path`` (``.png`` or ``.svg``, chosen by the suffix).

    Raises:
        PlotUnavailable: matplotlib is not installed.
        OSError: the file cannot be written.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install 'ftclient[plot]'") from None
    panels = [(name, [m for m in metrics if series.curve(m)]) for name, metrics in _PANELS]
    panels = [(name, metrics) for name, metrics in panels if metrics] or [("loss", [])]
    figure = Figure(figsize=(5.2 * len(panels), 3.6), layout="constrained")
    axes_list: list[Any] = list(figure.subplots(1, len(panels), squeeze=False)[0])
    for axes, (name, metrics) in zip(axes_list, panels, strict=True):
        steps = [c.step_number for c in series.checkpoints if c.step_number is not None]
        for index, step in enumerate(steps):
            label = "checkpoint" if index == 0 else None
            axes.axvline(step, color="#999999", linestyle=":", linewidth=1, label=label)
        for metric in metrics:
            xs, ys = zip(*series.curve(metric), strict=True)
            axes.plot(xs, ys, label=metric, **_STYLE[metric.split("_")[0]])
        axes.set_xlabel("step")
        axes.set_ylabel(name)
        axes.grid(True, alpha=0.3)
        if metrics:
            axes.legend(fontsize="small")
    figure.suptitle(title or series.job_id, fontsize="medium")
    figure.savefig(path, format=path.suffix.lower().lstrip("."), dpi=110)
