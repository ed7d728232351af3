"""``ftclient checkpoints``, ``permissions`` and ``graders`` against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, ThreadedEmulator
from tests.cli.test_jobs import FINISH, create, details, table

STRING_CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}


def finished_job(cli: Runner, emu: ThreadedEmulator) -> str:
    job_id = create(cli, "--validation-file", "file-valid")
    emu.advance(FINISH)
    return job_id


def newest_checkpoint(cli: Runner, job_id: str) -> str:
    data = json.loads(cli("--json", "checkpoints", "list", job_id).out)
    model: str = data[0]["fine_tuned_model_checkpoint"]
    return model


def test_checkpoints_table_and_json(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = finished_job(cli, emu)
    result = cli("checkpoints", "list", job_id)
    assert result.code == 0
    headers, rows = table(result.out)
    assert headers == ["STEP", "TRAIN LOSS", "VALID LOSS", "CREATED", "CHECKPOINT MODEL"]
    data = json.loads(cli("--json", "checkpoints", "list", job_id).out)
    assert len(rows) == len(data) >= 1
    assert [int(row[0]) for row in rows] == [c["step_number"] for c in data]
    # The model name is never truncated: it is what a user copies.
    assert rows[0][-1] == data[0]["fine_tuned_model_checkpoint"]
    assert float(rows[0][1]) == pytest.approx(data[0]["metrics"]["train_loss"], rel=1e-3)


def test_checkpoints_of_a_new_job(cli: Runner) -> None:
    assert cli("checkpoints", "list", create(cli)).out == "No checkpoints (yet).\n"


def test_permissions_grant_list_revoke(cli: Runner, emu: ThreadedEmulator) -> None:
    checkpoint = newest_checkpoint(cli, finished_job(cli, emu))
    result = cli(
        "permissions", "grant", checkpoint, "--project-id", "proj_a", "--project-id", "proj_b"
    )
    assert result.code == 0, result.err
    headers, rows = table(result.out.rsplit("\n", 2)[0])
    assert headers == ["ID", "PROJECT", "CREATED"]
    assert sorted(row[1] for row in rows) == ["proj_a", "proj_b"]
    assert result.out.splitlines()[-1] == f"Granted 2 project(s) access to {checkpoint}"

    listed = json.loads(
        cli("--json", "permissions", "list", checkpoint, "--order", "ascending").out
    )
    assert [p["project_id"] for p in listed] == ["proj_a", "proj_b"]
    only_b = json.loads(
        cli("--json", "permissions", "list", checkpoint, "--project-id", "proj_b").out
    )
    assert [p["project_id"] for p in only_b] == ["proj_b"]

    revoked = listed[0]["id"]
    result = cli("permissions", "revoke", checkpoint, revoked)
    assert result.out == f"Revoked permission {revoked} on {checkpoint}\n"
    _, rows = table(cli("permissions", "list", checkpoint).out)
    assert [row[1] for row in rows] == ["proj_b"]


def test_permissions_of_unknown_checkpoint(cli: Runner) -> None:
    result = cli("permissions", "list", "ft:gpt-4o-mini:org::nope:ckpt-step-1")
    assert result.code == 1
    assert result.err.startswith("error: 404 ")
    assert "(request id req_" in result.err


def test_graders_validate_from_file(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "grader.json"
    path.write_text(json.dumps(STRING_CHECK))
    result = cli("graders", "validate", "--grader", str(path))
    assert result == (0, "valid: string_check grader 'exact'\n", "")
    data = json.loads(cli("--json", "graders", "validate", "--grader", str(path)).out)
    assert data["grader"] == STRING_CHECK


def test_graders_run_with_item_file_and_inline(cli: Runner, tmp_path: Path) -> None:
    grader = tmp_path / "grader.json"
    grader.write_text(json.dumps(STRING_CHECK))
    item = tmp_path / "item.json"
    item.write_text('{"answer": "Paris"}')
    result = cli(
        "graders", "run", "--grader", str(grader), "--sample", "Paris", "--item", str(item)
    )
    assert result.code == 0, result.err
    fields = details(result.out)
    assert fields["reward"] == "1.0"
    assert fields["grader"] == "exact (string_check)"
    assert fields["errors"] == "none"
    result = cli(
        "--json",
        "graders",
        "run",
        "--grader",
        json.dumps(STRING_CHECK),
        "--sample",
        "Lyon",
        "--item",
        '{"answer": "Paris"}',
    )
    assert json.loads(result.out)["reward"] == 0.0


def test_graders_text_similarity(cli: Runner) -> None:
    grader = {
        "type": "text_similarity",
        "name": "close",
        "input": "{{sample.output_text}}",
        "reference": "the capital of France is Paris",
        "evaluation_metric": "fuzzy_match",
    }
    result = cli(
        "--json",
        "graders",
        "run",
        "--grader",
        json.dumps(grader),
        "--sample",
        "Paris is the capital",
    )
    assert 0.0 < json.loads(result.out)["reward"] < 1.0


def test_grader_checked_before_sending_is_a_usage_error(cli: Runner, emu: ThreadedEmulator) -> None:
    bad = dict(STRING_CHECK, operation="contains")
    result = cli("graders", "validate", "--grader", json.dumps(bad))
    assert result.code == 2
    assert result.err == (
        "error: grader.operation: must be one of 'eq', 'ne', 'like', 'ilike', got 'contains'\n"
    )
    assert emu.emu.requests == []


def test_grader_refused_by_the_api_is_exit_1(cli: Runner) -> None:
    python = {"type": "python", "name": "py", "source": "def grade(sample, item):\n    return 1.0"}
    result = cli("graders", "run", "--grader", json.dumps(python), "--sample", "x")
    assert result.code == 1
    assert result.err.startswith("error: 400 ")
    assert result.err.count("\n") == 1
    assert "(request id req_" in result.err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (line 1, column 2"),
        ('["a list"]', "must be a JSON object"),
    ],
)
def test_bad_grader_file_is_a_usage_error(
    cli: Runner, emu: ThreadedEmulator, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "grader.json"
    path.write_text(content)
    before = len(emu.emu.requests)
    result = cli("graders", "validate", "--grader", str(path))
    assert result.code == 2
    assert result.err.startswith("error: --grader: ")
    assert message in result.err
    assert len(emu.emu.requests) == before  # nothing was sent


def test_missing_files_are_usage_errors(cli: Runner, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.json")
    result = cli("graders", "run", "--grader", missing, "--sample", "x")
    assert result.code == 2
    assert result.err == f"error: --grader: cannot read {missing}: No such file or directory\n"
    result = cli(
        "graders", "run", "--grader", json.dumps(STRING_CHECK), "--sample", "x", "--item", "[1]"
    )
    assert (result.code, result.err) == (2, "error: --item: must be a JSON object\n")
