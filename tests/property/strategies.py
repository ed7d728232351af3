"""Hypothesis strategies drawn from the bundled OpenAPI document.

``hypothesis-jsonschema`` 0.23.1 cannot generate objects with the installed Hypothesis (it calls
``cu.many(...).more()``, which Hypothesis 6.170 removed), so this module builds strategies for
the subset of JSON Schema the document uses: ``$ref``, ``nullable``, ``anyOf``/``oneOf``,
``enum``, ``type``, numeric and length bounds, ``properties``/``required``,
``additionalProperties`` and ``items``. Every instance is also checked by ``jsonschema`` in the
tests (``tests/spec/request_validator.validate_schema``), so this generator cannot drift into
producing invalid data unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ftclient._wire.schema import component

MAX_ITEMS = 3
# orjson (the optional fast path of ftclient's JSON decoding) reads an integer outside int64 as
# a float, so a schema-valid 2**70 would not decode as an integer field. No API sends such
# values; the generator stays inside int64 and the report notes the edge.
INT64 = 2**63
UNKNOWN_KEY = "x_field_from_the_future"

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-INT64, INT64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        schema = component(schema["$ref"].rsplit("/", 1)[1])
    return schema


def strategy(schema: Mapping[str, Any], *, open_objects: bool = True) -> st.SearchStrategy[Any]:
    """Values valid under ``schema``; ``open_objects`` sometimes adds an undeclared key."""
    schema = _resolve(schema)
    base = _strategy(schema, open_objects)
    return (base | st.none()) if schema.get("nullable") else base


def _strategy(schema: Mapping[str, Any], open_objects: bool) -> st.SearchStrategy[Any]:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([strategy(o, open_objects=open_objects) for o in schema[key]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_strategy({**schema, "type": k}, open_objects) for k in kind])
    if kind == "string":
        low = schema.get("minLength", 0)
        return st.text(min_size=low, max_size=max(low, min(schema.get("maxLength", 12), 12)))
    if kind == "integer":
        # int64, as JSON parsers (orjson) read integers; see INT64 below.
        low, high = schema.get("minimum", -INT64), schema.get("maximum", INT64 - 1)
        if "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        return st.integers(low, high)
    if kind == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        floats = st.floats(
            low if low is not None else schema.get("exclusiveMinimum"),
            high if high is not None else schema.get("exclusiveMaximum"),
            exclude_min="exclusiveMinimum" in schema,
            exclude_max="exclusiveMaximum" in schema,
            allow_nan=False,
            allow_infinity=False,
        )
        return floats
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        low = schema.get("minItems", 0)
        high = max(low, min(schema.get("maxItems", MAX_ITEMS), MAX_ITEMS))
        items = strategy(schema.get("items", {}), open_objects=open_objects)
        return st.lists(items, min_size=low, max_size=high)
    if kind == "object" or "properties" in schema:
        return _object(schema, open_objects)
    return JSON


def _object(schema: Mapping[str, Any], open_objects: bool) -> st.SearchStrategy[Any]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    extra = schema.get("additionalProperties")
    if not properties:
        values = strategy(extra, open_objects=open_objects) if isinstance(extra, Mapping) else JSON
        return st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=MAX_ITEMS)
    fields = {
        name: strategy(sub, open_objects=open_objects)
        for name, sub in properties.items()
        if name in required
    }
    optional = {
        name: strategy(sub, open_objects=open_objects)
        for name, sub in properties.items()
        if name not in required
    }
    if open_objects and extra is not False:
        optional[UNKNOWN_KEY] = JSON  # the real API adds fields; decoding must ignore them
    return st.fixed_dictionaries(fields, optional=optional)


@cache
def instances(name: str, *, open_objects: bool = True) -> st.SearchStrategy[Any]:
    """Schema-valid instances of the component called ``name``."""
    return strategy({"$ref": f"#/components/schemas/{name}"}, open_objects=open_objects)
