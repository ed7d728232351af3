"""Validates HTTP requests against the OpenAPI document with jsonschema (an independent check).

The package has its own small validator; this one uses the established ``jsonschema`` library so
that a bug in ours cannot hide a non-conforming request.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import referencing
import referencing.jsonschema

SHARED_SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "fine_tuning.openapi.yaml"
PACKAGE_SPEC = (
    Path(__file__).resolve().parents[2] / "ftclient" / "_spec" / "fine_tuning.openapi.json"
)


@cache
def load_spec() -> dict[str, Any]:
    """The contract: the shared YAML when it sits beside the repo, else the package's JSON copy."""
    if SHARED_SPEC.exists():
        import yaml

        return dict(yaml.safe_load(SHARED_SPEC.read_text(encoding="utf-8")))
    return dict(json.loads(PACKAGE_SPEC.read_text(encoding="utf-8")))


def _nullable_to_type(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` means "or null"; jsonschema does not know it."""
    if isinstance(node, dict):
        out = {k: _nullable_to_type(v) for k, v in node.items()}
        if out.pop("nullable", False):
            return {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_nullable_to_type(v) for v in node]
    return node


def follow_the_service(doc: dict[str, Any]) -> dict[str, Any]:
    """Patch ``doc`` (a copy) where the live service is known to differ (spec/README.md).

    A multi grader's ``graders`` is a name -> grader map; the schema's single grader and the
    example's list stay valid. A reinforcement method may also take Amazon Bedrock's lambda
    grader, ``{"type": "lambda", "lambda": {"function": ARN}}`` (Bedrock's LambdaGraderConfig:
    an ARN of 1 to 512 characters), written here from Bedrock's documentation, not from ftclient.
    """
    schemas = doc["components"]["schemas"]
    multi = schemas["GraderMulti"]["properties"]
    one = multi["graders"]
    forms = [{"type": "object", "additionalProperties": one}, one, {"type": "array", "items": one}]
    multi["graders"] = {"anyOf": forms}
    schemas["GraderLambda"] = {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["lambda"]},
            "name": {"type": "string"},
            "lambda": {
                "type": "object",
                "properties": {"function": {"type": "string", "minLength": 1, "maxLength": 512}},
                "required": ["function"],
            },
        },
        "required": ["type", "lambda"],
    }
    grader = schemas["FineTuneReinforcementMethod"]["properties"]["grader"]
    grader["oneOf"] = [*grader["oneOf"], {"$ref": "#/components/schemas/GraderLambda"}]
    return doc


@cache
def _registry() -> referencing.Registry[Any]:
    doc = follow_the_service(_nullable_to_type(copy.deepcopy(load_spec())))
    resource = referencing.Resource.from_contents(
        doc, default_specification=referencing.jsonschema.DRAFT202012
    )
    return referencing.Registry().with_resource("urn:spec", resource)


def validate_schema(instance: Any, schema: Mapping[str, Any]) -> list[str]:
    """Errors of ``instance`` against ``schema`` (refs point into the document)."""
    schema = _nullable_to_type(copy.deepcopy(dict(schema)))
    schema = json.loads(json.dumps(schema).replace('"#/components/', '"urn:spec#/components/'))
    validator = jsonschema.Draft202012Validator(schema, registry=_registry())
    return [
        f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


@cache
def _routes() -> list[tuple[re.Pattern[str], str, str, dict[str, Any], dict[str, Any]]]:
    spec = load_spec()
    routes = []
    for template, item in spec["paths"].items():
        pattern = re.compile("^/v1" + re.sub(r"\{[^}]+\}", "([^/]+)", template) + "$")
        for method, op in item.items():
            routes.append((pattern, method.upper(), template, op, item))
    return routes


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The operationId and operation object serving ``method path`` (path under /v1)."""
    for pattern, op_method, _template, op, _item in _routes():
        if op_method == method.upper() and pattern.match(path):
            return op["operationId"], op
    return None


def validate_request(
    method: str,
    raw_path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
) -> list[str]:
    """Every way the request breaks the contract (empty list when it conforms)."""
    found = operation_for(method, raw_path.split("?", 1)[0])
    if found is None:
        return [f"{method} {raw_path}: no such operation in the document"]
    op_id, op = found
    problems: list[str] = []
    lower = {k.lower(): v for k, v in headers.items()}
    if not lower.get("authorization", "").startswith("Bearer "):
        problems.append(f"{op_id}: missing bearer authorization")
    params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    for name, value in query:
        base = name.split("[", 1)[0]
        param = params.get(base)
        if param is None:
            problems.append(f"{op_id}: undeclared query parameter {name!r}")
            continue
        if param.get("style") == "deepObject":
            if name == base and value != "null":
                problems.append(f"{op_id}: {name} must be metadata[k]=v or metadata=null")
            continue
        schema = param["schema"]
        decoded: Any = value
        if schema.get("type") == "integer":
            if not re.fullmatch(r"-?\d+", value):
                problems.append(f"{op_id}: query {name}={value!r} is not an integer")
                continue
            decoded = int(value)
        problems += [f"{op_id}: query {name}: {e}" for e in validate_schema(decoded, schema)]
    for segment in raw_path.split("/"):
        if not unquote(segment) and segment != "":
            problems.append(f"{op_id}: empty path segment")
    request_body = op.get("requestBody")
    if request_body is not None:
        if not lower.get("content-type", "").startswith("application/json"):
            problems.append(f"{op_id}: body sent without a JSON content-type")
        try:
            instance = json.loads(body)
        except ValueError:
            return [*problems, f"{op_id}: body is not JSON"]
        schema = request_body["content"]["application/json"]["schema"]
        problems += [f"{op_id}: body {e}" for e in validate_schema(instance, schema)]
    elif body:
        problems.append(f"{op_id}: unexpected body")
    return problems
