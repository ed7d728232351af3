"""The poll schedule and the server-hint rule it follows (pure, no loop)."""

from __future__ import annotations

import math

import pytest

import ftclient
from ftclient.polling.wait import hint_of, schedule_for


def status_error(headers: dict[str, str]) -> ftclient.InternalServerError:
    return ftclient.InternalServerError("busy", status=503, headers=headers)


def test_a_hint_within_the_maximum_sets_the_next_interval() -> None:
    schedule = ftclient.PollSchedule(initial=1.0, maximum=30.0, jitter=0.0)
    hint = hint_of(status_error({"retry-after": "7"}), schedule.maximum)
    assert hint == 7.0
    assert schedule.after(2.0, hint) == (7.0, 2.0)  # obeyed, and the schedule does not grow


def test_a_hint_beyond_the_maximum_is_not_obeyed() -> None:
    assert hint_of(status_error({"retry-after": "86400"}), 30.0) is None
    assert hint_of(status_error({"retry-after-ms": "1500"}), 30.0) == 1.5
    assert hint_of(status_error({}), 30.0) is None
    assert hint_of(None, 30.0) is None
    assert hint_of(object(), 30.0) is None  # not from a response


def test_without_a_hint_the_interval_grows_to_the_maximum() -> None:
    schedule = ftclient.PollSchedule(initial=1.0, maximum=2.0, factor=1.5, jitter=0.0)
    assert schedule.after(1.0, None) == (1.0, 1.5)
    assert schedule.after(1.5, None) == (1.5, 2.0)
    assert schedule.after(2.0, None) == (2.0, 2.0)
    assert schedule.next(1.0) == (1.0, 1.5)


def test_jitter_stays_within_its_share() -> None:
    schedule = ftclient.PollSchedule(initial=10.0, maximum=10.0, jitter=0.1)
    sleeps = [schedule.after(10.0, None)[0] for _ in range(200)]
    assert all(9.0 <= s <= 11.0 for s in sleeps)
    assert len(set(sleeps)) > 1


def test_seconds_become_a_growing_schedule() -> None:
    assert schedule_for(2) == ftclient.PollSchedule(initial=2.0, maximum=30.0)
    assert schedule_for(45.0) == ftclient.PollSchedule(initial=45.0, maximum=45.0)
    same = ftclient.PollSchedule(initial=3.0)
    assert schedule_for(same) is same


@pytest.mark.parametrize("value", [0, -1, math.nan, math.inf, True, "1", None])
def test_bad_poll_intervals_are_named(value: object) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        schedule_for(value)  # type: ignore[arg-type]
    assert info.value.param == "poll_interval"


@pytest.mark.parametrize(
    ("kwargs", "param", "says"),
    [
        ({"initial": math.nan}, "poll_interval.initial", "seconds"),
        ({"initial": "1"}, "poll_interval.initial", "seconds"),
        ({"maximum": math.inf}, "poll_interval.maximum", "seconds"),
        ({"factor": math.nan}, "poll_interval.factor", "finite and > 0 times the interval,"),
        ({"jitter": math.nan}, "poll_interval.jitter", "finite and >= 0 of the interval,"),
        ({"jitter": -0.1}, "poll_interval.jitter", "finite and >= 0 of the interval,"),
        (
            {"initial": 5.0, "maximum": 1.0},
            "poll_interval",
            "poll_interval: must be > 0 and <= the maximum interval",
        ),
        ({"factor": 0.5}, "poll_interval", "poll_interval: factor must be >= 1, jitter in [0, 1)"),
        ({"jitter": 1.0}, "poll_interval", "poll_interval: factor must be >= 1, jitter in [0, 1)"),
    ],
)
def test_bad_schedules_are_refused(kwargs: dict[str, object], param: str, says: str) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        ftclient.PollSchedule(**kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
    assert says in str(info.value)
    assert "XX" not in str(info.value)


def test_the_edges_of_a_schedule_are_allowed() -> None:
    ftclient.PollSchedule(initial=1.0, maximum=1.0, factor=1.0, jitter=0.0)
    ftclient.PollSchedule(initial=0.001, maximum=1e6, factor=10.0, jitter=0.99)
