"""A ``metrics`` event's data decodes as a MetricPoint; every other event's data stays a mapping."""

from __future__ import annotations

from typing import Any

import pytest

import ftclient
from ftclient._wire.convert import DecodeError, make_converter, structure
from ftclient.models import (
    ListFineTuningJobEventsResponse,
    MetricPoint,
    MetricSeries,
    sparkline,
)
from tests import built

DATA = {
    "step": 12,
    "total_steps": 40,
    "train_loss": 0.5,
    "train_mean_token_accuracy": 1,  # an int is a number
    "valid_loss": 0.75,
    "learning_rate": 1e-5,  # a key this SDK does not know
}


def event(data: Any, kind: str = "metrics") -> dict[str, Any]:
    return {
        "id": "ftevent-1",
        "object": "fine_tuning.job.event",
        "created_at": 1,
        "level": "info",
        "message": "Step",
        "type": kind,
        "data": data,
    }


def decoded(*events: dict[str, Any], fast: bool = True) -> list[Any]:
    page = {"object": "list", "data": list(events), "has_more": False}
    converter = make_converter(detailed=not fast)  # the decoding converter, or the explaining one
    return [e.data for e in converter.structure(page, ListFineTuningJobEventsResponse).data]


@pytest.mark.parametrize("fast", [True, False])
def test_metrics_data_is_typed_and_keeps_unknown_keys(fast: bool) -> None:
    (point,) = decoded(event(dict(DATA)), fast=fast)
    assert isinstance(point, MetricPoint)
    assert (point.step, point.total_steps) == (12, 40)
    assert (point.train_loss, point.valid_loss) == (0.5, 0.75)
    assert point.train_mean_token_accuracy == 1
    assert point.full_valid_loss is None
    assert point.extra == {"learning_rate": 1e-5}
    assert point.get("learning_rate") == 1e-5
    assert point.get("nothing") is None
    assert ftclient.to_dict(point) == DATA  # as it arrived


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    "data",
    [
        {"step": "12", "train_loss": 0.5},  # a step that is not an integer
        {"step": 1.5},
        {"train_loss": 0.5},  # no step
        {"step": 3, "train_loss": "low"},  # a metric that is not a number
        {"step": 3, "train_loss": True},
    ],
)
def test_metrics_data_that_is_no_point_stays_the_mapping(data: dict[str, Any], fast: bool) -> None:
    assert decoded(event(data), fast=fast) == [data]


@pytest.mark.parametrize(
    ("data", "message"),
    [("x", "expected object, got str 'x'"), ([1], "expected object, got array")],
)
@pytest.mark.parametrize("kind", ["metrics", "message"])
def test_event_data_that_is_not_an_object_is_refused_naming_it(
    data: Any, message: str, kind: str
) -> None:
    with pytest.raises(DecodeError) as refused:
        structure({"data": [event(data, kind)], "has_more": False}, ListFineTuningJobEventsResponse)
    assert (refused.value.path, refused.value.message) == ("$.data[0].data", message)


def test_other_events_are_unchanged() -> None:
    data = {"step": 3, "train_loss": 0.5}
    assert decoded(event(data, "message"), event({}, "message"), event(None)) == [data, {}, None]
    assert decoded(event(data, "future-kind")) == [data]


def test_a_series_from_points_and_checkpoints_built_here() -> None:
    points = [MetricPoint(step=s, train_loss=1.0 / s) for s in (3, 1, 2, 3)]
    series = MetricSeries.build("ftjob-1", points, [built.checkpoint(2, full_valid_loss=0.9)])
    assert series.steps == [1, 2, 3]
    assert series.values("full_valid_loss") == [None, 0.9, None]
    assert series.curve("train_loss") == [(1, 1.0), (2, 0.5), (3, 1.0 / 3)]
    assert series.metrics == ["train_loss", "full_valid_loss"]
    assert series.sparkline() == sparkline([1.0, 0.5, 1.0 / 3]) == "█▃▁"
    assert ftclient.to_dict(series[1]) == {"step": 2, "train_loss": 0.5, "full_valid_loss": 0.9}


def test_a_point_still_reads_as_the_mapping_it_was() -> None:
    # Code written when data was a dict (examples/finetune-app's loss curve) keeps working.
    (point,) = decoded(
        {
            "id": "ftevent-1",
            "object": "fine_tuning.job.event",
            "created_at": 1,
            "level": "info",
            "message": "Step 3",
            "type": "metrics",
            "data": {"step": 3, "train_loss": 0.5, "new_metric": 7},
        }
    )
    assert point["train_loss"] == 0.5
    assert point["new_metric"] == 7
    assert "step" in point
    assert "valid_loss" not in point
    with pytest.raises(KeyError):
        point["valid_loss"]
