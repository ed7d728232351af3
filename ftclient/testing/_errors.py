"""The error the emulator's handlers raise, rendered in the API's error shape."""

from __future__ import annotations

from typing import Any

from ftclient._wire.schema import SchemaViolation, dotted

__all__ = ["EmulatorError", "bad_request", "from_violation", "not_found"]


class EmulatorError(Exception):
    """An API error answer: ``{"error": {"message", "type", "param", "code"}}`` with a status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code

    def body(self) -> dict[str, Any]:
        """Return the JSON error document."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def bad_request(message: str, param: str | None, code: str = "invalid_value") -> EmulatorError:
    """Build a 400 ``invalid_request_error``."""
    return EmulatorError(400, message, param=param, code=code)


def not_found(what: str, ident: str, param: str) -> EmulatorError:
    """Build a 404 naming the parameter that held the unknown id."""
    return EmulatorError(404, f"No {what} found with id {ident!r}.", param=param, code="not_found")


def from_violation(exc: SchemaViolation, prefix: str = "") -> EmulatorError:
    """Turn a schema violation into a 400 whose ``param`` is the dotted path of the bad field."""
    param = dotted(exc.path)
    if prefix:
        param = f"{prefix}.{param}" if param and not param.startswith("[") else prefix + param
    where = param or "request body"
    return bad_request(f"Invalid value for {where!r}: {exc.message}", param or None)
