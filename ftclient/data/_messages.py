"""The checks of chat messages, tools and tool calls that every method's line format shares.

The shapes are those of ``training_data.schemas.yaml`` (``FineTuneChatRequestInput`` and the
messages it refers to): a message has a ``role``; system, developer, user and tool messages need
``content`` (a string or a list of content parts), an assistant message needs ``content`` unless
it calls a tool, and may carry ``weight`` 0 or 1; a tool message answers an assistant's
``tool_calls`` with its ``tool_call_id``. Fields this module does not know are left alone.

Each check appends ``(path, code, message)`` to ``found`` and the texts that count as tokens to
``tally.texts``.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

__all__ = ["Found", "Tally", "check_messages", "check_tools", "kind"]

Found = list[tuple[str, str, str]]

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
_ROLE_SET = frozenset(ROLES)
_ROLE_LIST = ", ".join(ROLES)
_PLAIN_ROLES = frozenset(("system", "developer", "user", "assistant"))  # content alone suffices


class Tally:
    """What one example holds for the token count."""

    __slots__ = ("messages", "names", "texts", "trained")

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.messages = 0
        self.names = 0
        self.trained = 0  # assistant messages trained on (weight absent or 1)


def kind(value: object) -> str:
    """The JSON type of ``value`` as a message says it: ``a string``, ``null``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return "a list" if isinstance(value, list) else "an object"


def _text(part: dict[str, Any], key: str, path: str, found: Found, tally: Tally) -> bool:
    text = part.get(key)
    if not isinstance(text, str):
        found.append((f"{path}.{key}", "wrong_type", f"must be a string, got {kind(text)}"))
        return True  # blamed once already: not empty as well
    if text.strip():
        tally.texts.append(text)
        return True
    return False


def _content(value: object, path: str, found: Found, tally: Tally) -> bool:
    """True when ``value`` holds something to read (or is already blamed for its type)."""
    if isinstance(value, str):
        if value.strip():
            tally.texts.append(value)
            return True
        return False
    if value is None:
        return False
    if not isinstance(value, list):
        found.append(
            (path, "wrong_type", f"must be a string or a list of content parts, got {kind(value)}")
        )
        return True
    readable = False
    for index, part in enumerate(value):
        where = f"{path}[{index}]"
        if not isinstance(part, dict):
            found.append((where, "wrong_type", f"a content part is an object, got {kind(part)}"))
            readable = True
            continue
        part_type = part.get("type")
        if part_type in ("text", "refusal"):
            readable = _text(part, part_type, where, found, tally) or readable
        elif isinstance(part_type, str):
            readable = True  # an image, audio or file part: something to read, not counted
        else:
            found.append(
                (f"{where}.type", "wrong_type", f"must name the part's type, got {kind(part_type)}")
            )
            readable = True
    return readable


def _arguments(function: dict[str, Any], path: str, found: Found, tally: Tally) -> None:
    for key in ("name", "arguments"):
        value = function.get(key)
        if isinstance(value, str):
            tally.texts.append(value)  # what the model writes: the tokens of the call
        else:
            hint = " (the arguments as JSON text)" if key == "arguments" else ""
            code = "missing_field" if value is None else "wrong_type"
            found.append((f"{path}.{key}", code, f"must be a string{hint}, got {kind(value)}"))


def _tool_call(call: object, path: str, found: Found, tally: Tally) -> None:
    """One entry of ``tool_calls``: ``{id, type: "function", function: {name, arguments}}``."""
    if not isinstance(call, dict):
        found.append((path, "wrong_type", f"a tool call is an object, got {kind(call)}"))
        return
    if call.get("type", "function") != "function":
        tally.texts.append(json.dumps(call))  # another kind of tool call: liberal, counted whole
        return
    if not isinstance(call.get("id"), str):
        found.append(
            (f"{path}.id", "missing_field", "add the call's id (the tool message's tool_call_id)")
        )
    function = call.get("function")
    if not isinstance(function, dict):
        found.append((f"{path}.function", "missing_field", "add the function: {name, arguments}"))
        return
    _arguments(function, f"{path}.function", found, tally)


def _calls(message: dict[str, Any], path: str, found: Found, tally: Tally) -> str | None:
    """Check an assistant's ``tool_calls``/``function_call``; return which it has."""
    calls = message.get("tool_calls")
    if calls is not None:
        if not isinstance(calls, list):
            found.append((f"{path}.tool_calls", "wrong_type", f"must be a list, got {kind(calls)}"))
            return "tool"  # blamed for its type, not also for missing content
        for index, call in enumerate(calls):
            _tool_call(call, f"{path}.tool_calls[{index}]", found, tally)
        return "tool" if calls else None
    function_call = message.get("function_call")
    if function_call is not None:
        if isinstance(function_call, dict):
            _arguments(function_call, f"{path}.function_call", found, tally)
        else:
            found.append(
                (
                    f"{path}.function_call",
                    "wrong_type",
                    f"must be an object, got {kind(function_call)}",
                )
            )
        return "function"
    return None


def _weight(message: dict[str, Any], path: str, found: Found, tally: Tally) -> None:
    weight = message.get("weight", 1)
    if type(weight) is not int or weight not in (0, 1):
        tally.trained += 1  # blamed for its weight, not also for having nothing to learn
        found.append(
            (
                f"{path}.weight",
                "bad_weight",
                f"must be 0 (do not train on this message) or 1 (train on it), got {weight!r}",
            )
        )
    elif weight:
        tally.trained += 1


def check_message(message: object, path: str, found: Found, tally: Tally) -> tuple[str, str | None]:
    """Check one message; return its role (``""`` if it has none) and the calls it makes."""
    if not isinstance(message, dict):
        found.append((path, "wrong_type", f"a message is an object, got {kind(message)}"))
        return "", None
    role = message.get("role")
    if role not in _ROLE_SET:
        if role is None:
            found.append((f"{path}.role", "missing_field", f"add a role: one of {_ROLE_LIST}"))
        else:
            found.append(
                (f"{path}.role", "unknown_role", f"unknown role {role!r}: use one of {_ROLE_LIST}")
            )
        return "", None
    tally.messages += 1
    name = message.get("name")
    if name is not None:
        if isinstance(name, str):
            tally.names += 1
            tally.texts.append(name)
        else:
            found.append((f"{path}.name", "wrong_type", f"must be a string, got {kind(name)}"))
    calls = _calls(message, path, found, tally) if role == "assistant" else None
    readable = _content(message.get("content"), f"{path}.content", found, tally)
    if role == "assistant":
        _weight(message, path, found, tally)
    if not readable and calls is None:
        _empty(message, role, path, found)
    if role == "tool" and not isinstance(message.get("tool_call_id"), str):
        found.append(
            (
                f"{path}.tool_call_id",
                "missing_field",
                "add the id of the assistant's tool call that this message answers",
            )
        )
    return role, calls


def _empty(message: dict[str, Any], role: str, path: str, found: Found) -> None:
    if role == "assistant":
        what = "the assistant's answer (or its tool_calls)"
    else:
        what = f"the {role}'s {'result' if role in ('tool', 'function') else 'text'}"
    if "content" not in message:
        found.append((f"{path}.content", "missing_field", f"add content: {what}"))
    else:
        found.append(
            (
                f"{path}.content",
                "empty_content",
                f"empty {role} content: write {what}, or remove the message",
            )
        )


def _plain_run(messages: list[Any], start: int, roles: list[str], tally: Tally) -> int:
    """Take the messages from ``start`` on that are ``{"role": ..., "content": "text"}`` with a
    role that needs nothing else; return the index of the first one that is not.

    Most messages are only that, and none of check_message's other checks can apply to them:
    taking them here, without building a path per message, halves the time of a typical line
    (benchmarks/README.md, "data check").
    """
    texts = tally.texts
    index = start
    for message in islice(messages, start, None):
        try:  # KeyError, or TypeError for a message or a role of another type
            role = message["role"]
            content = message["content"]
            plain = len(message) == 2 and role in _PLAIN_ROLES and content.strip()
        except (KeyError, TypeError, AttributeError):  # AttributeError: content is not text
            break
        if not plain:
            break
        roles.append(role)
        texts.append(content)
        if role == "assistant":
            tally.trained += 1
        index += 1
    tally.messages += index - start
    return index


def check_messages(value: object, path: str, found: Found, tally: Tally) -> list[str] | None:
    """Check a ``messages`` list; return the roles in order (None if it is not a list)."""
    if not isinstance(value, list):
        if value is None:
            found.append((path, "missing_field", "add the conversation as a list of messages"))
        else:
            found.append((path, "wrong_type", f"must be a list of messages, got {kind(value)}"))
        return None
    if not value:
        found.append((path, "empty_messages", "add at least one message"))
        return []
    roles: list[str] = []
    open_calls: str | None = None  # the calls that the next tool/function message may answer
    index = _plain_run(value, 0, roles, tally)
    while index < len(value):
        where = f"{path}[{index}]"
        role, calls = check_message(value[index], where, found, tally)
        if role in ("tool", "function") and open_calls != role:
            asker = "tool_calls" if role == "tool" else "a function_call"
            found.append(
                (
                    f"{where}.role",
                    "role_order",
                    f"a {role} message must follow the assistant message with {asker} it answers",
                )
            )
        # Several tool messages may answer one assistant's tool_calls; one function message
        # answers a function_call.
        if calls is not None:
            open_calls = calls
        elif not (role == "tool" and open_calls == "tool"):
            open_calls = None
        roles.append(role)
        after = _plain_run(value, index + 1, roles, tally)
        if after > index + 1:
            open_calls = None  # a plain message answers no call
        index = after
    return roles


class _LastText:
    """The JSON text of tool definitions, counted as tokens. A file usually repeats the same
    definitions on every line: the last ones are remembered, since comparing them costs a tenth
    of encoding them again. (Definitions equal by ``==`` but not in JSON, ``1`` and ``1.0`` deep
    inside, share a text: a character or two in a count that is approximate anyway.)"""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[object, str] = (None, "null")

    def __call__(self, value: object) -> str:
        last = self._last  # one read: another thread may replace it meanwhile
        if type(value) is type(last[0]) and value == last[0]:
            return last[1]
        text = json.dumps(value)
        self._last = (value, text)
        return text


_TOOL_TEXT = _LastText()


def check_tools(line: dict[str, Any], path: str, found: Found, tally: Tally) -> None:
    """Check the optional ``tools``, ``functions`` and ``parallel_tool_calls`` of ``line``."""
    for key in ("tools", "functions"):
        value = line.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            found.append((f"{path}.{key}", "wrong_type", f"must be a list, got {kind(value)}"))
            continue
        for index, tool in enumerate(value):
            where = f"{path}.{key}[{index}]"
            if not isinstance(tool, dict):
                found.append((where, "wrong_type", f"must be an object, got {kind(tool)}"))
                continue
            if key == "tools":
                if tool.get("type", "function") != "function":
                    continue  # another kind of tool: liberal
                tool, where = tool.get("function"), f"{where}.function"
                if not isinstance(tool, dict):
                    found.append((where, "missing_field", "add the function: {name, parameters}"))
                    continue
            if not isinstance(tool.get("name"), str) or not tool["name"]:
                found.append((f"{where}.name", "missing_field", "add the function's name"))
        tally.texts.append(_TOOL_TEXT(value))
    parallel = line.get("parallel_tool_calls")
    if parallel is not None and not isinstance(parallel, bool):
        found.append(
            (
                f"{path}.parallel_tool_calls",
                "wrong_type",
                f"must be true or false, got {kind(parallel)}",
            )
        )
