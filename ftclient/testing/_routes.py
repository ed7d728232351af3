"""Routing built from the spec's paths, matched on the raw (still percent-encoded) path.

Matching the raw path keeps an id containing ``/`` (sent as ``%2F``) inside its segment; each
path parameter is then percent-decoded exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import attrs

from ftclient._wire.schema import spec

from ._errors import EmulatorError

__all__ = ["BASE_PATH", "DOCUMENTS", "Route", "Router", "operations"]

BASE_PATH = "/v1"
DOCUMENTS = ("fine_tuning", "files")
"""The bundled documents the emulator serves: Fine-Tuning, then Files and Uploads."""


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield ``(path template, METHOD, operation)`` for every operation the emulator serves."""
    for document in DOCUMENTS:
        for template, item in spec(document)["paths"].items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    yield template, method.upper(), op


@attrs.frozen
class Route:
    """An operation matched to a request."""

    operation_id: str
    params: dict[str, str]
    has_body: bool
    multipart: bool = False
    """The body is ``multipart/form-data`` (createFile, addUploadPart): streamed, not JSON."""


class Router:
    """Resolve ``(method, raw path)`` to an operation of the bundled spec."""

    def __init__(self) -> None:
        self._static: dict[tuple[str, str], Route] = {}
        by_template: dict[str, dict[str, Route]] = {}
        for template, method, op in operations():
            body = op.get("requestBody", {}).get("content")
            route = Route(
                op["operationId"], {}, body is not None, "multipart/form-data" in (body or {})
            )
            by_template.setdefault(template, {})[method] = route
        self._dynamic: list[tuple[re.Pattern[str], list[str], dict[str, Route]]] = []
        for template, methods in by_template.items():
            names = re.findall(r"\{([^}]+)\}", template)
            if not names:
                for method, route in methods.items():
                    self._static[(method, BASE_PATH + template)] = route
                continue
            pattern = re.escape(BASE_PATH + template)
            for name in names:
                pattern = pattern.replace(re.escape("{" + name + "}"), "([^/]+)")
            self._dynamic.append((re.compile(pattern + r"\Z"), names, methods))

    def match(self, method: str, raw_path: str) -> Route:
        """Find the operation for a request.

        Raises:
            EmulatorError: 404 ``Invalid URL`` like the service, for an unknown path or method.
        """
        static = self._static.get((method, raw_path))
        if static is not None:
            return static
        for pattern, names, methods in self._dynamic:
            found = pattern.match(raw_path)
            if found and method in methods:
                params = {
                    name: unquote(value) for name, value in zip(names, found.groups(), strict=True)
                }
                return attrs.evolve(methods[method], params=params)
        raise EmulatorError(404, f"Invalid URL ({method} {raw_path})", code="unknown_url")
