"""``ftclient data check FILE``: check a training file offline, and list its problems as a linter
does (``file:line: path: message [code]``). Exit 0 when clean, 1 when problems were found, 2 for
usage errors (a missing file, a bad option)."""

from __future__ import annotations

import argparse
from typing import Any

import attrs

from ._common import EXIT_ERROR, EXIT_OK, UsageError, hyper_value, load_json_arg
from ._output import Output

__all__ = ["add_data_parser", "cmd_data_check"]

_OPTION = {"source": "FILE", "validation": "--validation-file", "n_epochs": "--n-epochs"}


def add_data_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    json_only: list[argparse.ArgumentParser],
) -> None:
    """Add ``data check`` to the command tree (no client, no key: nothing is sent)."""
    data = sub.add_parser("data", help="training files, checked offline", parents=json_only)
    act = data.add_subparsers(dest="action", required=True, metavar="ACTION")
    text = "check a JSONL training file before a job is created (no network)"
    p = act.add_parser("check", help=text, description=text, parents=json_only)
    p.set_defaults(handler=cmd_data_check, needs_client=False)
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--method",
        choices=("supervised", "dpo", "reinforcement"),
        help="the line format (default supervised; reinforcement with --grader)",
    )
    p.add_argument("--validation-file", metavar="F", help="also check F, and for overlap")
    p.add_argument("--model", help="base model: exact tokens (ftclient[tokens]), limit, cost")
    p.add_argument("--grader", metavar="FILE.json|JSON", help="reinforcement grader")
    p.add_argument("--n-epochs", type=hyper_value(int), default="auto", metavar="N|auto")


def _report_json(report: Any) -> dict[str, Any]:
    data: dict[str, Any] = attrs.asdict(report, recurse=True)
    data["ok"] = report.ok
    if report.validation is not None:
        data["validation"] = _report_json(report.validation)
    return data


def _print(report: Any, out: Output) -> None:
    for problem in report.problems:
        where = report.name if problem.line is None else f"{report.name}:{problem.line}"
        out.line(f"{where}: {problem.path}: {problem.message} [{problem.code}]")
    if report.omitted_problems:
        out.line(f"{report.name}: ... and {report.omitted_problems:,} more problems not listed")


async def cmd_data_check(args: argparse.Namespace, out: Output) -> int:
    """``data check FILE``: print the problems, then the counts and estimates.

    Returns:
        0 when neither file has a problem, 1 otherwise.

    Raises:
        UsageError: a missing or unreadable file, a directory, or a bad option.
    """
    from .. import data
    from ..errors import InvalidParameterError

    grader = load_json_arg(args.grader, "--grader") if args.grader is not None else None
    method = args.method or ("reinforcement" if grader is not None else "supervised")
    try:
        report = data.check(
            args.file,
            method=method,
            validation=args.validation_file,
            model=args.model,
            grader=grader,
            n_epochs=args.n_epochs,
        )
    except InvalidParameterError as exc:
        raise UsageError(f"{_OPTION.get(exc.param, exc.param)}: {exc.message}") from None
    if out.json_mode:
        out.json(_report_json(report))
        return EXIT_OK if report.ok else EXIT_ERROR
    _print(report, out)
    if report.validation is not None:
        _print(report.validation, out)
    for one in (report, report.validation):
        if one is not None:
            out.line(one.headline())
            for line in one.estimates():
                out.line(f"  {line}")
    return EXIT_OK if report.ok else EXIT_ERROR
