"""``ftclient data check``: exit codes, the linter-style lines, JSON, and usage errors. Nothing is
sent anywhere: no key and no server are needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import Runner
from tests.data.lines import jsonl, supervised, valid_file


def write(path: Path, lines: list[object]) -> str:
    path.write_bytes(jsonl(lines))
    return str(path)


def test_a_clean_file_exits_0_with_its_counts(bare_cli: Runner, tmp_path: Path) -> None:
    file = write(tmp_path / "train.jsonl", valid_file("supervised", 12))
    result = bare_cli("data", "check", file, "--model", "gpt-4o-mini")
    assert result.code == 0
    assert result.err == ""
    lines = result.out.splitlines()
    assert lines[0] == f"{file} (supervised): 12 lines, 12 valid examples, no problems"
    assert lines[1].startswith("  tokens: ")
    assert lines[2].startswith("  epochs: 8; billed tokens: ")  # 100 // 12 epochs
    assert lines[3] == (
        "  cost: less than $0.01 at $3.00 per 1M training tokens (prices as of 2026-12-07)"
    )


def test_problems_are_listed_like_a_linter_and_exit_1(bare_cli: Runner, tmp_path: Path) -> None:
    lines: list[object] = valid_file("supervised", 9)
    lines.insert(1, "{not json")
    lines.insert(4, {"messages": [{"role": "user", "content": ""}, {"role": "assistant"}]})
    train = write(tmp_path / "train.jsonl", lines)
    valid = write(tmp_path / "valid.jsonl", [supervised(0), supervised(99)])
    result = bare_cli("data", "check", train, "--validation-file", valid)
    assert result.code == 1
    assert result.out.splitlines()[:5] == [
        f"{train}:2: $: not valid JSON (Expecting property name enclosed in double quotes at "
        "column 2): each line holds one JSON object [invalid_json]",
        f"{train}:5: $.messages[0].content: empty user content: write the user's text, or "
        "remove the message [empty_content]",
        f"{train}:5: $.messages[1].content: add content: the assistant's answer (or its "
        "tool_calls) [missing_field]",
        f"{train}: $: 9 valid examples; supervised fine-tuning needs at least 10: add 1 more "
        "[too_few_examples]",
        f"{valid}:1: $: the same example as line 1 of the training file: validate on examples "
        "the model is not trained on [validation_overlap]",
    ]
    assert f"{train} (supervised): 11 lines, 9 valid examples, 4 problems" in result.out
    assert f"{valid} (supervised): 2 lines, 2 valid examples, 1 problem" in result.out


def test_json_output_holds_every_problem_and_ok(bare_cli: Runner, tmp_path: Path) -> None:
    lines: list[object] = valid_file("dpo", 10)
    lines[3] = {"input": {"messages": [{"role": "user", "content": "x"}]}}
    file = write(tmp_path / "pairs.jsonl", lines)
    result = bare_cli("data", "check", file, "--method", "dpo", "--json", "--n-epochs", "2")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["ok"] is False
    assert (document["method"], document["epochs"], document["examples"]) == ("dpo", 2, 9)
    assert [(p["line"], p["path"], p["code"]) for p in document["problems"]] == [
        (4, "$.preferred_output", "missing_field"),
        (4, "$.non_preferred_output", "missing_field"),
        (None, "$", "too_few_examples"),
    ]
    assert document["validation"] is None


def test_a_grader_means_reinforcement_and_its_fields_are_checked(
    bare_cli: Runner, tmp_path: Path
) -> None:
    lines = valid_file("reinforcement", 10)
    del lines[6]["reference_answer"]
    file = write(tmp_path / "rft.jsonl", lines)
    grader = json.dumps(
        {
            "type": "string_check",
            "name": "g",
            "operation": "eq",
            "input": "{{sample.output_text}}",
            "reference": "{{item.reference_answer}}",
        }
    )
    result = bare_cli("data", "check", file, "--grader", grader)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        f"{file}:7: $.reference_answer: the grader reads {{{{item.reference_answer}}}}: add "
        "'reference_answer' [missing_item_field]"
    )
    assert "(reinforcement)" in result.out
    assert "billed by training time" in result.out


def test_usage_errors_exit_2_naming_the_option(bare_cli: Runner, tmp_path: Path) -> None:
    missing = bare_cli("data", "check", str(tmp_path / "nope.jsonl"))
    assert (missing.code, missing.out) == (2, "")
    assert missing.err == f"error: FILE: no such file: '{tmp_path / 'nope.jsonl'}'\n"
    directory = bare_cli("data", "check", str(tmp_path))
    assert directory.code == 2
    assert directory.err == f"error: FILE: '{tmp_path}' is a directory, not a JSONL file\n"
    file = write(tmp_path / "t.jsonl", valid_file("supervised", 10))
    no_validation = bare_cli("data", "check", file, "--validation-file", str(tmp_path / "v"))
    assert no_validation.code == 2
    assert no_validation.err.startswith("error: --validation-file: no such file: ")
    bad_method = bare_cli("data", "check", file, "--method", "rlhf")
    assert bad_method.code == 2
    assert "invalid choice: 'rlhf'" in bad_method.err
    bad_grader = bare_cli("data", "check", file, "--grader", "{oops")
    assert bad_grader.code == 2
    assert bad_grader.err.startswith("error: --grader: inline JSON is not valid JSON")
    supervised_grader = bare_cli("data", "check", file, "--method", "dpo", "--grader", "{}")
    assert supervised_grader.code == 2
    assert supervised_grader.err == "error: grader: is for method='reinforcement', not 'dpo'\n"


def test_the_command_runs_as_a_process_without_a_key(tmp_path: Path) -> None:
    file = write(tmp_path / "train.jsonl", valid_file("supervised", 10))
    done = subprocess.run(
        [sys.executable, "-m", "ftclient", "data", "check", file],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{file} (supervised): 10 lines, 10 valid examples")
