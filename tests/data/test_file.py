"""Whole-file checks (counts, repeats, validation overlap, lengths), where lines come from, and
the arguments ``check`` refuses before reading anything."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from ftclient.data import BEDROCK_REINFORCEMENT_RULES, DataRules, Problem, check
from ftclient.data._repeats import Repeats
from ftclient.errors import InvalidParameterError
from tests.data.lines import jsonl, supervised, valid_file


def codes(problems: tuple[Problem, ...]) -> list[tuple[int | None, str]]:
    return [(p.line, p.code) for p in problems]


def test_a_clean_file_is_ok_and_counted() -> None:
    report = check(jsonl(valid_file("supervised", 12)))
    assert report.ok
    assert report.problems == ()
    assert (report.lines, report.examples, report.omitted_problems) == (12, 12, 0)
    assert report.validation is None


def test_too_few_examples_is_a_problem_of_the_whole_file() -> None:
    lines: list[Any] = valid_file("supervised", 9)
    lines.append("oops")
    report = check(jsonl(lines))
    assert report.problems[-1] == Problem(
        line=None,
        path="$",
        code="too_few_examples",
        message="9 valid examples; supervised fine-tuning needs at least 10: add 1 more",
    )
    assert codes(report.problems) == [(10, "invalid_json"), (None, "too_few_examples")]
    assert check(jsonl(valid_file("supervised", 10))).ok


def test_a_provider_passes_its_own_rules() -> None:
    lines = valid_file("reinforcement", 99)
    report = check(jsonl(lines), method="reinforcement", rules=BEDROCK_REINFORCEMENT_RULES)
    assert report.problems == (
        Problem(
            line=None,
            path="$",
            code="too_few_examples",
            message="99 valid examples; reinforcement fine-tuning needs at least 100: add 1 more",
        ),
    )
    assert check(
        jsonl(valid_file("reinforcement", 100)),
        method="reinforcement",
        rules=BEDROCK_REINFORCEMENT_RULES,
    ).ok
    capped = check(jsonl(valid_file("supervised", 13)), rules=DataRules(max_examples=12))
    assert capped.problems == (
        Problem(
            line=None,
            path="$",
            code="too_many_examples",
            message="13 valid examples; at most 12 are allowed: remove 1",
        ),
    )
    assert check(jsonl(valid_file("supervised", 12)), rules=DataRules(max_examples=12)).ok


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"min_examples": 0}, "rules.min_examples"),
        ({"min_examples": True}, "rules.min_examples"),
        ({"max_examples": 0}, "rules.max_examples"),
        ({"min_examples": 5, "max_examples": 4}, "rules.max_examples"),
        ({"context_tokens": 1.5}, "rules.context_tokens"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        DataRules(**kwargs)
    assert caught.value.param == param


def test_repeated_lines_are_named_with_the_line_they_repeat() -> None:
    lines = valid_file("supervised", 12)
    lines.insert(5, lines[1])  # line 6 repeats line 2
    text = jsonl(lines).replace(
        json.dumps(lines[1]).encode() + b"\n", b"  " + json.dumps(lines[1]).encode() + b" \r\n", 1
    )  # white space around a line does not make it another example
    lines.append(lines[1])  # line 14
    report = check(text + json.dumps(lines[1]).encode() + b"\n")
    assert report.problems == (
        Problem(
            line=6,
            path="$",
            code="duplicate_example",
            message="the same example as line 2: remove one",
        ),
        Problem(
            line=14,
            path="$",
            code="duplicate_example",
            message="the same example as line 2: remove one",
        ),
    )


def test_validation_lines_also_in_training_are_named_in_the_validation_report(
    tmp_path: Path,
) -> None:
    training = tmp_path / "train.jsonl"
    training.write_bytes(jsonl(valid_file("supervised", 12)))
    validation = jsonl([supervised(100), supervised(3), supervised(101), supervised(100)])
    report = check(training, validation=validation)
    assert report.problems == ()
    assert not report.ok  # the validation file has problems
    assert report.validation is not None
    assert report.validation.problems == (
        Problem(
            line=2,
            path="$",
            code="validation_overlap",
            message="the same example as line 4 of the training file: validate on examples "
            "the model is not trained on",
        ),
        Problem(
            line=4,
            path="$",
            code="duplicate_example",
            message="the same example as line 1: remove one",
        ),
    )
    assert (report.validation.examples, report.validation.epochs) == (4, None)
    assert check(training, validation=jsonl([supervised(100)])).ok


def test_the_bit_table_false_alarms_are_cleared_by_the_second_pass() -> None:
    # A 64 Ki-bit table filled with 20,000 distinct digests raises many false alarms; none may
    # come out as a repeat, while the one true repeat does.
    index = Repeats(size=1, rereadable=True)
    lines = [f"line {i}".encode() for i in range(20_000)] + [b"line 7"]
    from ftclient.data._repeats import digest

    for number, raw in enumerate(lines, 1):
        index.add(digest(raw), number)
    assert index._noted  # the table did raise alarms
    repeats, overlaps = index.resolve(lambda: iter(lines))
    assert repeats == [(20_001, 8)]
    assert overlaps == []


def test_a_stream_read_once_finds_repeats_and_overlaps_without_a_second_pass() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer: Any) -> int:
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    lines = valid_file("supervised", 12)
    lines.append(lines[0])
    training = io.BufferedReader(Pipe(jsonl(lines)))
    validation = io.BufferedReader(Pipe(jsonl([supervised(4), supervised(50)])))
    report = check(training, validation=validation)
    assert codes(report.problems) == [(13, "duplicate_example")]
    assert report.validation is not None
    assert codes(report.validation.problems) == [(1, "validation_overlap")]
    assert "line 5 of the training file" in report.validation.problems[0].message


def test_sources_path_pathlike_bytes_and_binary_files_read_alike(tmp_path: Path) -> None:
    data = jsonl([*valid_file("supervised", 11), "{"])
    path = tmp_path / "t.jsonl"
    path.write_bytes(data)
    expected = [(12, "invalid_json")]
    assert codes(check(str(path)).problems) == expected
    assert codes(check(path).problems) == expected
    assert codes(check(data).problems) == expected
    assert codes(check(bytearray(data)).problems) == expected
    with path.open("rb") as handle:
        handle.readline()  # a file object is read from where it stands
        report = check(handle)
    assert (report.lines, codes(report.problems)) == (11, [(11, "invalid_json")])
    assert check(path).name == str(path)
    assert check(data).name == "<bytes>"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.jsonl", "source: no such file: 'missing.jsonl'"),
        (".", "source: '.' is a directory, not a JSONL file"),
        (42, "source: must be a path, bytes or a binary file object, got int"),
        (io.StringIO("{}"), "source: a text file: open it in binary mode ('rb')"),
    ],
)
def test_bad_sources_are_refused_before_anything_is_read(source: object, message: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        check(source)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert caught.value.param == "source"


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.jsonl"
    path.write_bytes(b"{}\n")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads everything
        pytest.skip("running as root: the file stays readable")
    with pytest.raises(InvalidParameterError, match="cannot read"):
        check(path)


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"method": "rlhf"}, "method", "must be one of supervised, dpo, reinforcement, got 'rlhf'"),
        ({"model": ""}, "model", "must be a model name or None, got ''"),
        ({"n_epochs": 0}, "n_epochs", "must be 'auto' or an integer from 1 to 50, got 0"),
        ({"n_epochs": 51}, "n_epochs", "must be 'auto' or an integer from 1 to 50, got 51"),
        ({"n_epochs": True}, "n_epochs", "must be 'auto' or an integer from 1 to 50, got True"),
        ({"rules": {"min_examples": 1}}, "rules", "must be a DataRules, got dict"),
        ({"prices": {"gpt-4o": 1}}, "prices", "must be a PriceTable, got dict"),
        ({"max_problems": -1}, "max_problems", "must be an integer >= 0, got -1"),
        (
            {"grader": {"type": "python"}},
            "grader",
            "is for method='reinforcement', not 'supervised'",
        ),
        (
            {"method": "reinforcement", "grader": "{{item.x}}"},
            "grader",
            "must be a dict or a ftclient.models grader, got str",
        ),
        (
            {"validation": 3.5},
            "validation",
            "must be a path, bytes or a binary file object, got float",
        ),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict[str, Any], param: str, message: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        check(b"{}\n", **kwargs)
    assert caught.value.param == param
    assert caught.value.message == message


def test_problems_beyond_the_limit_are_counted_not_listed() -> None:
    report = check(b"x\n" * 30, max_problems=5)
    assert codes(report.problems) == [(n, "invalid_json") for n in range(1, 6)]
    assert report.omitted_problems == 26  # 25 more lines and the whole-file count
    assert not report.ok
    assert "... and 26 more problems not listed" in str(report)
    assert check(jsonl(valid_file("supervised", 10)), max_problems=0).ok


def test_an_example_over_the_limit_per_example_is_named() -> None:
    lines = valid_file("supervised", 12)
    lines[4]["messages"][1]["content"] = "x" * 400  # 432 characters: 108 tokens + 15 of framing
    report = check(jsonl(lines), rules=DataRules(context_tokens=100))
    assert report.problems == (
        Problem(
            line=5,
            path="$",
            code="too_long",
            message="123 tokens (estimated), over the 100 allowed per example: "
            "shorten it or split it",
        ),
    )
    assert report.context_tokens == 100
    assert report.examples == 11  # the long one is not counted, nor billed
