"""The line format of each method: what one JSON object must hold to be a training example.

- **supervised** (``FineTuneChatRequestInput``): ``messages`` with at least one assistant message
  that is trained on (``weight`` absent or 1); optional ``tools``, ``functions``,
  ``parallel_tool_calls``.
- **dpo**: ``input`` (``messages`` ending with the user's message, optional ``tools``),
  ``preferred_output`` and ``non_preferred_output``, each a list of one assistant message.
  OpenAI's DPO guide and Azure's name the two lists so; the schema's ``preferred_completion`` and
  ``non_preferred_completion`` are out of date. Only the last turn is trained.
- **reinforcement**: ``messages`` ending with the user's message (the model writes the answer),
  plus any other fields, which the grader reads as ``{{item.<field>}}``; ``messages`` and
  ``tools`` are the only reserved names (OpenAI's reinforcement fine-tuning reference; Azure's
  and Bedrock's guides say the same of the last message).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._messages import Found, Tally, check_message, check_messages, check_tools, kind

__all__ = ["FORMATS", "LineCheck"]

LineCheck = Callable[[dict[str, Any], Found, Tally, Sequence[tuple[str, ...]]], None]


def _ends_with_user(roles: list[str] | None, path: str, found: Found, why: str) -> None:
    if roles and roles[-1] and roles[-1] != "user":
        found.append(
            (
                f"{path}[{len(roles) - 1}].role",
                "role_order",
                f"the last message must be the user's, not the {roles[-1]}'s: {why}",
            )
        )


def supervised(line: dict[str, Any], found: Found, tally: Tally, _: object) -> None:
    """A supervised example: a conversation with something to learn from."""
    if "messages" not in line and "prompt" in line:
        found.append(
            (
                "$.messages",
                "missing_field",
                "prompt/completion is the legacy completions format: write the example as "
                'messages: [{"role": "user", ...}, {"role": "assistant", ...}]',
            )
        )
        return
    roles = check_messages(line.get("messages"), "$.messages", found, tally)
    check_tools(line, "$", found, tally)
    if not roles or "" in roles:
        return
    if "assistant" not in roles:
        found.append(
            (
                "$.messages",
                "no_assistant_message",
                "add the assistant's answer: supervised training learns from assistant messages",
            )
        )
    elif not tally.trained:
        found.append(
            (
                "$.messages",
                "nothing_to_learn",
                "every assistant message has weight 0, so nothing is trained: set weight 1 on one",
            )
        )


def _output(line: dict[str, Any], key: str, found: Found, tally: Tally) -> None:
    value = line.get(key)
    path = f"$.{key}"
    if value is None:
        old = key.replace("output", "completion")
        hint = f" ('{old}' is its name in an old schema: rename it)" if old in line else ""
        found.append((path, "missing_field", f"add {key}: a list of one assistant message{hint}"))
    elif not isinstance(value, list):
        found.append((path, "wrong_type", f"must be a list of one message, got {kind(value)}"))
    elif len(value) != 1:
        found.append(
            (path, "output_count", f"must hold exactly one assistant message, got {len(value)}")
        )
    else:
        role, _ = check_message(value[0], f"{path}[0]", found, tally)
        if role and role != "assistant":
            found.append(
                (
                    f"{path}[0].role",
                    "role_order",
                    f"must be the assistant's message, not the {role}'s",
                )
            )


def dpo(line: dict[str, Any], found: Found, tally: Tally, _: object) -> None:
    """A preference pair: a prompt and a preferred and a non-preferred answer to it."""
    prompt = line.get("input")
    if isinstance(prompt, dict):
        roles = check_messages(prompt.get("messages"), "$.input.messages", found, tally)
        _ends_with_user(roles, "$.input.messages", found, "the two outputs answer it")
        check_tools(prompt, "$.input", found, tally)
    elif prompt is None:
        found.append(("$.input", "missing_field", "add input: {messages: [...]}, the prompt"))
    else:
        found.append(("$.input", "wrong_type", f"must be an object, got {kind(prompt)}"))
    before = len(found)
    _output(line, "preferred_output", found, tally)
    _output(line, "non_preferred_output", found, tally)
    if len(found) == before and line["preferred_output"] == line["non_preferred_output"]:
        found.append(
            (
                "$.non_preferred_output",
                "identical_outputs",
                "the same as preferred_output: DPO learns from the difference between the two",
            )
        )


def _missing_item(line: dict[str, Any], path: tuple[str, ...]) -> int | None:
    """The index in ``path`` of the first field ``line`` lacks, or None if it has them all."""
    value: Any = line
    for index, key in enumerate(path):
        if not isinstance(value, dict) or key not in value:
            return index
        value = value[key]
    return None


def reinforcement(
    line: dict[str, Any], found: Found, tally: Tally, item_fields: Sequence[tuple[str, ...]]
) -> None:
    """A prompt for the model to answer, with every field the grader reads."""
    roles = check_messages(line.get("messages"), "$.messages", found, tally)
    _ends_with_user(roles, "$.messages", found, "the model writes the answer during training")
    check_tools(line, "$", found, tally)
    for fields in item_fields:
        missing = _missing_item(line, fields)
        if missing is not None:
            path = "$." + ".".join(fields[: missing + 1])
            found.append(
                (
                    path,
                    "missing_item_field",
                    f"the grader reads {{{{item.{'.'.join(fields)}}}}}: add {fields[missing]!r}",
                )
            )


FORMATS: dict[str, LineCheck] = {
    "supervised": supervised,
    "dpo": dpo,
    "reinforcement": reinforcement,
}
