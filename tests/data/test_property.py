"""Hypothesis: a file of valid lines, however they are built, yields no line problem; and whatever
bytes a file holds, every problem points at a line that exists (or at the whole file)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ftclient.data import check
from tests.data.lines import jsonl

text = st.text(min_size=1, max_size=40).filter(str.strip)
extra = st.dictionaries(
    st.text(min_size=1, max_size=8).filter(lambda k: k not in ("messages", "tools", "functions")),
    st.one_of(st.none(), st.integers(), text, st.lists(st.integers(), max_size=3)),
    max_size=3,
)


@st.composite
def content(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(text)
    parts = draw(st.lists(text, min_size=1, max_size=3))
    return [{"type": "text", "text": part} for part in parts]


@st.composite
def message(draw: st.DrawFn, role: str) -> dict[str, Any]:
    out: dict[str, Any] = {"role": role, "content": draw(content())}
    if draw(st.booleans()):
        out["name"] = draw(st.from_regex(r"[a-z]{1,8}", fullmatch=True))
    return out


@st.composite
def tool_round(draw: st.DrawFn) -> list[dict[str, Any]]:
    """An assistant's tool calls and the tool messages that answer them."""
    ids = draw(
        st.lists(
            st.from_regex(r"call_[a-z0-9]{1,6}", fullmatch=True),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    calls = [
        {"id": i, "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
        for i in ids
    ]
    answers = [{"role": "tool", "content": draw(text), "tool_call_id": i} for i in ids]
    return [{"role": "assistant", "tool_calls": calls}, *answers]


@st.composite
def turns(draw: st.DrawFn, *, end_with_user: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if draw(st.booleans()):
        out.append(draw(message(draw(st.sampled_from(["system", "developer"])))))
    for _ in range(draw(st.integers(1, 3))):
        out.append(draw(message("user")))
        if draw(st.booleans()):
            out += draw(tool_round())
        answer = draw(message("assistant"))
        answer["weight"] = draw(st.sampled_from([0, 1]))
        out.append(answer)
    if end_with_user:
        out.append(draw(message("user")))
    else:
        out[-1]["weight"] = 1  # something to learn
    return out


@st.composite
def supervised(draw: st.DrawFn) -> dict[str, Any]:
    line = draw(extra)
    line["messages"] = draw(turns(end_with_user=False))
    if draw(st.booleans()):
        line["tools"] = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
        line["parallel_tool_calls"] = draw(st.booleans())
    return line


@st.composite
def dpo(draw: st.DrawFn) -> dict[str, Any]:
    good, bad = draw(st.lists(text, min_size=2, max_size=2, unique=True))
    return {
        "input": {"messages": draw(turns(end_with_user=True))},
        "preferred_output": [{"role": "assistant", "content": good}],
        "non_preferred_output": [{"role": "assistant", "content": bad}],
    }


@st.composite
def reinforcement(draw: st.DrawFn) -> dict[str, Any]:
    line = draw(extra)
    line["messages"] = draw(turns(end_with_user=True))
    line["reference_answer"] = draw(text)
    return line


GRADER = {
    "type": "string_check",
    "name": "g",
    "input": "{{sample.output_text}}",
    "reference": "{{ item.reference_answer }}",
    "operation": "eq",
}
FORMATS = {"supervised": supervised(), "dpo": dpo(), "reinforcement": reinforcement()}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(FORMATS)), st.data())
def test_a_file_of_valid_lines_has_no_line_problem(method: str, data: st.DataObject) -> None:
    lines = data.draw(st.lists(FORMATS[method], min_size=1, max_size=12))
    for number, line in enumerate(lines):
        line["line_id"] = number  # distinct lines: a repeat is a problem of its own
    grader = GRADER if method == "reinforcement" else None
    report = check(jsonl(lines), method=method, grader=grader)
    assert [p for p in report.problems if p.line is not None] == []
    assert report.examples == report.lines == len(lines)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=60), max_size=15))
def test_every_problem_points_at_a_line_of_the_file(raw_lines: list[bytes]) -> None:
    data = b"\n".join(line.replace(b"\n", b" ") for line in raw_lines)
    report = check(data)
    for problem in report.problems:
        assert problem.line is None or 1 <= problem.line <= report.lines
        assert problem.path.startswith("$")
        assert problem.message
        assert problem.code
