"""Valid training lines of each method, and files built from them around a line under test."""

from __future__ import annotations

import json
from typing import Any

from ftclient.data import Problem, check


def supervised(i: int) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You answer in one word."},
            {"role": "user", "content": f"Question {i}?"},
            {"role": "assistant", "content": f"Answer {i}."},
        ]
    }


def dpo(i: int) -> dict[str, Any]:
    return {
        "input": {"messages": [{"role": "user", "content": f"Greet person {i}."}]},
        "preferred_output": [{"role": "assistant", "content": f"Hello, person {i}!"}],
        "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
    }


def reinforcement(i: int) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": f"What is {i} + {i}?"}],
        "reference_answer": str(2 * i),
    }


VALID = {"supervised": supervised, "dpo": dpo, "reinforcement": reinforcement}


def jsonl(lines: list[Any]) -> bytes:
    """Lines of a file: dicts are dumped as JSON, str/bytes kept as they are."""
    out = []
    for line in lines:
        if isinstance(line, bytes):
            out.append(line)
        elif isinstance(line, str):
            out.append(line.encode())
        else:
            out.append(json.dumps(line).encode())
    return b"\n".join(out) + b"\n"


def valid_file(method: str, n: int = 12, start: int = 0) -> list[Any]:
    return [VALID[method](i) for i in range(start, start + n)]


def problems_with(bad: Any, method: str = "supervised", **kwargs: Any) -> list[Problem]:
    """The problems of a file of 12 valid lines with ``bad`` as its line 3."""
    lines = valid_file(method)
    lines.insert(2, bad)
    report = check(jsonl(lines), method=method, **kwargs)
    return list(report.problems)
