"""``ftclient jobs metrics JOB``: the training curve as a table, a chart, CSV, JSON or a plot."""

from __future__ import annotations

import argparse
import csv
import pathlib

from .. import FineTuningClient
from .._wire.decode import to_dict
from ..models import MetricSeries
from ._chart import loss_chart
from ._common import EXIT_OK, CommandFailed, UsageError
from ._output import Output
from ._plot import FORMATS, PlotUnavailable, plot_series

__all__ = ["cmd_metrics", "sampled_rows"]

TABLE_ROWS = 20  # without --all: about this many steps, evenly spread, and every checkpoint


def sampled_rows(series: MetricSeries, rows: int | None) -> list[int]:
    """Indexes of the points to show: all (``rows`` None), or about ``rows`` evenly spread
    plus every checkpoint's step, the first and the last.
    """
    count = len(series)
    if rows is None or count <= rows:
        return list(range(count))
    picked = {round(i * (count - 1) / (rows - 1)) for i in range(rows)}
    at = {step: index for index, step in enumerate(series.steps)}
    picked |= {at[c.step_number] for c in series.checkpoints if c.step_number in at}
    return sorted(picked)


def _table(series: MetricSeries, out: Output, every: bool) -> None:
    metrics = series.metrics
    checkpoints = {c.step_number for c in series.checkpoints}
    indexes = sampled_rows(series, None if every else TABLE_ROWS)
    rows = [
        [p.step, *(p.get(m) for m in metrics), "✓" if p.step in checkpoints else ""]
        for p in (series[i] for i in indexes)
    ]
    headers = ["step", *(m.replace("_mean_token_accuracy", "_acc") for m in metrics), "ckpt"]
    out.table(headers, rows)
    if len(indexes) < len(series):
        out.line(f"({len(indexes)} of {len(series)} steps shown; --all shows every one)")


async def cmd_metrics(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs metrics JOB``: the job's metrics, every step, checkpoint metrics merged in."""
    plot = pathlib.Path(args.plot) if args.plot else None
    if plot is not None and plot.suffix.lower() not in FORMATS:
        raise UsageError(f"--plot writes a .png or .svg file, not {plot.name!r}")
    series = await client.jobs.metrics(args.job)
    if args.csv:
        rows = series.to_rows()
        columns = list(rows[0]) if rows else ["step", "total_steps"]
        writer = csv.DictWriter(out.stream, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    elif out.json_mode:
        out.json(
            {
                "job_id": series.job_id,
                "points": series.to_rows(),
                "checkpoints": [to_dict(c) for c in series.checkpoints],
            }
        )
    elif not len(series):
        out.line(f"No training metrics for {args.job} yet.")
    else:
        _table(series, out, args.all)
        out.line()
        for line in loss_chart(series, width=max(20, min(out.width, 100) - 12)):
            out.line(line)
    if plot is not None:
        try:
            plot_series(series, plot)
        except PlotUnavailable as exc:
            raise CommandFailed(str(exc)) from None
        except OSError as exc:
            raise CommandFailed(f"cannot write {plot}: {exc.strerror or exc}") from None
        if not args.csv and not out.json_mode:
            out.line(f"Wrote {plot}")
    return EXIT_OK
