"""The fields of a training line that a reinforcement job's grader reads: every
``{{ item.<field> }}`` in the grader's templates.

OpenAI's graders guide: "Any string with {{ }} double curly braces will be substituted with the
variable value", in the namespaces ``item`` (the training line) and ``sample`` (the model's
output); nested fields are reached with a dotted path. A line that lacks a field its grader
reads cannot be graded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import attrs

from ..errors import InvalidParameterError
from ..models._base import Model

__all__ = ["item_fields"]

_ITEM = re.compile(r"\{\{\s*item\.([A-Za-z0-9_.\-]+)")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)
    elif isinstance(value, Model):
        for field in attrs.fields(type(value)):  # type: ignore[arg-type]
            yield from _strings(getattr(value, field.name))


def item_fields(grader: object) -> tuple[tuple[str, ...], ...]:
    """The ``item`` paths that ``grader`` (a dict or a ftclient.models grader) reads, in order of
    first use, each split at its dots: ``{{item.answer.text}}`` -> ``("answer", "text")``.

    Raises:
        InvalidParameterError: ``grader`` is neither a mapping nor a ftclient.models grader.
    """
    if not isinstance(grader, Mapping | Model):
        raise InvalidParameterError(
            "grader", f"must be a dict or a ftclient.models grader, got {type(grader).__name__}"
        )
    found: dict[tuple[str, ...], None] = {}
    for text in _strings(grader):
        for match in _ITEM.finditer(text):
            path = tuple(part for part in match.group(1).split(".") if part)
            if path:
                found.setdefault(path, None)
    return tuple(found)
