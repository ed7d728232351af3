"""The OpenAPI contract, shipped with the package, and a small validator for it.

The client uses it to check request bodies before they leave (so a bad nested mapping fails with
the path of the bad field), and the emulator uses it to answer a bad request with a 400 naming the
field. It implements the subset of JSON Schema the document uses: ``$ref``, ``type``, ``enum``,
``nullable``, ``anyOf``/``oneOf``, numeric and length bounds, ``required``, ``properties``,
``additionalProperties``, ``items``, ``minItems``/``maxItems``. No I/O beyond reading the bundled
document once.

Strict only where the contract is explicit: a key that a schema does not name is refused only when
the schema says ``additionalProperties: false``; otherwise it is allowed, and its path can be
collected (the client logs them) because the service adds parameters before the document does.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from .._checks import Path, dotted

__all__ = ["Path", "SchemaViolation", "component", "dotted", "spec", "validate"]

_SPEC_DIR = pathlib.Path(__file__).parent.parent / "_spec"


class SchemaViolation(Exception):
    """An instance does not match its schema; ``path`` locates the first failing value."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{dotted(path) or '<root>'}: {message}")


@cache
def spec(document: str = "fine_tuning") -> dict[str, Any]:
    """Return a bundled OpenAPI document (each loaded once).

    Args:
        document: ``"fine_tuning"`` (the client's 13 operations) or ``"files"`` (Files and
            Uploads, which the emulator serves).
    """
    # Beside this module rather than through importlib.resources, whose import (about 1 ms) every
    # ``import ftclient`` would pay; pathlib is loaded by aiohttp already.
    text = (_SPEC_DIR / f"{document}.openapi.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def component(name: str) -> dict[str, Any]:
    """Return the component schema called ``name``, as the live service reads it.

    The Fine-Tuning document is searched first, then the Files document (their schema names
    do not overlap), so a ``$ref`` in either resolves here.
    """
    schemas = spec()["components"]["schemas"]
    if name not in schemas:
        schemas = spec("files")["components"]["schemas"]
    schema: dict[str, Any] = schemas[name]
    return _multi_grader(schema) if name == "GraderMulti" else schema


def _multi_grader(schema: dict[str, Any]) -> dict[str, Any]:
    """``GraderMulti.graders`` is a map of name -> grader for the service (spec/README.md,
    openai/openai-java#647); the schema's single grader and its example's list stay accepted."""
    one = schema["properties"]["graders"]
    # The single grader first: of equally good failures, the first branch's is reported.
    forms = [one, {"type": "object", "additionalProperties": one}, {"type": "array", "items": one}]
    return {**schema, "properties": {**schema["properties"], "graders": {"anyOf": forms}}}


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/components/schemas/"):
            raise ValueError(f"unsupported $ref {ref!r}")
        schema = component(ref.rsplit("/", 1)[1])
    return schema


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (Mapping,),
    "array": (list, tuple),
    "null": (type(None),),
}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _is_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES.get(name, ()))


def validate(
    instance: Any, schema: Mapping[str, Any], *, unknown: list[Path] | None = None
) -> None:
    """Raise :class:`SchemaViolation` for the first way ``instance`` breaks ``schema``.

    Args:
        instance: decoded JSON value (dicts, lists, str, int, float, bool, None).
        schema: a schema object from the document (``$ref`` allowed).
        unknown: if given, the path of every key that an object schema with declared
            ``properties`` does not name is appended to it (such keys are allowed unless the schema
            says ``additionalProperties: false``).
    """
    found: list[Path] = []
    _check(instance, schema, (), found)
    if unknown is not None:
        unknown.extend(found)


def _check(value: Any, schema: Mapping[str, Any], path: Path, unknown: list[Path]) -> None:
    schema = _resolve(schema)
    if value is None and schema.get("nullable"):
        return
    for key in ("anyOf", "oneOf"):
        if key in schema:
            _check_alternatives(value, schema[key], path, unknown)
    expected = schema.get("type")  # one name: the document uses no lists of types
    if expected is not None and not _is_type(value, expected):
        raise SchemaViolation(path, f"expected {expected}, got {_type_name(value)}")
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        raise SchemaViolation(path, f"must be one of {allowed}, got {value!r}")
    if _is_type(value, "number"):
        _check_number(value, schema, path)
    elif isinstance(value, str):
        _check_length(len(value), schema, "minLength", "maxLength", "characters", path)
    elif isinstance(value, Mapping):
        _check_object(value, schema, path, unknown)
    elif isinstance(value, (list, tuple)):
        _check_length(len(value), schema, "minItems", "maxItems", "items", path)
        if "items" in schema:
            for index, item in enumerate(value):
                _check(item, schema["items"], (*path, index), unknown)


def _check_number(value: float, schema: Mapping[str, Any], path: Path) -> None:
    if "minimum" in schema and value < schema["minimum"]:
        raise SchemaViolation(path, f"must be >= {schema['minimum']}, got {value}")
    if "maximum" in schema and value > schema["maximum"]:
        raise SchemaViolation(path, f"must be <= {schema['maximum']}, got {value}")
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        raise SchemaViolation(path, f"must be > {schema['exclusiveMinimum']}, got {value}")


def _check_length(
    size: int, schema: Mapping[str, Any], low_key: str, high_key: str, unit: str, path: Path
) -> None:
    if low_key in schema and size < schema[low_key]:
        raise SchemaViolation(path, f"must have at least {schema[low_key]} {unit}, got {size}")
    if high_key in schema and size > schema[high_key]:
        raise SchemaViolation(path, f"must have at most {schema[high_key]} {unit}, got {size}")


def _check_object(
    value: Mapping[str, Any], schema: Mapping[str, Any], path: Path, unknown: list[Path]
) -> None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            raise SchemaViolation((*path, name), "is required")
    extra = schema.get("additionalProperties", None if properties else True)
    for key, item in value.items():
        if not isinstance(key, str):
            raise SchemaViolation(path, f"keys must be strings, got {_type_name(key)}")
        if key in properties:
            _check(item, properties[key], (*path, key), unknown)
        elif isinstance(extra, Mapping):
            _check(item, extra, (*path, key), unknown)
        elif extra is False:
            known = ", ".join(sorted(properties))
            raise SchemaViolation((*path, key), f"unknown field (expected one of: {known})")
        elif extra is None:
            unknown.append((*path, key))


def _check_alternatives(
    value: Any, options: Sequence[Mapping[str, Any]], path: Path, unknown: list[Path]
) -> None:
    failures: list[tuple[int, SchemaViolation]] = []
    for option in options:
        branch: list[Path] = []  # only the branch that matches reports its unknown keys
        try:
            _check(value, option, path, branch)
        except SchemaViolation as exc:
            failures.append((_affinity(value, _resolve(option)), exc))
        else:
            unknown.extend(branch)
            return
    tags = [_tag(_resolve(option)) for option in options]
    if isinstance(value, Mapping) and all(tags) and not any(value.get("type") in t for t in tags):
        # A tagged union (graders, methods) and a tag none of its branches has: say so, rather
        # than report some branch's missing field.
        allowed = ", ".join(repr(tag) for t in tags for tag in t)
        raise SchemaViolation(
            (*path, "type"), f"must be one of {allowed}, got {value.get('type')!r}"
        )
    # Report the failure of the branch the caller most plausibly meant: the one whose JSON type
    # and ``type`` tag match, and among those the one that got deepest into the value.
    failures.sort(key=lambda pair: (pair[0], len(pair[1].path)), reverse=True)
    best = failures[0][1]
    if failures[0][0] == 0:
        kinds = " or ".join(sorted({_describe(_resolve(o)) for o in options}))
        raise SchemaViolation(path, f"expected {kinds}, got {_type_name(value)} {value!r:.60}")
    raise best


def _tag(option: Mapping[str, Any]) -> list[Any]:
    """The values of the ``type`` tag that a union branch accepts (empty: not tagged)."""
    return list(option.get("properties", {}).get("type", {}).get("enum", ()))


def _affinity(value: Any, option: Mapping[str, Any]) -> int:
    expected = option.get("type")
    if expected is None or _is_type(value, expected):
        score = 1
    else:
        return 0
    if isinstance(value, Mapping):
        tag = option.get("properties", {}).get("type", {})
        if "enum" in tag and value.get("type") in tag["enum"]:
            score += 2
    return score


def _describe(option: Mapping[str, Any]) -> str:
    """Name a branch whose JSON type did not match (so it has a ``type``)."""
    if "enum" in option:
        return " or ".join(repr(v) for v in option["enum"])
    tag = option.get("properties", {}).get("type", {})
    if "enum" in tag:
        return f"object with type {tag['enum'][0]!r}"
    return str(option["type"])
