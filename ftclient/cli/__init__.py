"""The ``ftclient`` command: a stdlib-only command-line front end of the SDK.

``main(argv)`` parses the arguments, runs one command in ``asyncio.run`` and returns the exit
code: 0 on success, 1 for an API or network error (one line on stderr with the status, the
message and the request id) or a waited-for job that did not succeed, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from ..errors import FTClientError
from ._common import CommandFailed, UsageError, describe_error, exit_code_for, make_client
from ._output import Output
from ._parser import build_parser

__all__ = ["main"]

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `git log | head` leaves behind
_CLI_ERRORS = (FTClientError, UsageError, CommandFailed)


async def _run(args: argparse.Namespace, out: Output) -> int:
    if not args.needs_client:
        code: int = await args.handler(args, out)
        return code
    async with make_client(args) as client:
        code = await args.handler(client, args, out)
        return code


def _find(
    exc: BaseException, kinds: type[BaseException] | tuple[type[BaseException], ...]
) -> BaseException | None:
    """``exc`` or the first exception of ``kinds`` inside it (task groups raise groups)."""
    if isinstance(exc, kinds):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _find(inner, kinds)
            if found is not None:
                return found
    return None


def _cli_error(exc: BaseException) -> BaseException | None:
    return _find(exc, _CLI_ERRORS)


def _stdout_gone() -> int:
    # The reader went away (`ftclient jobs events --follow | head`): stop quietly, and point
    # stdout at /dev/null so that the interpreter's final flush does not complain again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass
    return EXIT_BROKEN_PIPE


def _redact(text: str, secret: str | None) -> str:
    if secret and len(secret.strip()) >= 4:
        return text.replace(secret.strip(), "***")
    return text


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # A warning is for the person at the terminal, not a Python traceback-like line with a path.
    print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ftclient`` command line.

    Args:
        argv: the arguments without the program name (default ``sys.argv[1:]``).

    Returns:
        The exit code (the console script passes it to ``sys.exit``).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    out = Output(json_mode=getattr(args, "json", False))
    secret = getattr(args, "api_key", None) or os.environ.get("OPENAI_API_KEY")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # shown to the person, never raised
            warnings.showwarning = _one_line_warning
            return asyncio.run(_run(args, out))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BaseException as exc:
        if _find(exc, BrokenPipeError) is not None:
            return _stdout_gone()
        error = _cli_error(exc)
        if error is None:
            raise
        print(f"error: {_redact(describe_error(error), secret)}", file=sys.stderr)
        return exit_code_for(error)
