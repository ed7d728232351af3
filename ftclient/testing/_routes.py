"""Routing built from the spec's paths, matched on the raw (still percent-encoded) path.

Matching the raw path keeps an id containing ``/`` (sent as ``%2F``) inside its segment; each
path parameter is then percent-decoded exactly once.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import attrs

from ftclient._wire.schema import spec

from ._errors import EmulatorError

__all__ = ["BASE_PATH", "Route", "Router"]

BASE_PATH = "/v1"


@attrs.frozen
class Route:
    """An operation matched to a request."""

    operation_id: str
    params: dict[str, str]
    has_body: bool


class Router:
    """Resolve ``(method, raw path)`` to an operation of the bundled spec."""

    def __init__(self) -> None:
        self._static: dict[tuple[str, str], tuple[str, bool]] = {}
        self._dynamic: list[tuple[re.Pattern[str], list[str], dict[str, tuple[str, bool]]]] = []
        for template, item in spec()["paths"].items():
            methods = {
                method.upper(): (op["operationId"], "requestBody" in op)
                for method, op in item.items()
                if isinstance(op, dict) and "operationId" in op
            }
            names = re.findall(r"\{([^}]+)\}", template)
            if not names:
                for method, target in methods.items():
                    self._static[(method, BASE_PATH + template)] = target
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
        target = self._static.get((method, raw_path))
        if target is not None:
            return Route(target[0], {}, target[1])
        for pattern, names, methods in self._dynamic:
            found = pattern.match(raw_path)
            if found and method in methods:
                params = {
                    name: unquote(value) for name, value in zip(names, found.groups(), strict=True)
                }
                operation_id, has_body = methods[method]
                return Route(operation_id, params, has_body)
        raise EmulatorError(404, f"Invalid URL ({method} {raw_path})", code="unknown_url")
