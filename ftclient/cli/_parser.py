"""The argparse tree of ``ftclient``: every command, its options and its handler."""

from __future__ import annotations

import argparse
from typing import NoReturn

from .._version import __version__
from . import _archive, _files, _fleet, _jobs, _metrics, _resources
from ._common import hyper_value, key_value, positive_float, positive_int
from ._data import add_data_parser
from ._demo import add_demo_parser
from ._serve import add_serve_parser

__all__ = ["build_parser"]

DESCRIPTION = """\
Command-line front end of ftclient, for the OpenAI Fine-Tuning API.

Configuration comes from the options below or the environment: OPENAI_API_KEY,
OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID. Try `ftclient demo` (no key needed)."""

EPILOG = """\
examples:
  ftclient jobs create --model gpt-4o-mini --training-file file-abc --n-epochs 3
  ftclient jobs wait ftjob-abc
  ftclient jobs metrics ftjob-abc --plot curve.png
  ftclient files upload train.jsonl
  ftclient --json jobs list --limit 5
  ftclient serve --port 8080          # a local emulator for other programs
  ftclient data check train.jsonl     # problems in a training file, offline
exit status: 0 success, 1 API/network error or failed job, 2 usage error."""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line and a hint, rather than the whole usage block first."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def _non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _json_only(parser: argparse.ArgumentParser) -> None:
    parser.add_argument_group("global options").add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON instead of text"
    )


def _globals(parser: argparse.ArgumentParser, *, nested: bool, timeout: bool = True) -> None:
    # Nested copies default to SUPPRESS so that an option given before the command is not reset
    # by the command's own (absent) copy; this lets global options go anywhere on the line.
    def default(value: object) -> object:
        return argparse.SUPPRESS if nested else value

    group = parser.add_argument_group("global options")
    group.add_argument("--api-key", default=default(None), help="API key (env OPENAI_API_KEY)")
    group.add_argument(
        "--base-url", default=default(None), help="API base URL (env OPENAI_BASE_URL)"
    )
    group.add_argument("--organization", default=default(None), help="env OPENAI_ORG_ID")
    group.add_argument("--project", default=default(None), help="env OPENAI_PROJECT_ID")
    if timeout:
        group.add_argument(
            "--timeout",
            dest="request_timeout",
            type=float,
            default=default(None),
            metavar="S",
            help="seconds allowed per request (default 600)",
        )
    group.add_argument(
        "--max-retries", type=int, default=default(None), metavar="N", help="default 2"
    )
    group.add_argument(
        "--json", action="store_true", default=default(False), help="print JSON instead of text"
    )


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: object,
    *,
    parents: list[argparse.ArgumentParser],
    needs_client: bool = True,
) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text, parents=parents)
    parser.set_defaults(handler=handler, needs_client=needs_client)
    return parser


def _add_jobs(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
    no_timeout: list[argparse.ArgumentParser],
) -> None:
    jobs = sub.add_parser("jobs", help="fine-tuning jobs", parents=common)
    act = jobs.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = _command(act, "list", "list jobs, newest first", _jobs.cmd_list, parents=common)
    p.add_argument(
        "--limit", type=positive_int, default=20, metavar="N", help="at most N jobs (20)"
    )
    meta = p.add_mutually_exclusive_group()
    meta.add_argument(
        "--metadata", type=key_value, action="append", metavar="K=V", help="filter (repeatable)"
    )
    meta.add_argument("--no-metadata", action="store_true", help="only jobs without metadata")
    p.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help="only jobs in this status (repeatable: --status failed --status cancelled)",
    )

    p = _command(act, "get", "show one job", _jobs.cmd_get, parents=common)
    p.add_argument("job", metavar="JOB")

    p = _command(act, "create", "create a fine-tuning job", _jobs.cmd_create, parents=common)
    p.add_argument("--model", required=True, type=_non_empty, help="base model, e.g. gpt-4o-mini")
    p.add_argument("--training-file", required=True, type=_non_empty, metavar="FILE_ID")
    p.add_argument("--validation-file", metavar="FILE_ID")
    p.add_argument("--suffix", help="up to 64 characters added to the model name")
    p.add_argument("--seed", type=int)
    p.add_argument("--method", choices=("supervised", "dpo", "reinforcement"))
    p.add_argument("--n-epochs", type=hyper_value(int), metavar="N|auto")
    p.add_argument("--batch-size", type=hyper_value(int), metavar="N|auto")
    p.add_argument("--learning-rate-multiplier", type=hyper_value(float), metavar="X|auto")
    p.add_argument("--beta", type=hyper_value(float), metavar="X|auto", help="dpo only")
    p.add_argument(
        "--grader", metavar="FILE.json|JSON", help="reinforcement grader (file or inline JSON)"
    )
    p.add_argument("--metadata", type=key_value, action="append", metavar="K=V")
    p.add_argument(
        "--no-deduplicate",
        action="store_true",
        help="do not tag the job with ftclient_idempotency_key (then no retry after a lost answer)",
    )

    for name, handler in (
        ("cancel", _jobs.cmd_cancel),
        ("pause", _jobs.cmd_pause),
        ("resume", _jobs.cmd_resume),
    ):
        p = _command(act, name, f"{name} a job", handler, parents=common)
        p.add_argument("job", metavar="JOB")

    p = _command(
        act,
        "wait",
        "wait until a job finishes (exit 1 unless it succeeded)",
        _jobs.cmd_wait,
        parents=no_timeout,
    )
    p.add_argument("job", metavar="JOB")
    p.add_argument(
        "--poll-interval", type=positive_float, default=5.0, metavar="S", help="default 5"
    )
    p.add_argument(
        "--timeout", dest="wait_timeout", type=positive_float, metavar="S", help="give up after S s"
    )

    p = _command(
        act, "events", "show a job's events, oldest first", _jobs.cmd_events, parents=common
    )
    p.add_argument("job", metavar="JOB")
    p.add_argument(
        "--limit", type=positive_int, default=20, metavar="N", help="latest N events (20)"
    )
    p.add_argument("--follow", "-f", action="store_true", help="keep printing new events")
    p.add_argument(
        "--poll-interval", type=positive_float, default=2.0, metavar="S", help="default 2"
    )
    _add_fleet(act, common)


def _add_fleet(
    act: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    p = _command(
        act,
        "submit",
        "create a job per line of a JSONL file of create arguments, once (rerun is safe)",
        _fleet.cmd_submit,
        parents=common,
    )
    p.add_argument("specs", metavar="SPECS.jsonl")
    p.add_argument("--max-active", type=positive_int, metavar="N", help="of these jobs at once")
    p.add_argument("--max-active-per-model", type=positive_int, metavar="N")
    p.add_argument("--concurrency", type=positive_int, default=8, metavar="N", help="default 8")
    p.add_argument(
        "--quota-timeout",
        type=positive_float,
        metavar="S",
        help="give up waiting for a quota after S s",
    )
    p = _command(
        act,
        "report",
        "one row per job: status, duration, tokens, cost, best metric, failure; totals",
        _fleet.cmd_report,
        parents=common,
    )
    p.add_argument(
        "--metadata", type=key_value, action="append", metavar="K=V", help="filter (repeatable)"
    )
    p.add_argument(
        "--price",
        type=_fleet.price,
        action="append",
        metavar="MODEL=USD",
        help="training price per 1M tokens, for the cost column (repeatable)",
    )
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")

    p = _command(
        act,
        "metrics",
        "a job's training metrics: a table and a chart of the losses",
        _metrics.cmd_metrics,
        parents=common,
    )
    p.add_argument("job", metavar="JOB")
    p.add_argument("--all", action="store_true", help="every step in the table (default: ~20)")
    p.add_argument("--csv", action="store_true", help="every step as CSV, for other programs")
    p.add_argument(
        "--plot",
        metavar="FILE.png|svg",
        help="also draw the curves into FILE (needs matplotlib: pip install 'ftclient[plot]')",
    )


def _add_files(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
) -> None:
    files = sub.add_parser("files", help="training and result files", parents=common)
    act = files.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = _command(
        act, "upload", "upload a file (in parts if large)", _files.cmd_files_upload, parents=common
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--purpose", default="fine-tune", help="default fine-tune (needs .jsonl)")
    p.add_argument(
        "--concurrency", type=positive_int, default=4, metavar="N", help="parts in flight (4)"
    )
    p = _command(act, "list", "list files, newest first", _files.cmd_files_list, parents=common)
    p.add_argument("--purpose")
    p.add_argument("--limit", type=positive_int, default=20, metavar="N", help="at most N (20)")
    for name, handler, text in (
        ("get", _files.cmd_files_get, "show one file"),
        ("delete", _files.cmd_files_delete, "delete a file"),
    ):
        p = _command(act, name, text, handler, parents=common)
        p.add_argument("file", metavar="FILE_ID")
    p = _command(
        act, "download", "save a file's content", _files.cmd_files_download, parents=common
    )
    p.add_argument("file", metavar="FILE_ID")
    p.add_argument("path", metavar="PATH")


def _add_others(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: list[argparse.ArgumentParser],
    json_only: list[argparse.ArgumentParser],
) -> None:
    cps = sub.add_parser("checkpoints", help="checkpoints of a job", parents=common)
    act = cps.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = _command(
        act, "list", "list a job's checkpoints", _resources.cmd_checkpoints_list, parents=common
    )
    p.add_argument("job", metavar="JOB")
    p.add_argument("--limit", type=positive_int, metavar="N", help="at most N")

    perms = sub.add_parser("permissions", help="share checkpoints (admin key)", parents=common)
    act = perms.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = _command(
        act,
        "list",
        "list a checkpoint's permissions",
        _resources.cmd_permissions_list,
        parents=common,
    )
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("--project-id")
    p.add_argument("--order", choices=("ascending", "descending"))
    p.add_argument("--limit", type=positive_int, metavar="N", help="at most N")
    p = _command(
        act,
        "grant",
        "share a checkpoint with projects",
        _resources.cmd_permissions_grant,
        parents=common,
    )
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("--project-id", action="append", required=True, help="repeatable")
    p = _command(
        act, "revoke", "delete a permission", _resources.cmd_permissions_revoke, parents=common
    )
    p.add_argument("checkpoint", metavar="CHECKPOINT")
    p.add_argument("permission_id", metavar="PERMISSION_ID")

    graders = sub.add_parser("graders", help="graders (alpha)", parents=common)
    act = graders.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = _command(act, "run", "grade one sample", _resources.cmd_graders_run, parents=common)
    p.add_argument("--grader", required=True, metavar="FILE.json|JSON")
    p.add_argument("--sample", required=True, metavar="TEXT", help="the model's output")
    p.add_argument("--item", metavar="FILE.json|JSON", help="the dataset item")
    p = _command(act, "validate", "check a grader", _resources.cmd_graders_validate, parents=common)
    p.add_argument("--grader", required=True, metavar="FILE.json|JSON")

    p = _command(
        sub, "export", "copy every job of the account into DIR", _archive.cmd_export, parents=common
    )
    p.add_argument("directory", metavar="DIR")
    p.add_argument(
        "--metadata", type=key_value, action="append", metavar="K=V", help="filter (repeatable)"
    )
    p.add_argument("--concurrency", type=positive_int, default=8, metavar="N", help="default 8")
    p = _command(
        sub, "rerun", "recreate exported jobs on this server", _archive.cmd_rerun, parents=common
    )
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--model", type=key_value, action="append", metavar="SRC=DST", help="model map")
    p.add_argument("--job", action="append", metavar="JOB", help="only this source job")
    p.add_argument("--dry-run", action="store_true", help="print the plan, send nothing")
    p.add_argument(
        "--provider",
        choices=("openai", "azure", "bedrock"),
        default="openai",
        help="the target's provider: its refusals and data rules apply (Azure: --base-url is "
        "the endpoint; Bedrock: --region or AWS_REGION, key from AWS_BEARER_TOKEN_BEDROCK)",
    )
    p.add_argument("--region", help="Bedrock's region (with --provider bedrock)")


def build_parser() -> argparse.ArgumentParser:
    """The ``ftclient`` argument parser; each leaf sets ``handler`` and ``needs_client``."""
    parser: argparse.ArgumentParser = _Parser(
        prog="ftclient",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ftclient {__version__}")
    _globals(parser, nested=False)
    common = argparse.ArgumentParser(add_help=False)
    _globals(common, nested=True)
    no_timeout = argparse.ArgumentParser(add_help=False)
    _globals(no_timeout, nested=True, timeout=False)
    json_only = argparse.ArgumentParser(add_help=False)
    _json_only(json_only)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_jobs(sub, [common], [no_timeout])
    _add_files(sub, [common])
    _add_others(sub, [common], [json_only])
    add_serve_parser(sub, [json_only])
    add_demo_parser(sub)
    add_data_parser(sub, [json_only])
    return parser
