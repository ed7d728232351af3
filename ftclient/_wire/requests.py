"""Request bodies, built from keyword arguments and checked against the bundled OpenAPI document.

Strict only where the contract is explicit: a typo'd enum, a number out of its stated range, a
missing required field, a wrong JSON type or a string over its stated length is refused, naming
the path (``method.supervised.hyperparameters.n_epochs: must be <= 50, got 99``). A key the
document does not name is sent as given (the service adds parameters before the document does)
and named in one DEBUG log line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .._checks import Path, dotted, json_value
from ..errors import InvalidParameterError
from . import convert
from .schema import SchemaViolation, component, validate

__all__ = ["request_body"]

logger = logging.getLogger("ftclient")


def request_body(schema_name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Build and check a JSON request body from keyword arguments.

    ``None`` values are dropped (not sent); model instances are unstructured; the result is
    validated against ``components.schemas[schema_name]``. Keys the schema does not name are kept
    and logged at DEBUG.

    Raises:
        InvalidParameterError: naming the path of the first bad value, e.g.
            ``method.supervised.hyperparameters.n_epochs``.
    """
    body = {name: convert.unstructure(value) for name, value in fields.items() if value is not None}
    json_value(body, ())
    unknown: list[Path] = []
    try:
        validate(body, component(schema_name), unknown=unknown)
    except SchemaViolation as exc:
        raise InvalidParameterError(dotted(exc.path), exc.message) from None
    if unknown:
        logger.debug(
            "sending fields that %s does not name, as given: %s",
            schema_name,
            ", ".join(dotted(path) for path in unknown),
        )
    return body
