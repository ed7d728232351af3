"""Every kind of line problem, table-style: the exact line number, JSON path, code and message.

Each case is a file of 12 valid lines of the method with the line under test as line 3, so a
test also shows that the valid lines around a bad one are never blamed.
"""

from __future__ import annotations

from typing import Any

import pytest

from ftclient.data import Problem
from tests.data.lines import problems_with

CASES = [
    pytest.param(
        "supervised",
        '{"messages": [',
        [
            (
                "$",
                "invalid_json",
                "not valid JSON (Expecting value at column 1): each line holds one JSON object",
            )
        ],
        id="not json",
    ),
    pytest.param(
        "supervised",
        b'{"messages": "cut\tshort',
        [
            (
                "$",
                "invalid_json",
                "not valid JSON (Invalid control character at column 18): each line holds one "
                "JSON object",
            )
        ],
        id="control character",
    ),
    pytest.param(
        "supervised",
        b'{"messages": "\xff"}',
        [("$", "invalid_json", "not UTF-8 text (byte 15): save the file as UTF-8")],
        id="not utf8",
    ),
    pytest.param(
        "supervised",
        "   ",
        [("$", "blank_line", "an empty line: remove it (each line holds one example)")],
        id="blank",
    ),
    pytest.param(
        "supervised",
        "[1, 2]",
        [("$", "not_object", "a line holds one JSON object, not a list")],
        id="array",
    ),
    pytest.param(
        "supervised",
        '"hello"',
        [("$", "not_object", "a line holds one JSON object, not a string")],
        id="string",
    ),
    pytest.param(
        "supervised",
        {"conversation": []},
        [("$.messages", "missing_field", "add the conversation as a list of messages")],
        id="no messages",
    ),
    pytest.param(
        "supervised",
        {"prompt": "a", "completion": "b"},
        [
            (
                "$.messages",
                "missing_field",
                "prompt/completion is the legacy completions format: write the example as "
                'messages: [{"role": "user", ...}, {"role": "assistant", ...}]',
            )
        ],
        id="legacy",
    ),
    pytest.param(
        "supervised",
        {"messages": {"role": "user"}},
        [("$.messages", "wrong_type", "must be a list of messages, got an object")],
        id="messages not list",
    ),
    pytest.param(
        "supervised",
        {"messages": []},
        [("$.messages", "empty_messages", "add at least one message")],
        id="empty messages",
    ),
    pytest.param(
        "supervised",
        {"messages": ["hi", {"role": "assistant", "content": "Hello"}]},
        [("$.messages[0]", "wrong_type", "a message is an object, got a string")],
        id="message not object",
    ),
    pytest.param(
        "supervised",
        {"messages": [{"content": "hi"}, {"role": "assistant", "content": "Hello"}]},
        [
            (
                "$.messages[0].role",
                "missing_field",
                "add a role: one of system, developer, user, assistant, tool, function",
            )
        ],
        id="no role",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "human", "content": "hi"},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [
            (
                "$.messages[0].role",
                "unknown_role",
                "unknown role 'human': use one of system, developer, user, assistant, tool, "
                "function",
            )
        ],
        id="unknown role",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "  "},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [
            (
                "$.messages[0].content",
                "empty_content",
                "empty user content: write the user's text, or remove the message",
            )
        ],
        id="empty user",
    ),
    pytest.param(
        "supervised",
        {"messages": [{"role": "user"}, {"role": "assistant", "content": "Hello"}]},
        [("$.messages[0].content", "missing_field", "add content: the user's text")],
        id="missing content",
    ),
    pytest.param(
        "supervised",
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": None}]},
        [
            (
                "$.messages[1].content",
                "empty_content",
                "empty assistant content: write the assistant's answer (or its tool_calls), or "
                "remove the message",
            )
        ],
        id="null assistant",
    ),
    pytest.param(
        "supervised",
        {"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": "Hello"}]},
        [
            (
                "$.messages[0].content",
                "wrong_type",
                "must be a string or a list of content parts, got a number",
            )
        ],
        id="content number",
    ),
    pytest.param(
        "supervised",
        {"messages": [{"role": "user", "content": []}, {"role": "assistant", "content": "Hello"}]},
        [
            (
                "$.messages[0].content",
                "empty_content",
                "empty user content: write the user's text, or remove the message",
            )
        ],
        id="empty parts",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": ["x"]},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [("$.messages[0].content[0]", "wrong_type", "a content part is an object, got a string")],
        id="part not obj",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": ""}]},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [
            (
                "$.messages[0].content",
                "empty_content",
                "empty user content: write the user's text, or remove the message",
            )
        ],
        id="text part empty",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": [{"type": "text"}]},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [("$.messages[0].content[0].text", "wrong_type", "must be a string, got null")],
        id="text part no text",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": [{"text": "x"}]},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [("$.messages[0].content[0].type", "wrong_type", "must name the part's type, got null")],
        id="part no type",
    ),
    pytest.param(
        "supervised",
        {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "Hi"}]},
        [
            (
                "$.messages",
                "no_assistant_message",
                "add the assistant's answer: supervised training learns from assistant messages",
            )
        ],
        id="no assistant",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello", "weight": 0},
            ]
        },
        [
            (
                "$.messages",
                "nothing_to_learn",
                "every assistant message has weight 0, so nothing is trained: set weight 1 on one",
            )
        ],
        id="weight 0",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello", "weight": 2},
            ]
        },
        [
            (
                "$.messages[1].weight",
                "bad_weight",
                "must be 0 (do not train on this message) or 1 (train on it), got 2",
            )
        ],
        id="weight 2",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello", "weight": True},
            ]
        },
        [
            (
                "$.messages[1].weight",
                "bad_weight",
                "must be 0 (do not train on this message) or 1 (train on it), got True",
            )
        ],
        id="weight true",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi", "name": 3},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [("$.messages[0].name", "wrong_type", "must be a string, got a number")],
        id="name number",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "tool", "content": "42", "tool_call_id": "c1"},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [
            (
                "$.messages[1].role",
                "role_order",
                "a tool message must follow the assistant message with tool_calls it answers",
            )
        ],
        id="tool without calls",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
                {"role": "tool", "content": "42"},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [
            (
                "$.messages[2].tool_call_id",
                "missing_field",
                "add the id of the assistant's tool call that this message answers",
            )
        ],
        id="tool no id",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "tool_calls": {"id": "c1"}},
            ]
        },
        [("$.messages[1].tool_calls", "wrong_type", "must be a list, got an object")],
        id="tool_calls not list",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"type": "function", "function": {"name": "f", "arguments": {}}}
                    ],
                },
            ]
        },
        [
            (
                "$.messages[1].tool_calls[0].id",
                "missing_field",
                "add the call's id (the tool message's tool_call_id)",
            ),
            (
                "$.messages[1].tool_calls[0].function.arguments",
                "wrong_type",
                "must be a string (the arguments as JSON text), got an object",
            ),
        ],
        id="tool call bad",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "tool_calls": [{"id": "c", "type": "function"}]},
            ]
        },
        [
            (
                "$.messages[1].tool_calls[0].function",
                "missing_field",
                "add the function: {name, arguments}",
            )
        ],
        id="tool call no function",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "function_call": {"name": "f"}},
            ]
        },
        [
            (
                "$.messages[1].function_call.arguments",
                "missing_field",
                "must be a string (the arguments as JSON text), got null",
            )
        ],
        id="function_call bad",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "function", "name": "f", "content": "1"},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        [
            (
                "$.messages[1].role",
                "role_order",
                "a function message must follow the assistant message with a function_call it "
                "answers",
            )
        ],
        id="function msg order",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "tools": {"type": "function"},
        },
        [("$.tools", "wrong_type", "must be a list, got an object")],
        id="tools not list",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "tools": [{"type": "function", "function": {"parameters": {}}}],
        },
        [("$.tools[0].function.name", "missing_field", "add the function's name")],
        id="tool no name",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "tools": [{"type": "function"}],
        },
        [("$.tools[0].function", "missing_field", "add the function: {name, parameters}")],
        id="tool no function",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "functions": ["f"],
        },
        [("$.functions[0]", "wrong_type", "must be an object, got a string")],
        id="functions bad",
    ),
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "parallel_tool_calls": "yes",
        },
        [("$.parallel_tool_calls", "wrong_type", "must be true or false, got a string")],
        id="parallel str",
    ),
    pytest.param(
        "dpo",
        {
            "preferred_output": [{"role": "assistant", "content": "Hello"}],
            "non_preferred_output": [{"role": "assistant", "content": "No"}],
        },
        [("$.input", "missing_field", "add input: {messages: [...]}, the prompt")],
        id="dpo no input",
    ),
    pytest.param(
        "dpo",
        {
            "input": [],
            "preferred_output": [{"role": "assistant", "content": "Hello"}],
            "non_preferred_output": [{"role": "assistant", "content": "No"}],
        },
        [("$.input", "wrong_type", "must be an object, got a list")],
        id="dpo input list",
    ),
    pytest.param(
        "dpo",
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_completion": [{"role": "assistant", "content": "Hello"}],
            "non_preferred_completion": [{"role": "assistant", "content": "No"}],
        },
        [
            (
                "$.preferred_output",
                "missing_field",
                "add preferred_output: a list of one assistant message ('preferred_completion' "
                "is its name in an old schema: rename it)",
            ),
            (
                "$.non_preferred_output",
                "missing_field",
                "add non_preferred_output: a list of one assistant message "
                "('non_preferred_completion' is its name in an old schema: rename it)",
            ),
        ],
        id="dpo old names",
    ),
    pytest.param(
        "dpo",
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_output": [
                {"role": "assistant", "content": "Hello"},
                {"role": "assistant", "content": "Hello"},
            ],
            "non_preferred_output": [{"role": "assistant", "content": "No"}],
        },
        [("$.preferred_output", "output_count", "must hold exactly one assistant message, got 2")],
        id="dpo two outputs",
    ),
    pytest.param(
        "dpo",
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_output": {"role": "assistant", "content": "Hello"},
            "non_preferred_output": [{"role": "assistant", "content": "No"}],
        },
        [("$.preferred_output", "wrong_type", "must be a list of one message, got an object")],
        id="dpo output dict",
    ),
    pytest.param(
        "dpo",
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_output": [{"role": "user", "content": "Hi"}],
            "non_preferred_output": [{"role": "assistant", "content": "No"}],
        },
        [
            (
                "$.preferred_output[0].role",
                "role_order",
                "must be the assistant's message, not the user's",
            )
        ],
        id="dpo output user",
    ),
    pytest.param(
        "dpo",
        {
            "input": {
                "messages": [
                    {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello"},
                ]
            },
            "preferred_output": [{"role": "assistant", "content": "Hello"}],
            "non_preferred_output": [{"role": "assistant", "content": "No"}],
        },
        [
            (
                "$.input.messages[1].role",
                "role_order",
                "the last message must be the user's, not the assistant's: the two outputs "
                "answer it",
            )
        ],
        id="dpo ends with assistant",
    ),
    pytest.param(
        "dpo",
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello"}],
            "non_preferred_output": [{"role": "assistant", "content": "Hello"}],
        },
        [
            (
                "$.non_preferred_output",
                "identical_outputs",
                "the same as preferred_output: DPO learns from the difference between the two",
            )
        ],
        id="dpo identical",
    ),
    pytest.param(
        "dpo",
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_output": [{"role": "assistant", "content": ""}],
            "non_preferred_output": [{"role": "assistant", "content": "Hello"}],
        },
        [
            (
                "$.preferred_output[0].content",
                "empty_content",
                "empty assistant content: write the assistant's answer (or its tool_calls), or "
                "remove the message",
            )
        ],
        id="dpo empty preferred",
    ),
    pytest.param(
        "reinforcement",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ],
            "reference_answer": "x",
        },
        [
            (
                "$.messages[1].role",
                "role_order",
                "the last message must be the user's, not the assistant's: the model writes the "
                "answer during training",
            )
        ],
        id="rft ends with assistant",
    ),
    pytest.param(
        "reinforcement",
        {"reference_answer": "x"},
        [("$.messages", "missing_field", "add the conversation as a list of messages")],
        id="rft no messages",
    ),
]


@pytest.mark.parametrize(("method", "line", "expected"), CASES)
def test_a_bad_line_is_named_with_its_path_and_what_to_change(
    method: str, line: Any, expected: list[tuple[str, str, str]]
) -> None:
    assert problems_with(line, method) == [
        Problem(line=3, path=path, code=code, message=message) for path, code, message in expected
    ]


GRADER = {
    "type": "string_check",
    "name": "exact",
    "input": "{{ sample.output_text }}",
    "reference": "{{ item.reference_answer }}",
    "operation": "eq",
}


def test_a_line_without_a_field_the_grader_reads_is_named() -> None:
    line = {"messages": [{"role": "user", "content": "1 + 1?"}], "answer": "2"}
    assert problems_with(line, "reinforcement", grader=GRADER) == [
        Problem(
            line=3,
            path="$.reference_answer",
            code="missing_item_field",
            message="the grader reads {{item.reference_answer}}: add 'reference_answer'",
        )
    ]


def test_nested_item_fields_are_followed_into_the_line() -> None:
    grader = {
        "type": "score_model",
        "name": "judge",
        "model": "o3-mini",
        "input": [{"role": "user", "content": "Level {{item.meta.level}}: {{ item.meta.level }}"}],
    }
    lines = [
        {"messages": [{"role": "user", "content": f"q{i}"}], "meta": {"level": i}}
        for i in range(12)
    ]
    lines[4] = {"messages": [{"role": "user", "content": "q"}], "meta": {"lvl": 1}}
    lines[7] = {"messages": [{"role": "user", "content": "q"}], "meta": "high"}
    from ftclient.data import check
    from tests.data.lines import jsonl

    report = check(jsonl(lines), method="reinforcement", grader=grader)
    assert report.problems == (
        Problem(
            line=5,
            path="$.meta.level",
            code="missing_item_field",
            message="the grader reads {{item.meta.level}}: add 'level'",
        ),
        Problem(
            line=8,
            path="$.meta.level",
            code="missing_item_field",
            message="the grader reads {{item.meta.level}}: add 'level'",
        ),
    )


def test_a_grader_model_is_read_like_its_dict() -> None:
    from ftclient.models import GraderMulti, GraderStringCheck

    grader = GraderMulti(
        name="multi",
        graders={
            "a": GraderStringCheck(
                name="a", input="{{sample.output_text}}", reference="{{item.reference_answer}}"
            )
        },
        calculate_output="a",
    )
    line = {"messages": [{"role": "user", "content": "1 + 1?"}]}
    problems = problems_with(line, "reinforcement", grader=grader)
    assert [(p.line, p.path, p.code) for p in problems] == [
        (3, "$.reference_answer", "missing_item_field")
    ]


VALID_EXTRAS = [
    pytest.param(
        "supervised",
        {
            "messages": [
                {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]},
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        },
                        {
                            "id": "c2",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        },
                    ],
                },
                {"role": "tool", "content": "1", "tool_call_id": "c1"},
                {"role": "tool", "content": "2", "tool_call_id": "c2"},
                {"role": "assistant", "content": "Done.", "weight": 1, "refusal": None},
                {"role": "user", "content": "Thanks", "name": "ann"},
                {"role": "assistant", "function_call": {"name": "g", "arguments": "{}"}},
                {"role": "function", "name": "g", "content": "ok"},
                {
                    "role": "assistant",
                    "content": [{"type": "refusal", "refusal": "No."}],
                    "weight": 0,
                },
            ],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            "parallel_tool_calls": False,
            "functions": [{"name": "g"}],
            "metadata": {"unknown": "fields are not problems"},
        },
        id="supervised with tools, functions, parts and weights",
    ),
    pytest.param(
        "dpo",
        {
            "input": {
                "messages": [
                    {"role": "system", "content": "Be kind."},
                    {"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": "Hello"},
                    {"role": "user", "content": "Bye"},
                ],
                "tools": [],
                "parallel_tool_calls": True,
            },
            "preferred_output": [{"role": "assistant", "content": "Goodbye!"}],
            "non_preferred_output": [{"role": "assistant", "content": "Whatever."}],
        },
        id="dpo with a multi-turn prompt",
    ),
    pytest.param(
        "reinforcement",
        {
            "messages": [
                {"role": "developer", "content": "Answer with a number."},
                {"role": "user", "content": "2 + 2?"},
            ],
            "reference_answer": "4",
            "tools": [{"type": "custom", "custom": {}}],
        },
        id="reinforcement with extra fields",
    ),
]


@pytest.mark.parametrize(("method", "line"), VALID_EXTRAS)
def test_valid_lines_of_every_shape_are_not_blamed(method: str, line: dict[str, Any]) -> None:
    assert problems_with(line, method) == []
