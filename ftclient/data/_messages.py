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


def _arguments(function: dict[str, Any], path: str, found: Found) -> None:
    for key in ("name", "arguments"):
        value = function.get(key)
        if not isinstance(value, str):
            hint = " (the arguments as JSON text)" if key == "arguments" else ""
            code = "missing_field" if value is None else "wrong_type"
            found.append((f"{path}.{key}", code, f"must be a string{hint}, got {kind(value)}"))


def _tool_call(call: object, path: str, found: Found) -> None:
    """One entry of ``tool_calls``: ``{id, type: "function", function: {name, arguments}}``."""
    if not isinstance(call, dict):
        found.append((path, "wrong_type", f"a tool call is an object, got {kind(call)}"))
        return
    if call.get("type", "function") != "function":
        return  # another kind of tool call: liberal
    if not isinstance(call.get("id"), str):
        found.append(
            (f"{path}.id", "missing_field", "add the call's id (the tool message's tool_call_id)")
        )
    function = call.get("function")
    if not isinstance(function, dict):
        found.append((f"{path}.function", "missing_field", "add the function: {name, arguments}"))
        return
    _arguments(function, f"{path}.function", found)


def _calls(message: dict[str, Any], path: str, found: Found, tally: Tally) -> str | None:
    """Check an assistant's ``tool_calls``/``function_call``; return which it has."""
    calls = message.get("tool_calls")
    if calls is not None:
        if not isinstance(calls, list):
            found.append((f"{path}.tool_calls", "wrong_type", f"must be a list, got {kind(calls)}"))
            return "tool"  # blamed for its type, not also for missing content
        for index, call in enumerate(calls):
            _tool_call(call, f"{path}.tool_calls[{index}]", found)
        tally.texts.append(json.dumps(calls))
        return "tool" if calls else None
    function_call = message.get("function_call")
    if function_call is not None:
        if isinstance(function_call, dict):
            _arguments(function_call, f"{path}.function_call", found)
        else:
            found.append(
                (
                    f"{path}.function_call",
                    "wrong_type",
                    f"must be an object, got {kind(function_call)}",
                )
            )
        tally.texts.append(json.dumps(function_call))
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


def _plain(messages: list[Any]) -> tuple[list[str], list[str]] | None:
    """The roles and contents of ``messages`` when each is ``{"role": ..., "content": "text"}``
    with a role that needs nothing else, else None.

    Most conversations are only that, and none of check_message's other checks can apply to
    them: taking them here, without building a path per message, halves the time of a typical
    line (benchmarks/README.md, "data check").
    """
    roles: list[str] = []
    contents: list[str] = []
    for message in messages:
        if type(message) is not dict or len(message) != 2:
            return None
        role = message.get("role")
        content = message.get("content")
        if role not in _PLAIN_ROLES or type(content) is not str or not content.strip():
            return None
        roles.append(role)
        contents.append(content)
    return roles, contents


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
    plain = _plain(value)
    if plain is not None:
        roles, contents = plain
        tally.messages += len(roles)
        tally.texts += contents
        tally.trained += roles.count("assistant")
        return roles
    roles = []
    open_calls: str | None = None  # the calls that the next tool/function message may answer
    for index, message in enumerate(value):
        where = f"{path}[{index}]"
        role, calls = check_message(message, where, found, tally)
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
    return roles


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
        tally.texts.append(json.dumps(value))
    parallel = line.get("parallel_tool_calls")
    if parallel is not None and not isinstance(parallel, bool):
        found.append(
            (
                f"{path}.parallel_tool_calls",
                "wrong_type",
                f"must be true or false, got {kind(parallel)}",
            )
        )
