"""Hypothesis: a file of valid lines, however they are built, yields no line problem; and whatever
bytes a file holds, every problem points at a line that exists (or at the whole file)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ftclient.data import DataRules, check
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
RULES = DataRules(min_examples=1)
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


json_ish = st.one_of(
    st.binary(max_size=30),
    st.builds(
        lambda lead, value, tail: lead + value + tail,
        st.sampled_from([b"", b" ", b"\t", b"\xef\xbb\xbf", b"\x00"]),
        st.sampled_from([b"{}", b'{"a": 1}', b"[1]", b'"s"', b"1", b'{"a": "\xed\xa0\x80"}']),
        st.sampled_from([b"", b" ", b"\r", b" {}", b"\x0b", b"\x00", b"}", b"\xc2\xa0"]),
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(json_ish, min_size=1, max_size=6))
def test_a_line_is_json_exactly_when_json_loads_says_so(raw_lines: list[bytes]) -> None:
    """The scan parses a plain line directly (``raw_decode``) and leaves the rest to
    ``json.loads``: no line may get another verdict than ``json.loads`` gives it."""
    lines = [line.replace(b"\n", b" ") for line in raw_lines]
    report = check(b"\n".join(lines) + b"\r\n", max_problems=100)
    flagged = {p.line for p in report.problems if p.code in ("invalid_json", "blank_line")}
    expected = set()
    for number, line in enumerate(lines, 1):
        try:
            json.loads(line + (b"\r\n" if number == len(lines) else b"\n"))
        except ValueError:
            expected.add(number)
    assert flagged == expected


role = st.sampled_from(["system", "developer", "user", "assistant", "tool", "robot", None, 3])
message_content = st.one_of(text, st.sampled_from(["", "  ", None, 5, []]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(role, message_content), min_size=1, max_size=5))
def test_a_plain_message_is_judged_as_the_full_check_judges_it(
    pairs: list[tuple[Any, Any]],
) -> None:
    """``{"role", "content"}`` messages take a short path; an unknown field sends the same
    message through every check. Both must give the same problems and tokens."""
    plain = [{"role": r, "content": c} for r, c in pairs]
    full = [{"role": r, "content": c, "x-unknown": 1} for r, c in pairs]
    reports = [check(jsonl([{"messages": m}]), rules=RULES) for m in (plain, full)]
    assert reports[0].problems == reports[1].problems
    assert reports[0].tokens == reports[1].tokens
