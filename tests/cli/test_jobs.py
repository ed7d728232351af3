"""``ftclient jobs ...`` against the emulator, in-process."""

from __future__ import annotations

import json
import re
import sys

import pytest

from tests.cli._term import TTYBuffer, screen
from tests.cli.conftest import Runner, ThreadedEmulator

FINISH = 200.0  # simulated seconds after which a one-epoch job has finished


def create(cli: Runner, *extra: str, training_file: str = "file-train") -> str:
    result = cli(
        "--json",
        "jobs",
        "create",
        "--model",
        "gpt-4o-mini",
        "--training-file",
        training_file,
        "--n-epochs",
        "1",
        *extra,
    )
    assert result.code == 0, result.err
    job_id: str = json.loads(result.out)["id"]
    return job_id


def table(text: str) -> tuple[list[str], list[list[str]]]:
    """Split a rendered table on runs of two or more spaces."""
    lines = text.strip("\n").splitlines()
    rows = [re.split(r"\s{2,}", line.strip()) for line in lines]
    return rows[0], rows[1:]


def details(text: str) -> dict[str, str]:
    """Parse ``key: value`` lines."""
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def test_list_shows_a_table_newest_first(cli: Runner) -> None:
    first, second = create(cli), create(cli, "--suffix", "two")
    result = cli("jobs", "list")
    assert result.code == 0
    headers, rows = table(result.out)
    assert headers == ["ID", "STATUS", "MODEL", "CREATED", "FINE-TUNED MODEL"]
    assert [row[0] for row in rows] == [second, first]
    assert rows[0][1:3] == ["validating_files", "gpt-4o-mini"]
    assert rows[0][-1] == "-"
    # Columns line up: every row's status starts where the STATUS header does.
    lines = result.out.splitlines()
    column = lines[0].index("STATUS")
    assert all(line[column:].startswith("validating_files") for line in lines[1:])


def test_list_json_and_limit(cli: Runner) -> None:
    ids = [create(cli) for _ in range(3)]
    result = cli("--json", "jobs", "list", "--limit", "2")
    assert result.code == 0
    data = json.loads(result.out)
    assert [job["id"] for job in data] == ids[::-1][:2]
    assert data[0]["object"] == "fine_tuning.job"


def test_list_filters_on_metadata(cli: Runner) -> None:
    tagged = create(cli, "--metadata", "team=search", "--metadata", "run=7")
    plain = create(cli, "--no-deduplicate")
    result = cli("--json", "jobs", "list", "--metadata", "team=search")
    assert [job["id"] for job in json.loads(result.out)] == [tagged]
    result = cli("--json", "jobs", "list", "--no-metadata")
    assert [job["id"] for job in json.loads(result.out)] == [plain]


def test_list_empty(cli: Runner) -> None:
    assert cli("jobs", "list").out == "No fine-tuning jobs.\n"


def _seed(emu: ThreadedEmulator, status: str, **fields: object) -> str:
    async def add() -> str:
        job = emu.emu.add_job(status, model="gpt-4o-mini", training_file="file-t", **fields)
        return str(job["id"])

    return emu.call(add())


def test_list_filters_on_status_across_pages(cli: Runner, emu: ThreadedEmulator) -> None:
    failed = _seed(emu, "failed", error={"code": "invalid_training_file", "message": "Bad line 3"})
    for _ in range(3):
        _seed(emu, "succeeded")
    cancelled = _seed(emu, "cancelled")
    result = cli("--json", "jobs", "list", "--status", "failed", "--status", "cancelled")
    assert result.code == 0, result.err
    assert [job["id"] for job in json.loads(result.out)] == [cancelled, failed]
    # --limit counts matching jobs, not jobs read: the failed one is the 5th newest
    result = cli("--json", "jobs", "list", "--status", "failed", "--limit", "1")
    assert [job["id"] for job in json.loads(result.out)] == [failed]
    result = cli("jobs", "list", "--status", "running")
    assert result.out == "No fine-tuning jobs with status running.\n"


def test_list_warns_about_a_status_it_does_not_know_and_lists_it_anyway(cli: Runner) -> None:
    result = cli("jobs", "list", "--status", "succeded")
    assert result.code == 0
    assert "'succeded' is not a status this version knows" in result.err
    assert result.out == "No fine-tuning jobs with status succeded.\n"


def test_list_shows_why_a_job_failed(cli: Runner, emu: ThreadedEmulator) -> None:
    failed = _seed(emu, "failed", error={"code": "invalid_training_file", "message": "Bad line 3"})
    _seed(emu, "succeeded")
    headers, rows = table(cli("jobs", "list").out)
    assert headers[-1] == "ERROR"
    by_id = {row[0]: row for row in rows}
    assert by_id[failed][1] == "failed"
    assert by_id[failed][-1] == "invalid_training_file: Bad line 3"


def test_list_keeps_id_and_status_whole_on_a_narrow_terminal(
    cli: Runner, emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = _seed(emu, "validating_files", suffix="a-rather-long-suffix-for-the-model")
    monkeypatch.setattr(sys, "stdout", TTYBuffer())
    monkeypatch.setenv("COLUMNS", "50")
    assert cli("jobs", "list").code == 0
    lines = screen(sys.stdout.getvalue())
    assert lines[1].split()[:2] == [job_id, "validating_files"]  # cut before: "validati…"


def test_create_sends_method_and_prints_details(cli: Runner, emu: ThreadedEmulator) -> None:
    result = cli(
        "jobs",
        "create",
        "--model",
        "gpt-4o-mini",
        "--training-file",
        "file-a",
        "--validation-file",
        "file-b",
        "--suffix",
        "demo",
        "--seed",
        "7",
        "--method",
        "dpo",
        "--n-epochs",
        "2",
        "--batch-size",
        "auto",
        "--learning-rate-multiplier",
        "0.5",
        "--beta",
        "0.1",
        "--metadata",
        "k=v",
    )
    assert result.code == 0, result.err
    body = emu.emu.requests[-1].json
    assert body["method"] == {
        "type": "dpo",
        "dpo": {
            "hyperparameters": {
                "n_epochs": 2,
                "batch_size": "auto",
                "learning_rate_multiplier": 0.5,
                "beta": 0.1,
            }
        },
    }
    assert body["seed"] == 7
    assert body["suffix"] == "demo"
    key = body["metadata"].pop("ftclient_idempotency_key")
    assert key.startswith("ftc-")
    assert body["metadata"] == {"k": "v"}
    fields = details(result.out)
    assert fields["status"] == "validating_files"
    assert fields["method"] == "dpo"
    assert fields["training file"] == "file-a"
    assert fields["validation file"] == "file-b"
    assert fields["metadata"] == f"k=v, ftclient_idempotency_key={key}"
    # Values are aligned in one column.
    lines = result.out.splitlines()
    assert lines[0].index("ftjob-") == lines[1].index("validating_files")
    assert "Follow it with: ftclient jobs wait ftjob-" in result.out


def test_create_reinforcement_with_inline_grader(cli: Runner, emu: ThreadedEmulator) -> None:
    grader = {
        "type": "string_check",
        "name": "g",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "operation": "eq",
    }
    result = cli(
        "--json",
        "jobs",
        "create",
        "--model",
        "o4-mini",
        "--training-file",
        "file-rl",
        "--grader",
        json.dumps(grader),
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["method"]["type"] == "reinforcement"
    assert emu.emu.requests[-1].json["method"]["reinforcement"]["grader"] == grader


def test_get_details_and_json(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli, "--metadata", "team=search")
    emu.advance(FINISH)
    result = cli("jobs", "get", job_id)
    assert result.code == 0
    fields = details(result.out)
    assert fields["id"] == job_id
    assert fields["status"] == "succeeded"
    assert fields["fine-tuned model"].startswith("ft:gpt-4o-mini:")
    assert int(fields["trained tokens"]) > 0
    assert "n_epochs=1" in fields["hyperparameters"]
    data = json.loads(cli("--json", "jobs", "get", job_id).out)
    assert data["id"] == job_id
    assert data["status"] == "succeeded"


def test_get_failed_job_shows_the_error(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli, training_file="file-will-fail")
    emu.advance(10)
    fields = details(cli("jobs", "get", job_id).out)
    assert fields["status"] == "failed"
    assert fields["error"].startswith("invalid_training_file: The job failed")


def test_cancel_pause_resume(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli)
    emu.advance(20)  # running
    assert cli("jobs", "pause", job_id).out == f"{job_id}: paused\n"
    assert json.loads(cli("--json", "jobs", "resume", job_id).out)["status"] == "running"
    assert cli("jobs", "cancel", job_id).out == f"{job_id}: cancelled\n"
    assert emu.job(job_id)["status"] == "cancelled"


def test_invalid_transition_is_one_line_error(cli: Runner) -> None:
    job_id = create(cli)
    result = cli("jobs", "resume", job_id)
    assert result.code == 1
    assert result.out == ""
    assert result.err.count("\n") == 1
    assert result.err.startswith("error: 400 Cannot resume fine-tuning job")
    assert "(request id req_" in result.err


def test_unknown_job_is_404_with_request_id(cli: Runner, emu: ThreadedEmulator) -> None:
    result = cli("jobs", "get", "ftjob-missing")
    assert result.code == 1
    assert result.out == ""
    request_id = emu.emu.requests[-1].request_id
    assert result.err == (
        f"error: 404 No fine-tuning job found with id 'ftjob-missing'. (request id {request_id})\n"
    )
    assert "Traceback" not in result.err


def test_wait_for_a_succeeding_job(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli)
    emu.advance(FINISH)
    result = cli("jobs", "wait", job_id, "--poll-interval", "0.01")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{job_id}  succeeded")
    assert lines[-1].startswith(f"{job_id} succeeded (waited ")
    assert lines[-1].endswith(emu.job(job_id)["fine_tuned_model"])


def test_wait_json_prints_the_final_job(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli)
    emu.advance(FINISH)
    result = cli("--json", "jobs", "wait", job_id, "--poll-interval", "0.01")
    assert json.loads(result.out)["status"] == "succeeded"


def test_wait_for_a_failing_job_exits_1(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli, training_file="file-fail-me")
    emu.advance(10)
    result = cli("jobs", "wait", job_id, "--poll-interval", "0.01")
    assert result.code == 1
    assert "failed" in result.out
    assert result.err == f"error: job {job_id} ended failed\n"


def test_wait_times_out(cli: Runner) -> None:
    job_id = create(cli)  # the clock stands still: the job never moves on
    result = cli("jobs", "wait", job_id, "--poll-interval", "0.02", "--timeout", "0.1")
    assert result.code == 1
    assert result.err.startswith(f"error: job {job_id} not finished after 0.1s")
    assert "validating_files" in result.err


def test_wait_logs_status_changes_as_they_happen(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli)
    # The job finishes after the CLI's first poll.
    with emu.advancing(FINISH, after_requests=1):
        result = cli("jobs", "wait", job_id, "--poll-interval", "0.02", "--timeout", "5")
    assert result.code == 0, result.err
    statuses = [line.split()[1] for line in result.out.splitlines()[:-1]]
    assert statuses == ["validating_files", "succeeded"]


def test_events_oldest_first(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = create(cli)
    emu.advance(FINISH)
    result = cli("jobs", "events", job_id, "--limit", "3")
    lines = result.out.splitlines()
    assert len(lines) == 3
    assert lines[-1].endswith("info   The job has successfully completed")
    assert "New fine-tuned model created" in lines[-2]
    data = json.loads(cli("--json", "jobs", "events", job_id, "--limit", "500").out)
    assert data[0]["message"] == f"Created fine-tuning job: {job_id}"
    assert data[-1]["message"] == "The job has successfully completed"
    steps = [e["data"]["step"] for e in data if e["type"] == "metrics"]
    assert steps == list(range(1, len(steps) + 1))


@pytest.mark.parametrize("json_mode", [False, True])
def test_events_follow_streams_to_the_end(
    cli: Runner, emu: ThreadedEmulator, json_mode: bool
) -> None:
    job_id = create(cli)
    emu.advance(30)  # running, some steps done
    existing = len(json.loads(cli("--json", "jobs", "events", job_id, "--limit", "100").out))
    args = ["jobs", "events", job_id, "--follow", "--limit", "2", "--poll-interval", "0.02"]
    # The job finishes once the first poll (the job, then its events) was answered.
    with emu.advancing(FINISH, after_requests=2):
        result = cli(*(["--json", *args] if json_mode else args))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    # The two newest events at the start, then every later one exactly once, in order.
    everything = json.loads(cli("--json", "jobs", "events", job_id, "--limit", "500").out)
    expected = everything[existing - 2 :]
    assert len(expected) > 20
    if json_mode:
        assert [json.loads(line)["id"] for line in lines] == [e["id"] for e in expected]
    else:
        assert [line.split("  ", 2)[-1].strip() for line in lines] == [
            e["message"] for e in expected
        ]
    assert expected[-1]["message"] == "The job has successfully completed"


def test_events_follow_on_a_terminal_keeps_a_status_line(
    cli: Runner, emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = create(cli)
    emu.advance(30)
    buffer = TTYBuffer()
    monkeypatch.setattr(sys, "stdout", buffer)
    with emu.advancing(FINISH, after_requests=2):
        result = cli("jobs", "events", job_id, "-f", "--limit", "1", "--poll-interval", "0.02")
    assert result.code == 0
    lines = screen(buffer.getvalue())
    assert lines[-2].endswith("The job has successfully completed")
    assert re.fullmatch(r"»  succeeded\s+\[█{16}\]\s+(\d+)/\1  loss \d\.\d{3}", lines[-1])
    assert sum(line.startswith("» ") for line in lines) == 1  # redrawn, not repeated


def test_events_of_a_job_without_events_is_404(cli: Runner) -> None:
    result = cli("jobs", "events", "ftjob-nope")
    assert result.code == 1
    assert result.err.startswith("error: 404 ")


def test_wait_on_a_terminal_shows_one_live_line(
    cli: Runner, emu: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = create(cli)
    emu.advance(30)  # running, with some steps behind it
    buffer = TTYBuffer()
    monkeypatch.setattr(sys, "stdout", buffer)
    with emu.advancing(FINISH, after_requests=6):
        result = cli("jobs", "wait", job_id, "--poll-interval", "0.02", "--timeout", "5")
    assert result.code == 0
    lines = screen(buffer.getvalue())
    assert lines[0] == f"Waiting for {job_id} (Ctrl-C stops waiting, not the job)"
    assert lines[1].startswith("succeeded ")
    assert lines[2].startswith(f"{job_id} succeeded (waited ")
    assert len(lines) == 3  # every intermediate state was drawn over
    assert "\x1b[1F" in buffer.getvalue()
    assert re.search(r"running\s+\[█*░*\]\s+\d+/\d+  loss \d\.\d{3}", buffer.getvalue())
