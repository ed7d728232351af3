"""Checks of caller input, run before any request leaves. Pure functions, no I/O.

Request bodies are checked against the bundled OpenAPI contract (strictly: a key the schema does
not name is refused, so a typo fails loudly), plus the limits the contract states only in prose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import _convert
from ._config import positive_int
from ._schema import SchemaViolation, component, dotted, validate
from .errors import InvalidParameterError

__all__ = ["check_limit", "check_metadata", "request_body"]

MAX_METADATA_KEYS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 512
# The service builds model names as ft:<model>:<org>:<suffix>:<id>; it accepts letters, digits,
# '-' and '_' in the suffix (``:`` would break the name apart).
_SUFFIX_CHARS = re.compile(r"[A-Za-z0-9_-]+")


def check_limit(limit: object, param: str = "limit") -> int | None:
    """Return ``limit`` if it is None or an integer >= 1.

    Raises:
        InvalidParameterError: anything else (bools included).
    """
    return None if limit is None else positive_int(limit, param)


def check_metadata(metadata: object, param: str = "metadata") -> None:
    """Check the documented metadata limits: 16 keys, keys <= 64 and values <= 512 characters.

    Raises:
        InvalidParameterError: naming the offending key.
    """
    if metadata is None:
        return
    if not isinstance(metadata, Mapping):
        raise InvalidParameterError(param, f"must be a mapping of str to str, got {metadata!r:.60}")
    if len(metadata) > MAX_METADATA_KEYS:
        raise InvalidParameterError(
            param, f"at most {MAX_METADATA_KEYS} keys are allowed, got {len(metadata)}"
        )
    for key, value in metadata.items():
        if not isinstance(key, str) or not key:
            raise InvalidParameterError(param, f"keys must be non-empty strings, got {key!r}")
        if len(key) > MAX_METADATA_KEY_CHARS:
            raise InvalidParameterError(
                f"{param}[{key[:20]!r}...]",
                f"keys have at most {MAX_METADATA_KEY_CHARS} characters",
            )
        if not isinstance(value, str):
            raise InvalidParameterError(f"{param}[{key!r}]", f"must be a string, got {value!r:.60}")
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise InvalidParameterError(
                f"{param}[{key!r}]",
                f"values have at most {MAX_METADATA_VALUE_CHARS} characters, got {len(value)}",
            )


def check_suffix(suffix: object) -> None:
    """Check ``suffix``: 1 to 64 characters of letters, digits, ``-`` and ``_``."""
    if suffix is None:
        return
    if isinstance(suffix, str) and 1 <= len(suffix) <= 64 and _SUFFIX_CHARS.fullmatch(suffix):
        return
    raise InvalidParameterError(
        "suffix", f"must be 1 to 64 letters, digits, '-' or '_', got {suffix!r:.80}"
    )


def request_body(schema_name: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Build and check a JSON request body from keyword arguments.

    ``None`` values are dropped (not sent); model instances are unstructured; the result is
    validated strictly against ``components.schemas[schema_name]``.

    Raises:
        InvalidParameterError: naming the path of the first bad value, e.g.
            ``method.supervised.hyperparameters.n_epochs``.
    """
    body = {
        name: _convert.unstructure(value) for name, value in fields.items() if value is not None
    }
    try:
        validate(body, component(schema_name), strict=True)
    except SchemaViolation as exc:
        raise InvalidParameterError(dotted(exc.path), exc.message) from None
    return body
