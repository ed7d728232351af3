"""Pure output helpers: tables, times, sparklines, progress, and the live board."""

from __future__ import annotations

import io
import json

import pytest

from ftclient._wire.convert import structure
from ftclient.cli._live import JobProgress, LiveBoard
from ftclient.cli._output import (
    SPARK_CHARS,
    Output,
    format_ago,
    format_duration,
    format_float,
    progress_bar,
    render_kv,
    render_table,
    sparkline,
    truncate,
)
from ftclient.models import FineTuningJob, FineTuningJobEvent, MetricPoint
from tests import built
from tests.cli._term import TTYBuffer, screen


def test_table_aligns_columns() -> None:
    text = render_table(("id", "status"), [["a", "running"], ["longer-id", None]])
    assert text.splitlines() == [
        "ID         STATUS",
        "a          running",
        "longer-id  -",
    ]


def test_table_truncates_long_cells_but_keeps_chosen_columns() -> None:
    long = "x" * 60
    text = render_table(("a", "b"), [[long, long]], max_cell=10, keep=frozenset({1}))
    row = text.splitlines()[1]
    assert row == "x" * 9 + "…  " + long


def test_table_shrinks_to_a_width() -> None:
    rows = [["ftjob-" + "a" * 24, "succeeded", "ft:gpt-4o-mini:org:suffix:" + "b" * 20]]
    text = render_table(("id", "status", "model"), rows, max_width=60, keep=frozenset({0}))
    assert all(len(line) <= 60 for line in text.splitlines())
    assert text.splitlines()[1].startswith("ftjob-" + "a" * 24)  # the id column is kept whole
    assert text.splitlines()[1].endswith("…")


def test_table_without_rows_and_with_newlines() -> None:
    assert render_table(("a",), []) == "A"
    assert render_table(("a",), [["two\nlines"]]).splitlines()[1] == "two lines"


def test_kv_aligns_and_skips_none() -> None:
    assert render_kv([("id", "x"), ("missing", None), ("long key", 1.5)]) == (
        "id:       x\nlong key: 1.5"
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (61, "1m"), (3599, "59m"), (3600 * 2 + 300, "2h05m"), (90000, "1d1h")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_ago() -> None:
    assert format_ago(None) == "-"
    assert format_ago(1000, now=1002) == "just now"
    assert format_ago(1000, now=1000 + 300) == "5m ago"
    assert format_ago(1000 + 7200, now=1000) == "in 2h00m"


def test_format_float() -> None:
    assert [format_float(v) for v in (1.0, 0.27491, 0.0, 1.5e-5)] == [
        "1.0",
        "0.2749",
        "0.0",
        "1.5e-05",
    ]


def test_truncate() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"
    assert truncate("abc", 0) == ""


def test_sparkline_follows_the_values() -> None:
    assert sparkline([3.0, 2.0, 1.0, 0.0]) == "█▆▃▁"
    assert sparkline([1.0, 8.0]) == "▁█"
    assert sparkline([]) == ""
    assert sparkline([2.0, 2.0, 2.0]) == "▅▅▅"
    assert sparkline([float("nan"), 1.0, 2.0]) == "▁█"


def test_sparkline_buckets_long_series() -> None:
    values = [float(100 - i) for i in range(100)]
    line = sparkline(values, width=10)
    assert len(line) == 10
    assert line[0] == SPARK_CHARS[-1]
    assert line[-1] == SPARK_CHARS[0]
    assert list(line) == sorted(line, reverse=True)


def test_progress_bar() -> None:
    assert progress_bar(5, 10, 10) == "[█████░░░░░]"
    assert progress_bar(0, 0, 4) == "[░░░░]"
    assert progress_bar(20, 10, 4) == "[████]"


def test_json_output_of_models() -> None:
    stream = io.StringIO()
    event = built.event(type="message", data={})
    Output(json_mode=True, stream=stream).json([event], lines=True)
    assert stream.getvalue() == (
        '[{"object":"fine_tuning.job.event","id":"ftevent-1","created_at":1,"level":"info",'
        '"message":"hi","type":"message","data":{}}]\n'
    )


def _metrics(step: int, loss: float, total: int = 10) -> FineTuningJobEvent:
    return FineTuningJobEvent(
        object="fine_tuning.job.event",
        id=f"ftevent-{step}",
        created_at=step,
        level="info",
        message=f"Step {step}",
        type="metrics",
        data=MetricPoint(step=step, train_loss=loss, total_steps=total),
    )


def test_job_progress_reads_metrics_events() -> None:
    progress = JobProgress("ftjob-1")
    progress.status = "running"
    for step, loss in ((1, 2.0), (2, 1.5), (2, 1.5), (4, 1.0)):
        progress.update_event(_metrics(step, loss))
    assert (progress.step, progress.total_steps, progress.last_loss) == (4, 10, 1.0)
    assert progress.fraction == 0.4
    assert progress.describe(prefix="job") == (
        "job  running           [██████░░░░░░░░░░]   4/10  loss 1.000"
    )
    assert progress.milestone == "running:1"


def test_board_without_terminal_prints_milestones_only() -> None:
    stream = io.StringIO()
    board = LiveBoard(Output(stream=stream))
    assert not board.live
    board.update("a", "a queued", milestone="queued")
    board.update("a", "a queued (again)", milestone="queued")
    board.update("b", "b running", milestone="running")
    board.update("a", "a running", milestone="running")
    board.note("a note")
    assert stream.getvalue() == "a queued\nb running\na running\na note\n"


def test_board_on_a_terminal_redraws_in_place() -> None:
    stream = TTYBuffer()
    board = LiveBoard(Output(stream=stream))
    assert board.live
    board.update("a", "a queued", milestone="")
    board.update("b", "b queued", milestone="")
    board.update("a", "a running 10%", milestone="")
    board.note("paused b")
    board.update("b", "b paused", milestone="")
    board.update("a", "a succeeded", milestone="")
    assert screen(stream.getvalue()) == ["paused b", "a succeeded", "b paused"]
    assert "\x1b[2F" in stream.getvalue()


def test_board_truncates_lines_to_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    stream = TTYBuffer()
    LiveBoard(Output(stream=stream)).update("a", "x" * 100, milestone="")
    assert screen(stream.getvalue()) == ["x" * 28 + "…"]


def test_json_prints_the_object_as_it_arrived() -> None:
    document = {
        "id": "ftjob-1",
        "object": "fine_tuning.job",
        "created_at": 1,
        "model": "gpt-4o-mini",
        "training_file": "file-t",
        "status": "pending",
        "organization_id": None,
        "user_provided_suffix": "s",
        "usage_metrics": {"tokens": 3},
        "integrations": [{"type": "wandb", "wandb": {"project": "p", "run_id": "r"}}],
    }
    stream = io.StringIO()
    Output(json_mode=True, stream=stream).json([structure(document, FineTuningJob)])
    assert json.loads(stream.getvalue()) == [document]
