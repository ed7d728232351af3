"""Whether a job's files pass the training-data rules, and the job error the service sets if not.

The service checks a job's files while the job is ``validating_files`` and fails the job with an
``error`` object naming the file. Observed on the live service (openai-python reprs of failed
jobs, 2024-12, and the OpenAI PHP client's fixtures):

- too few examples: ``{"code": "invalid_n_examples", "param": "training_file", "message":
  "Training file has 7 example(s), but must have at least 10 examples"}``;
- a line that breaks the format: ``{"code": "invalid_training_file", "param": "training_file",
  "message": "The job failed due to an invalid training file. Invalid file format. Example 100,
  message 2 Discriminator 'role' is missing in value"}``.

The rules themselves live in ``ftclient.data`` (``check(content, method=...)``); this module only
calls it and words the result like the service.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

__all__ = [
    "MIN_EXAMPLES",
    "SAMPLE_TRAINING_DATA",
    "count_examples",
    "data_problems",
    "job_file_error",
    "made_up_id_error",
]

_NOT_JOB_FAILURES = frozenset({"too_few_examples", "duplicate_example"})
"""ftclient.data codes that do not fail a job here: the example count is checked below in the
service's own words (training files only: a validation file has no documented minimum), and a
repeated example is advice (the service trains on it; no failure for it is documented)."""

MIN_EXAMPLES = 10
"""A training file needs at least this many examples (the service's ``invalid_n_examples``)."""

SAMPLE_TRAINING_DATA = b"".join(
    json.dumps(
        {
            "messages": [
                {"role": "system", "content": "You answer arithmetic questions."},
                {"role": "user", "content": f"What is {n} + {n}?"},
                {"role": "assistant", "content": str(n + n)},
            ]
        }
    ).encode()
    + b"\n"
    for n in range(1, MIN_EXAMPLES + 1)
)
"""A valid supervised training file: 10 chat examples, one per line (JSONL)."""


def data_problems(content: bytes, method: str) -> list[str]:
    """Describe every way ``content`` breaks the training-data rules of ``method``.

    Args:
        content: the file's bytes (JSONL).
        method: ``supervised``, ``dpo`` or ``reinforcement``.

    Returns:
        One ``"Example <line>, <path>: <message>"`` per problem, in file order; empty when
        the data passes.
    """
    try:
        data = importlib.import_module("ftclient.data")
    except ModuleNotFoundError as exc:
        if exc.name != "ftclient.data":
            raise
        # FALLBACK until ftclient.data is merged: delete this branch (and _minimal_problems);
        # the line below is then the whole body.
        return _minimal_problems(content, method)
    report = data.check(content, method=method)
    return [_describe(p) for p in report.problems if p.code not in _NOT_JOB_FAILURES]


def _describe(problem: Any) -> str:
    where = "File" if problem.line is None else f"Example {problem.line}"
    if problem.path:
        where += f", {problem.path}"
    return f"{where}: {problem.message}"


def _minimal_problems(content: bytes, method: str) -> list[str]:
    """FALLBACK until ftclient.data is merged: each line a JSON object with the method's keys."""
    required = {"dpo": ("input", "preferred_output", "non_preferred_output")}.get(
        method, ("messages",)
    )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return ["File: not UTF-8 text"]
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            example = json.loads(line)
        except ValueError:
            problems.append(f"Example {number}: not valid JSON")
            continue
        if not isinstance(example, dict):
            problems.append(f"Example {number}: not a JSON object")
            continue
        problems += [f"Example {number}, {key}: missing" for key in required if key not in example]
    return problems


def count_examples(content: bytes) -> int:
    """The number of non-blank lines (each is one example)."""
    return sum(1 for line in content.splitlines() if line.strip())


def job_file_error(content: bytes, method: str, param: str) -> dict[str, Any] | None:
    """The ``error`` a job fails with at the end of ``validating_files``, or ``None``.

    The example count is checked first (training files only), then the data rules; the
    service's order when a file breaks both is not documented.

    Args:
        content: the file's bytes.
        method: the job's method type.
        param: ``training_file`` or ``validation_file``.
    """
    kind = param.split("_")[0]
    examples = count_examples(content)
    if param == "training_file" and examples < MIN_EXAMPLES:
        return {
            "code": "invalid_n_examples",
            "message": (
                f"Training file has {examples} example(s), but must have at least "
                f"{MIN_EXAMPLES} examples"
            ),
            "param": param,
        }
    problems = data_problems(content, method)
    if not problems:
        return None
    return {
        "code": f"invalid_{param}",
        "message": (
            f"The job failed due to an invalid {kind} file. Invalid file format. {problems[0]}"
        ),
        "param": param,
    }


def made_up_id_error(file_id: str, param: str) -> dict[str, Any] | None:
    """The emulator's own rule for an id that names no file (``require_files=False`` or seed
    jobs): one containing ``fail`` fails validation, any other passes."""
    if "fail" not in file_id:
        return None
    kind = param.split("_")[0]
    return {
        "code": f"invalid_{param}",
        "message": (
            f"The job failed due to an invalid {kind} file. Invalid file format in "
            f"{file_id}: line 1 is not a valid chat-formatted example."
        ),
        "param": param,
    }
