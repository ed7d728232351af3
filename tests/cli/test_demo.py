"""``ftclient demo`` (plain and on a terminal) and ``ftclient serve`` (as a process)."""

from __future__ import annotations

import json
import re
import signal
import sys
import time

import pytest

from ftclient.cli import main
from ftclient.cli._output import SPARK_CHARS
from tests.cli._term import TTYBuffer, screen
from tests.cli.conftest import Runner, serve_process

FAST = "400"  # a demo job then takes about a fifth of a second


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = "intro"
    for line in text.splitlines():
        if line.startswith("== "):
            current = line.strip("= ").split(" (")[0]
            continue
        if line:
            sections.setdefault(current, []).append(line)
    return sections


def test_demo_runs_a_whole_session(bare_cli: Runner) -> None:
    started = time.monotonic()
    result = bare_cli("demo", "--speed", FAST)
    took = time.monotonic() - started
    assert result.code == 0, result.err
    assert result.err == ""
    assert took < 15
    parts = _sections(result.out)
    assert list(parts) == [
        "intro",
        "Creating 4 jobs at once",
        "Training",
        "Training loss per job",
        "Checkpoints of support-bot",
        "Sharing the last checkpoint with other projects",
        "Graders",
        "Summary",
    ]
    created = parts["Creating 4 jobs at once"]
    assert created[0].split() == ["LABEL", "JOB", "PLAN"]
    assert len(created) == 5
    assert all("ftjob-" in line for line in created[1:])

    training = "\n".join(parts["Training"])
    assert "broken-data      failed" in training
    assert "sql-helper: paused near step" in training
    assert "sql-helper: resumed" in training
    assert "legal-summaries: cancelled near step" in training

    curves = {line.split()[0]: line for line in parts["Training loss per job"]}
    for label in ("support-bot", "sql-helper", "legal-summaries"):
        chart = curves[label].split()[1]
        assert len(chart) > 10
        assert set(chart) <= set(SPARK_CHARS)
    assert curves["broken-data"].endswith("(no training steps: failed)")

    checkpoints = parts["Checkpoints of support-bot"]
    assert checkpoints[0].startswith("model ft:gpt-4o-mini:emulator:support-bot:")
    assert checkpoints[1].split() == ["STEP", "TRAIN", "LOSS", "CHECKPOINT"]
    assert all(line.split()[2].startswith("ckpt-step-") for line in checkpoints[2:])

    sharing = parts["Sharing the last checkpoint with other projects"]
    assert sharing[0].startswith("granted  proj_demo_analytics")
    assert sharing[1].startswith("granted  proj_demo_eval")
    assert sharing[2].startswith("revoked  proj_demo_analytics")
    assert sharing[-1].startswith("cp_")
    assert sharing[-1].split()[1] == "proj_demo_eval"

    graders = {line.split()[0]: line.split() for line in parts["Graders"][1:]}
    assert graders["string_check"][1:3] == ["valid", "1.000"]
    assert 0 < float(graders["text_similarity"][2]) < 1

    summary = parts["Summary"]
    statuses = {line.split()[0]: line.split()[1] for line in summary[1:5]}
    assert statuses == {
        "support-bot": "succeeded",
        "broken-data": "failed",
        "sql-helper": "succeeded",
        "legal-summaries": "cancelled",
    }
    assert summary[-2] == "2 succeeded, 1 failed, 1 cancelled."
    assert re.fullmatch(r"\d+ API requests in \d+\.\ds of real time\.", summary[-1])
    assert max(len(line) for line in result.out.splitlines()) <= 59  # fits 60 columns


def test_demo_on_a_terminal_updates_lines_in_place(
    monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    buffer = TTYBuffer()
    monkeypatch.setattr(sys, "stdout", buffer)
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["demo", "--speed", FAST]) == 0
    raw = buffer.getvalue()
    assert "\x1b[4F" in raw  # the four job lines were redrawn
    lines = screen(raw)
    assert all(len(line) < 60 for line in lines)
    board = _sections("\n".join(lines))["Training"]
    # The notes, then one line per job in its final state: the rest was drawn over.
    notes = sorted(line.split(":")[0].strip() for line in board[:3])
    assert notes == ["legal-summaries", "sql-helper", "sql-helper"]
    jobs = board[3:]
    assert [line.split()[:2] for line in jobs] == [
        ["support-bot", "succeeded"],
        ["broken-data", "failed"],
        ["sql-helper", "succeeded"],
        ["legal-summaries", "cancelled"],
    ]
    assert re.search(r"\[█{8}\]\s+(\d+)/\1  loss", jobs[0])
    assert jobs[1].endswith("…")  # the long error is cut to the terminal's width


def test_serve_prints_its_url_and_stops_on_sigint(bare_cli: Runner) -> None:
    proc = serve_process("--speed", "50")
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("ftclient emulator listening on http://127.0.0.1:")
        url = first.split()[4]
        hint = [proc.stdout.readline() for _ in range(4)]
        assert hint[1].strip() == f"export OPENAI_BASE_URL={url} OPENAI_API_KEY=sk-emulator"
        assert hint[2].startswith("Replay this run's ids with --seed ")
        result = bare_cli("--base-url", url, "--api-key", "sk-emulator", "--json", "jobs", "list")
        assert (result.code, json.loads(result.out)) == (0, [])
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert out == "Emulator stopped.\n"
    assert err == ""
