"""Check response bodies against the OpenAPI contract with ``jsonschema`` (Draft 2020-12).

Reusable by any test::

    from tests.emulator.spec_check import assert_valid_response

    assert_valid_response("retrieveFineTuningJob", body)

The document is read with PyYAML from ``shared/spec/fine_tuning.openapi.yaml`` next to the
repository when present, else from the copy bundled in the package. ``$ref``s resolve through a
``referencing`` registry holding the whole document.

Two deliberate allowances: a multi grader's ``graders`` may be the name -> grader map the live
service uses (``follow_the_service``), and ``FineTuningJob.status`` also accepts ``"paused"``, which
the spec's own example for ``pauseFineTuningJob`` returns although its enum omits it (pass
``allow_paused=False`` to check the enum as written).
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import yaml
from referencing.jsonschema import DRAFT202012

from ftclient._wire.schema import spec as bundled_spec
from tests.spec.request_validator import follow_the_service

__all__ = [
    "SPEC_YAML",
    "assert_valid_response",
    "load_spec",
    "operation_ids",
    "response_errors",
    "response_schema",
]

SPEC_YAML = Path(__file__).resolve().parents[3] / "shared" / "spec" / "fine_tuning.openapi.yaml"
_URI = "urn:ftclient:fine-tuning-openapi"


@cache
def load_spec() -> dict[str, Any]:
    """The OpenAPI document: the shared YAML when present, else the bundled JSON."""
    if SPEC_YAML.is_file():
        document: dict[str, Any] = yaml.safe_load(SPEC_YAML.read_text("utf-8"))
        return document
    return bundled_spec()


def operation_ids() -> list[str]:
    """Every operationId of the document."""
    return [
        op["operationId"]
        for item in load_spec()["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]


def response_schema(operation_id: str) -> dict[str, Any]:
    """The ``200`` ``application/json`` schema of an operation (usually a ``$ref``)."""
    for item in load_spec()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                schema: dict[str, Any] = op["responses"]["200"]["content"]["application/json"][
                    "schema"
                ]
                return schema
    raise KeyError(f"unknown operationId {operation_id!r}")


@cache
def _registry(allow_paused: bool) -> referencing.Registry[Any]:
    document = follow_the_service(copy.deepcopy(load_spec()))
    if allow_paused:
        status = document["components"]["schemas"]["FineTuningJob"]["properties"]["status"]
        status["enum"] = [*status["enum"], "paused"]
    resource = referencing.Resource.from_contents(document, default_specification=DRAFT202012)
    return referencing.Registry().with_resource(_URI, resource)


@cache
def _validator(operation_id: str, allow_paused: bool) -> jsonschema.Draft202012Validator:
    ref = response_schema(operation_id)["$ref"]
    return jsonschema.Draft202012Validator({"$ref": _URI + ref}, registry=_registry(allow_paused))


def response_errors(operation_id: str, body: Any, *, allow_paused: bool = True) -> list[str]:
    """Every way ``body`` breaks the operation's response schema, as readable strings."""
    validator = _validator(operation_id, allow_paused)
    return [
        f"{error.json_path}: {error.message}"
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    ]


def assert_valid_response(operation_id: str, body: Any, *, allow_paused: bool = True) -> None:
    """Fail with every violation when ``body`` does not match the operation's response schema.

    Args:
        operation_id: e.g. ``"createFineTuningJob"``.
        body: the decoded JSON response body.
        allow_paused: accept ``"paused"`` as a job status (see the module docstring).
    """
    errors = response_errors(operation_id, body, allow_paused=allow_paused)
    assert not errors, f"{operation_id} response breaks the spec:\n  " + "\n  ".join(errors)
