"""``ftclient export DIR`` and ``ftclient rerun DIR``: keep the record of every run, rerun it."""

from __future__ import annotations

import argparse

from .. import FineTuningClient, archive
from ._common import EXIT_ERROR, EXIT_OK
from ._output import Output, progress_bar, to_jsonable

__all__ = ["cmd_export", "cmd_rerun"]


async def cmd_export(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """Export the account's jobs into ``args.directory``; a bar on a terminal, then a summary."""

    def progress(done: int, total: int) -> None:
        if out.is_tty and not out.json_mode:
            out.write(f"\r{progress_bar(done, total)} {done}/{total} jobs")

    metadata = dict(args.metadata) if args.metadata else None
    summary = await archive.export(
        client,
        args.directory,
        metadata=metadata,
        concurrency=args.concurrency,
        on_progress=progress,
    )
    if out.json_mode:
        out.json(to_jsonable(summary))
    else:
        if out.is_tty:
            out.write("\n")
        out.line(f"Exported to {args.directory}: {summary.describe()}")
    return EXIT_OK


async def cmd_rerun(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """Recreate the archive's jobs on the configured server (``--dry-run``: the plan only)."""
    model_map = dict(args.model or [])

    def report(job: archive.RerunJob) -> None:
        if not out.json_mode:
            out.line(job.describe())

    plan = await archive.rerun(
        client,
        args.directory,
        jobs=args.job or None,
        model_map=model_map,
        dry_run=args.dry_run,
        on_job=None if args.dry_run else report,
    )
    if out.json_mode:
        out.json([to_jsonable(job) for job in plan])
    elif args.dry_run:
        for job in plan:
            out.line(job.describe())
    refused = sum(1 for job in plan if job.problems)
    if not out.json_mode:
        verb = "would create" if args.dry_run else "created or found"
        out.line(f"{len(plan) - refused} jobs {verb} on {client.base_url}; {refused} not sent")
    return EXIT_ERROR if refused else EXIT_OK
