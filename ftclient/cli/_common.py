"""Shared plumbing of the CLI: its own errors, argument parsers, the client factory and the
one-line rendering of any error a command can end with."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from .. import AzureFineTuningClient, BedrockFineTuningClient, FineTuningClient
from .._checks import MAX_PAGE_SIZE
from ..errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    FTClientError,
    InvalidParameterError,
)

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "CommandFailed",
    "UsageError",
    "describe_error",
    "exit_code_for",
    "hyper_value",
    "key_value",
    "load_json_arg",
    "make_client",
    "page_size",
    "positive_int",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input found after argparse (unreadable JSON file...): exit code 2."""


class CommandFailed(Exception):
    """The command ran but its goal was not met (a waited-for job failed...): exit code 1."""


def page_size(limit: int | None) -> int | None:
    """Page size for showing at most ``limit`` items (the API sends at most 100 a page)."""
    return None if limit is None else min(limit, MAX_PAGE_SIZE)


def positive_float(text: str) -> float:
    """Parse a number > 0 (an argparse ``type=``).

    Raises:
        argparse.ArgumentTypeError: not a number, or not > 0.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """Parse an integer >= 1 (an argparse ``type=``).

    Raises:
        argparse.ArgumentTypeError: not an integer, or < 1.
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def key_value(text: str) -> tuple[str, str]:
    """Parse ``KEY=VALUE`` (an argparse ``type=``).

    Raises:
        argparse.ArgumentTypeError: no ``=`` or an empty key.
    """
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def hyper_value(kind: type[int] | type[float]) -> Callable[[str], int | float | str]:
    """An argparse ``type=`` accepting ``auto`` or a number of the given kind."""

    def parse(text: str) -> int | float | str:
        if text == "auto":
            return "auto"
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected 'auto' or {'an integer' if kind is int else 'a number'}, got {text!r}"
            ) from None

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def load_json_arg(value: str, option: str) -> Any:
    """Read a JSON argument given inline (``{...}``), as ``-`` (stdin) or as a file path.

    Raises:
        UsageError: the file cannot be read or does not hold valid JSON.
    """
    stripped = value.lstrip()
    if stripped.startswith(("{", "[")):
        source, text = "inline JSON", value
    elif value == "-":
        source, text = "stdin", sys.stdin.read()
    else:
        source = value
        try:
            text = Path(value).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{option}: cannot read {value}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{option}: {source} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})"
        ) from None


def make_client(args: argparse.Namespace) -> FineTuningClient:
    """Build a client from the global options (environment variables fill the gaps).

    Raises:
        InvalidParameterError: no API key, or a malformed option such as ``--base-url``.
    """
    kwargs: dict[str, Any] = {
        "base_url": args.base_url,
        "organization": args.organization,
        "project": args.project,
        "max_retries": args.max_retries,
    }
    if args.request_timeout is not None:
        kwargs["timeout"] = args.request_timeout
    provider = getattr(args, "provider", None) or "openai"
    if provider == "bedrock":  # the key from --api-key or AWS_BEARER_TOKEN_BEDROCK
        del kwargs["organization"], kwargs["project"]
        return BedrockFineTuningClient(api_key=args.api_key, region=args.region, **kwargs)
    if provider == "azure":  # --base-url is the resource's endpoint here
        del kwargs["organization"], kwargs["project"]
        endpoint = kwargs.pop("base_url")
        return AzureFineTuningClient(azure_endpoint=endpoint, api_key=args.api_key, **kwargs)
    return FineTuningClient(args.api_key, **kwargs)


def describe_error(exc: BaseException) -> str:
    """One line for stderr: ``404 No such job (request id req_1)``, ``connection error...``."""
    if isinstance(exc, APIStatusError):
        rid = f" (request id {exc.request_id})" if exc.request_id else ""
        message = exc.message
        if message == f"HTTP {exc.status}":  # the answer said nothing more
            message = _empty_answer(exc.status)
        return f"{exc.status} {message}{rid}"
    if isinstance(exc, APIResponseValidationError):
        rid = f" (request id {exc.request_id})" if exc.request_id else ""
        return f"unexpected response from the API at {exc.path}: {exc.message}{rid}"
    if isinstance(exc, APIConnectionError):
        return str(exc)  # the request, whether it was sent, the attempts and what to check
    if isinstance(exc, InvalidParameterError):
        if exc.param == "api_key" and exc.message.startswith("no API key"):
            return "no API key: pass --api-key or set OPENAI_API_KEY (`ftclient demo` needs none)"
        return str(exc)
    return str(exc) or type(exc).__name__


def _empty_answer(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "HTTP error"
    hint = "; is --base-url (OPENAI_BASE_URL) the API's, ending in /v1?" if status == 404 else ""
    return f"{phrase}, with no error message in the response{hint}"


def exit_code_for(exc: BaseException) -> int:
    """Exit code of a command that ended with ``exc``: 2 for usage problems, else 1."""
    if isinstance(exc, UsageError | InvalidParameterError):
        return EXIT_USAGE
    if isinstance(exc, FTClientError | CommandFailed):
        return EXIT_ERROR
    raise TypeError(f"not a CLI error: {exc!r}")  # pragma: no cover - caller filters
