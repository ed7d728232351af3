"""Training metrics: one step's point (a ``metrics`` event's data) and a job's whole series."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from ._base import Model
from ._enums import EventType
from ._page import Page
from .checkpoints import FineTuningJobCheckpoint

__all__ = [
    "METRIC_NAMES",
    "EventMetrics",
    "EventMetricsPage",
    "MetricPoint",
    "MetricSeries",
    "best_checkpoint",
    "sparkline",
]

# The metrics the service reports, in the order tables and files show them.
METRIC_NAMES = (
    "train_loss",
    "train_mean_token_accuracy",
    "valid_loss",
    "valid_mean_token_accuracy",
    "full_valid_loss",
    "full_valid_mean_token_accuracy",
)
COLUMNS = ("step", "total_steps", *METRIC_NAMES)
SPARK_CHARS = "▁▂▃▄▅▆▇█"


@attrs.frozen(kw_only=True)
class MetricPoint(Model):
    """The metrics of one training step: a ``metrics`` event's ``data``, typed.

    The service sends only some of them (validation metrics only with a validation file, the
    ``full_valid_*`` ones only at checkpoints); the others are None. Keys this SDK does not know
    are kept: :func:`ftclient.to_dict` of a point gives the mapping as it arrived.
    """

    step: int
    total_steps: int | None = None
    train_loss: float | None = None
    train_mean_token_accuracy: float | None = None
    valid_loss: float | None = None
    valid_mean_token_accuracy: float | None = None
    full_valid_loss: float | None = None
    full_valid_mean_token_accuracy: float | None = None

    def get(self, metric: str) -> float | None:
        """The value of ``metric`` (a field, or a numeric key the service added), or None."""
        value = getattr(self, metric, None) if metric in COLUMNS else self.extra.get(metric)
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    def _mapping(self) -> Mapping[str, Any]:
        document: Mapping[str, Any] | None = getattr(self, "_ftc_document", None)
        if document is None:  # built here: the fields that are set
            values = {name: getattr(self, name) for name in COLUMNS}
            document = {name: value for name, value in values.items() if value is not None}
        return document

    def __getitem__(self, key: str) -> Any:
        """``point["train_loss"]``: the value sent under ``key``, as when an event's ``data`` was
        the plain mapping (code written before the data was typed keeps working).

        Raises:
            KeyError: ``key`` was not sent.
        """
        return self._mapping()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._mapping()

    @property
    def extra(self) -> dict[str, Any]:
        """The keys of the point's mapping that are not fields (a copy; empty if built here)."""
        document: Mapping[str, Any] = getattr(self, "_ftc_document", None) or {}
        return {k: v for k, v in document.items() if k not in COLUMNS}


@attrs.frozen(kw_only=True)
class EventMetrics(Model):
    """What ``jobs.metrics`` reads of an event: its id (the page cursor), type and data.

    A whole :class:`~ftclient.models.FineTuningJobEvent` would be decoded only to be dropped;
    reading three fields of each of a long job's events costs about a third less CPU.
    """

    id: str
    type: EventType | None = None
    data: MetricPoint | dict[str, Any] | None = None  # typed as an event's data is


@attrs.frozen(kw_only=True)
class EventMetricsPage(Page):
    """A page of job events read as :class:`EventMetrics`."""

    object: str = "list"
    data: list[EventMetrics]
    has_more: bool = False


def _merged(
    point: MetricPoint | None, checkpoint: FineTuningJobCheckpoint, step: int
) -> MetricPoint:
    """``point`` (None: no event at ``step``) with the metrics only the checkpoint carries.

    The event's values win where both have one; keys neither models are kept from both.
    """
    metrics = checkpoint.metrics
    values: dict[str, Any] = {"step": step}
    for name in ("total_steps", *METRIC_NAMES):
        mine = getattr(point, name, None)
        values[name] = mine if mine is not None else getattr(metrics, name, None)
    merged = MetricPoint(**values)
    extra = {**_document(metrics), **_document(point)}
    _set_document(merged, {**extra, **{k: v for k, v in values.items() if v is not None}})
    return merged


def _document(model: Model | None) -> dict[str, Any]:
    document = getattr(model, "_ftc_document", None) if model is not None else None
    return dict(document) if isinstance(document, dict) else {}


_set_document = Model._ftc_document.__set__  # type: ignore[attr-defined]  # a slot descriptor


@attrs.frozen(kw_only=True)
class MetricSeries:
    """Every metrics point of a job, oldest first, one per step (``client.jobs.metrics``).

    Iterate it, index it or take ``len``; :meth:`values` gives one metric's curve and
    :meth:`to_rows` the table for ``pandas.DataFrame(rows)`` or ``csv.DictWriter``.
    """

    job_id: str
    points: tuple[MetricPoint, ...] = ()
    checkpoints: tuple[FineTuningJobCheckpoint, ...] = ()

    @classmethod
    def build(
        cls,
        job_id: str,
        points: Iterable[MetricPoint],
        checkpoints: Iterable[FineTuningJobCheckpoint] = (),
    ) -> MetricSeries:
        """One point per step, oldest first, with each checkpoint's metrics merged into its step.

        Args:
            job_id: the job.
            points: the points as read (any order; for a step given twice the first one wins,
                which for events listed newest first is the newest).
            checkpoints: the job's checkpoints (a checkpoint's step without an event still
                gets a point, from the checkpoint's metrics).

        Returns:
            The series; its ``checkpoints`` sorted by step.
        """
        by_step: dict[int, MetricPoint] = {}
        for point in points:
            by_step.setdefault(point.step, point)
        kept = sorted(
            (c for c in checkpoints if _step_of(c) is not None), key=lambda c: _step_of(c) or 0
        )
        for checkpoint in kept:
            step = _step_of(checkpoint)
            if step is not None and checkpoint.metrics is not None:
                by_step[step] = _merged(by_step.get(step), checkpoint, step)
        ordered = tuple([by_step[step] for step in sorted(by_step)])
        return cls(job_id=job_id, points=ordered, checkpoints=tuple(kept))

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[MetricPoint]:
        return iter(self.points)

    def __getitem__(self, index: int) -> MetricPoint:
        return self.points[index]

    @property
    def steps(self) -> list[int]:
        """The steps, in order."""
        return [point.step for point in self.points]

    @property
    def total_steps(self) -> int | None:
        """The job's number of steps, as its latest point that says so reports it."""
        return next((p.total_steps for p in reversed(self.points) if p.total_steps), None)

    @property
    def metrics(self) -> list[str]:
        """The metrics that at least one point has, known ones first (the columns worth showing)."""
        known = [m for m in METRIC_NAMES if any(p.get(m) is not None for p in self.points)]
        extra = {k for p in self.points for k, v in p.extra.items() if p.get(k) is not None}
        return known + sorted(extra)

    def values(self, metric: str) -> list[float | None]:
        """One metric at every point, None where a point lacks it."""
        return [point.get(metric) for point in self.points]

    def curve(self, metric: str) -> list[tuple[int, float]]:
        """``(step, value)`` of the points that have ``metric``, for plotting."""
        return [(p.step, v) for p in self.points if (v := p.get(metric)) is not None]

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per point, every row with the same keys: ``step``, ``total_steps``, the six
        metrics (None where absent), then the keys the service added, in sorted order.
        """
        extra = sorted({k for p in self.points for k in p.extra})
        return [
            {
                **{name: getattr(p, name) for name in COLUMNS},
                **{k: p.extra.get(k) for k in extra},
            }
            for p in self.points
        ]

    def sparkline(self, metric: str = "train_loss", *, width: int = 48) -> str:
        """A one-line chart of ``metric`` (see :func:`sparkline`); empty without values."""
        return sparkline([v for v in self.values(metric) if v is not None], width=width)


def _step_of(checkpoint: FineTuningJobCheckpoint) -> int | None:
    if checkpoint.step_number is not None:
        return checkpoint.step_number
    step = checkpoint.metrics.step if checkpoint.metrics is not None else None
    return int(step) if isinstance(step, int | float) and math.isfinite(step) else None


def best_checkpoint(
    checkpoints: Iterable[FineTuningJobCheckpoint], by: str, mode: str
) -> FineTuningJobCheckpoint | None:
    """The checkpoint with the lowest (``mode="min"``) or highest (``"max"``) ``by`` metric.

    Checkpoints without a number for ``by`` are passed over; ties go to the earlier step.
    None when no checkpoint has one.
    """
    scored = []
    for checkpoint in checkpoints:
        metrics = checkpoint.metrics
        value = getattr(metrics, by, None) if by in METRIC_NAMES else _document(metrics).get(by)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            sign = 1.0 if mode == "min" else -1.0
            scored.append((sign * value, _step_of(checkpoint) or 0, checkpoint))
    return min(scored, key=lambda s: (s[0], s[1]))[2] if scored else None


def sparkline(values: Sequence[float], width: int = 48) -> str:
    """A one-line chart of ``values`` using ``▁▂▃▄▅▆▇█``.

    More values than ``width`` are averaged into ``width`` buckets; NaNs are dropped.

    Args:
        values: the numbers, in order.
        width: the most characters drawn.

    Returns:
        The chart (empty when there is nothing to draw).
    """
    points = [v for v in values if not math.isnan(v)]
    if not points:
        return ""
    if len(points) > width > 0:
        buckets = []
        for i in range(width):
            chunk = points[i * len(points) // width : (i + 1) * len(points) // width]
            buckets.append(sum(chunk) / len(chunk))
        points = buckets
    low, high = min(points), max(points)
    if high - low < 1e-12:
        return SPARK_CHARS[len(SPARK_CHARS) // 2] * len(points)
    top = len(SPARK_CHARS) - 1
    return "".join(SPARK_CHARS[round((v - low) / (high - low) * top)] for v in points)
