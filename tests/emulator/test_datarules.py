"""The emulator's one call into ftclient.data (``data_problems``), and its fallback.

ftclient.data is another branch's package: here a stand-in module with its contract
(``check(content, *, method) -> report`` with ``problems``: ``line``, ``path``, ``message``,
``code``) is put in ``sys.modules``, so the adapter is tested whether or not it is merged.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import attrs
import pytest

from ftclient.testing import SAMPLE_TRAINING_DATA
from ftclient.testing._datarules import data_problems, job_file_error


@attrs.frozen
class Problem:
    line: int | None
    path: str
    message: str
    code: str


@attrs.frozen
class Report:
    problems: tuple[Problem, ...]


def install(monkeypatch: pytest.MonkeyPatch, *problems: Problem) -> list[tuple[bytes, str]]:
    calls: list[tuple[bytes, str]] = []

    def check(source: Any, *, method: str = "supervised") -> Report:
        calls.append((source, method))
        return Report(problems)

    module = types.ModuleType("ftclient.data")
    module.check = check  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ftclient.data", module)
    return calls


def test_problems_are_worded_with_their_line_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = install(
        monkeypatch,
        Problem(4, "$.messages[1].role", "must be one of ...", "invalid_role"),
        Problem(None, "$", "too big", "too_many_tokens"),
    )
    assert data_problems(b"x\n", "dpo") == [
        "Example 4, $.messages[1].role: must be one of ...",
        "File, $: too big",
    ]
    assert calls == [(b"x\n", "dpo")]


def test_the_count_and_repeats_do_not_fail_a_job(monkeypatch: pytest.MonkeyPatch) -> None:
    install(
        monkeypatch,
        Problem(None, "$", "3 examples", "too_few_examples"),
        Problem(2, "$", "the same example as line 1", "duplicate_example"),
    )
    assert data_problems(b"x\n", "supervised") == []
    # A short validation file passes; a short training file fails in the service's words.
    three = b"".join(SAMPLE_TRAINING_DATA.splitlines(keepends=True)[:3])
    assert job_file_error(three, "supervised", "validation_file") is None
    error = job_file_error(three, "supervised", "training_file")
    assert error is not None
    assert error["code"] == "invalid_n_examples"


def test_the_first_problem_is_the_jobs_error(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, Problem(7, "$.messages", "missing", "missing_messages"))
    assert job_file_error(SAMPLE_TRAINING_DATA, "supervised", "training_file") == {
        "code": "invalid_training_file",
        "message": (
            "The job failed due to an invalid training file. Invalid file format. "
            "Example 7, $.messages: missing"
        ),
        "param": "training_file",
    }


def test_without_the_package_the_fallback_checks_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ftclient.data", None)  # import fails as if absent
    assert data_problems(SAMPLE_TRAINING_DATA, "supervised") == []
    assert data_problems(b'{"messages": []}\n[1]\nnope\n', "supervised") == [
        "Example 2: not a JSON object",
        "Example 3: not valid JSON",
    ]
    assert data_problems(b'{"input": {}}\n', "dpo") == [
        "Example 1, preferred_output: missing",
        "Example 1, non_preferred_output: missing",
    ]
    assert data_problems(b"\xff\n", "supervised") == ["File: not UTF-8 text"]
