"""Check response bodies against the OpenAPI contract with ``jsonschema`` (Draft 2020-12).

Reusable by any test::

    from tests.emulator.spec_check import assert_valid_response

    assert_valid_response("retrieveFineTuningJob", body)

The two documents the emulator serves, Fine-Tuning and Files (Files and Uploads), are read with
PyYAML from ``shared/spec/<name>.openapi.yaml`` next to the repository when present, else from
the copies bundled in the package. ``$ref``s resolve through a ``referencing`` registry holding
both documents, each under its own URI.

Three deliberate allowances: a multi grader's ``graders`` may be the name -> grader map the live
service uses (``follow_the_service``); ``FineTuningJob.status`` also accepts ``"paused"``, which
the spec's own example for ``pauseFineTuningJob`` returns although its enum omits it (pass
``allow_paused=False`` to check the enum as written); and an empty ``listFiles`` page may carry
``first_id``/``last_id`` null, as the service's other lists do, and a file ``status_details``
null, as the service sends it (the document says string for both).
downloadFile answers raw bytes, not JSON: there is nothing to validate in it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
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
    "DOCUMENTS",
    "SPEC_YAML",
    "assert_valid_response",
    "load_spec",
    "operation_ids",
    "response_errors",
    "response_schema",
]

SPEC_DIR = Path(__file__).resolve().parents[3] / "shared" / "spec"
SPEC_YAML = SPEC_DIR / "fine_tuning.openapi.yaml"
DOCUMENTS = ("fine_tuning", "files")


def _uri(document: str) -> str:
    return f"urn:ftclient:{document}-openapi"


@cache
def load_spec(document: str = "fine_tuning") -> dict[str, Any]:
    """An OpenAPI document (``fine_tuning`` or ``files``): the shared YAML when present, else
    the bundled JSON."""
    path = SPEC_DIR / f"{document}.openapi.yaml"
    if path.is_file():
        loaded: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
        return loaded
    return bundled_spec(document)


def _operations(document: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    for name in DOCUMENTS if document is None else (document,):
        for item in load_spec(name)["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    yield name, op


def operation_ids(document: str | None = None) -> list[str]:
    """Every operationId of one document, or of both."""
    return [op["operationId"] for _, op in _operations(document)]


def _find(operation_id: str) -> tuple[str, dict[str, Any]]:
    for document, op in _operations():
        if op["operationId"] == operation_id:
            schema: dict[str, Any] = op["responses"]["200"]["content"]["application/json"]["schema"]
            return document, schema
    raise KeyError(f"unknown operationId {operation_id!r}")


def response_schema(operation_id: str) -> dict[str, Any]:
    """The ``200`` ``application/json`` schema of an operation (usually a ``$ref``)."""
    return _find(operation_id)[1]


def follow_the_files_service(document: dict[str, Any]) -> dict[str, Any]:
    """Patch the Files document (a copy): an empty list page's cursors are null, and so is a
    file's ``status_details`` when there is nothing to say (the service's own list example and
    every SDK's ``status_details: Optional[str]`` show ``null``)."""
    schemas = document["components"]["schemas"]
    listing = schemas["ListFilesResponse"]["properties"]
    for name in ("first_id", "last_id"):
        listing[name] = {"anyOf": [listing[name], {"type": "null"}]}
    details = schemas["OpenAIFile"]["properties"]
    details["status_details"] = {"anyOf": [details["status_details"], {"type": "null"}]}
    return document


@cache
def _registry(allow_paused: bool) -> referencing.Registry[Any]:
    document = follow_the_service(copy.deepcopy(load_spec()))
    if allow_paused:
        status = document["components"]["schemas"]["FineTuningJob"]["properties"]["status"]
        status["enum"] = [*status["enum"], "paused"]
    files = follow_the_files_service(copy.deepcopy(load_spec("files")))
    return referencing.Registry().with_resources(
        (_uri(name), referencing.Resource.from_contents(doc, default_specification=DRAFT202012))
        for name, doc in (("fine_tuning", document), ("files", files))
    )


@cache
def _validator(operation_id: str, allow_paused: bool) -> jsonschema.Draft202012Validator:
    document, schema = _find(operation_id)
    if "$ref" in schema:
        schema = {"$ref": _uri(document) + schema["$ref"]}
    return jsonschema.Draft202012Validator(schema, registry=_registry(allow_paused))


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
