"""``ftclient jobs ...``: list, get, create, cancel, pause, resume, wait and events."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from .. import NO_METADATA, FineTuningClient, NoMetadata
from .._checks import MAX_PAGE_SIZE
from .._wire.convert import unstructure
from ..models import FineTuningJob, FineTuningJobEvent, FineTuningJobStatus
from ._common import EXIT_OK, CommandFailed, load_json_arg, page_size
from ._live import JobProgress, LiveBoard
from ._output import Output, format_ago, format_duration, format_time, render_kv
from ._polling import follow_events, recent_events, wait_for_job

if TYPE_CHECKING:
    from ..params import FineTuneMethodParam

FINAL_EVENTS = 10  # the newest events read once a job has ended, for its final line

__all__ = [
    "JOB_HEADERS",
    "build_method",
    "cmd_cancel",
    "cmd_create",
    "cmd_events",
    "cmd_get",
    "cmd_list",
    "cmd_pause",
    "cmd_resume",
    "cmd_wait",
    "event_line",
    "failure_reason",
    "job_details",
    "job_row",
]

JOB_HEADERS = ("id", "status", "model", "created", "fine-tuned model")
KNOWN_STATUSES = frozenset(str(status) for status in FineTuningJobStatus)


def job_row(job: FineTuningJob, now: float | None = None) -> list[object]:
    """The cells of a job in a jobs table (see :data:`JOB_HEADERS`)."""
    return [
        job.id,
        str(job.status),
        job.model,
        format_ago(job.created_at, now),
        job.fine_tuned_model,
    ]


def failure_reason(job: FineTuningJob) -> str | None:
    """Why a job failed, as ``code: message`` (None when the job carries no error)."""
    if job.error is None:
        return None
    return ": ".join(str(part) for part in (job.error.code, job.error.message) if part) or None


def _method_summary(job: FineTuningJob) -> tuple[str | None, str | None]:
    if job.method is None:
        return None, None
    data: dict[str, Any] = unstructure(job.method)
    kind = str(data.get("type"))
    block = data.get(kind) or {}
    hyper = block.get("hyperparameters") or {}
    text = ", ".join(f"{k}={v}" for k, v in hyper.items() if v is not None)
    return kind, text or None


def job_details(job: FineTuningJob, now: float | None = None) -> str:
    """A job as aligned ``key: value`` lines."""
    method, hyper = _method_summary(job)
    error = failure_reason(job)
    metadata = ", ".join(f"{k}={v}" for k, v in (job.metadata or {}).items()) or None
    return render_kv(
        [
            ("id", job.id),
            ("status", str(job.status)),
            ("model", job.model),
            ("fine-tuned model", job.fine_tuned_model),
            ("method", method),
            ("hyperparameters", hyper),
            ("training file", job.training_file),
            ("validation file", job.validation_file),
            ("created", format_time(job.created_at, now)),
            ("finished", format_time(job.finished_at, now) if job.finished_at else None),
            (
                "estimated finish",
                format_time(job.estimated_finish, now) if job.estimated_finish else None,
            ),
            ("trained tokens", job.trained_tokens),
            ("seed", job.seed),
            ("metadata", metadata),
            ("error", error),
        ]
    )


def event_line(event: FineTuningJobEvent) -> str:
    """One event as ``2025-11-25 08:24:01  info   message``."""
    at = event.created_at
    stamp = "-" if at is None else dt.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp}  {event.level!s:<5}  {event.message}"


def build_method(args: argparse.Namespace) -> FineTuneMethodParam | None:
    """The ``method`` of a create request from ``--method`` and the hyperparameter options."""
    hyper = {
        key: value
        for key, value in (
            ("n_epochs", args.n_epochs),
            ("batch_size", args.batch_size),
            ("learning_rate_multiplier", args.learning_rate_multiplier),
            ("beta", getattr(args, "beta", None)),
        )
        if value is not None
    }
    kind = args.method
    grader = load_json_arg(args.grader, "--grader") if args.grader else None
    if kind is None and (hyper or grader is not None):
        kind = "reinforcement" if grader is not None else "supervised"
    if kind is None:
        return None
    block: dict[str, Any] = {}
    if hyper:
        block["hyperparameters"] = hyper
    if grader is not None:
        block["grader"] = grader
    # --method and the user's --grader JSON: the call checks them against the contract.
    return cast("FineTuneMethodParam", {"type": kind, kind: block})


async def cmd_list(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs list``: the newest jobs, filtered on metadata (by the server) and status (here).

    The API cannot filter on status, so with ``--status`` the list is read, in full pages, until
    ``--limit`` jobs match or it ends. The table keeps the id and the status whole at any width
    and adds an ERROR column (``code: message``) when a listed job failed.
    """
    metadata: dict[str, str] | NoMetadata | None = (
        NO_METADATA if args.no_metadata else dict(args.metadata or []) or None
    )
    statuses = set(args.status or ())
    for status in sorted(statuses - KNOWN_STATUSES):
        print(
            f"note: {status!r} is not a status this version knows; listing it anyway",
            file=sys.stderr,
        )
    size = MAX_PAGE_SIZE if statuses else page_size(args.limit)
    jobs: list[FineTuningJob] = []
    async for job in client.jobs.list(limit=size, metadata=metadata):
        if not statuses or str(job.status) in statuses:
            jobs.append(job)
            if len(jobs) >= args.limit:
                break
    if out.json_mode:
        out.json(jobs)
    elif jobs:
        now = time.time()
        rows = [job_row(job, now) for job in jobs]
        headers: tuple[str, ...] = JOB_HEADERS
        if any(job.error is not None for job in jobs):
            headers = (*JOB_HEADERS, "error")
            rows = [[*row, failure_reason(job)] for row, job in zip(rows, jobs, strict=True)]
        out.table(headers, rows, keep=frozenset({0, 1}))
    elif statuses:
        out.line(f"No fine-tuning jobs with status {', '.join(sorted(statuses))}.")
    else:
        out.line("No fine-tuning jobs.")
    return EXIT_OK


async def cmd_get(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs get JOB``: one job in detail."""
    job = await client.jobs.retrieve(args.job)
    if out.json_mode:
        out.json(job)
    else:
        out.line(job_details(job))
    return EXIT_OK


async def cmd_create(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs create``: start a fine-tuning job."""
    job = await client.jobs.create(
        model=args.model,
        training_file=args.training_file,
        validation_file=args.validation_file,
        suffix=args.suffix,
        seed=args.seed,
        method=build_method(args),
        metadata=dict(args.metadata) if args.metadata else None,
        deduplicate=not args.no_deduplicate,
    )
    if out.json_mode:
        out.json(job)
    else:
        out.line(job_details(job))
        out.line()
        out.line(f"Follow it with: ftclient jobs wait {job.id}")
    return EXIT_OK


async def _transition(
    action: str, client: FineTuningClient, args: argparse.Namespace, out: Output
) -> int:
    job: FineTuningJob = await getattr(client.jobs, action)(args.job)
    if out.json_mode:
        out.json(job)
    else:
        out.line(f"{job.id}: {job.status}")
    return EXIT_OK


async def cmd_cancel(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs cancel JOB``."""
    return await _transition("cancel", client, args, out)


async def cmd_pause(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs pause JOB``."""
    return await _transition("pause", client, args, out)


async def cmd_resume(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs resume JOB``."""
    return await _transition("resume", client, args, out)


async def _track_events(
    client: FineTuningClient,
    progress: JobProgress,
    poll_interval: float,
    redraw: Callable[[], None],
) -> None:
    # Only the newest events matter for the progress line; a long history is not re-read.
    async for event in follow_events(
        client, progress.job_id, poll_interval=poll_interval, history=10
    ):
        progress.update_event(event)
        redraw()


async def cmd_wait(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs wait JOB``: poll until the job finishes; exit 1 unless it succeeded."""
    progress = JobProgress(args.job)
    board = LiveBoard(out)
    started = time.monotonic()

    prefix = "" if board.live else progress.job_id

    def redraw() -> None:
        if not out.json_mode:
            text = progress.describe(prefix=prefix)
            board.update(progress.job_id, text, milestone=progress.status)

    def on_update(job: FineTuningJob) -> None:
        progress.update_job(job)
        redraw()

    tracker: asyncio.Task[None] | None = None
    if board.live and not out.json_mode:
        out.line(f"Waiting for {args.job} (Ctrl-C stops waiting, not the job)")
        # Step and loss come from the metrics events, followed next to the status polls.
        tracker = asyncio.create_task(_track_events(client, progress, args.poll_interval, redraw))
    try:
        job = await wait_for_job(
            client,
            args.job,
            poll_interval=args.poll_interval,
            timeout=args.wait_timeout,
            on_update=on_update,
        )
    finally:
        if tracker is not None:
            tracker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await tracker
    if tracker is not None:
        # The last steps' events may be listed only now: draw the final state, not the last
        # one the tracker happened to see.
        for event in await recent_events(client, job.id, FINAL_EVENTS):
            progress.update_event(event)
        progress.update_job(job)
        redraw()
    if out.json_mode:
        out.json(job)
    else:
        took = format_duration(time.monotonic() - started)
        result = job.fine_tuned_model or (job.error.message if job.error else "")
        out.line(f"{job.id} {job.status} (waited {took})" + (f": {result}" if result else ""))
    if str(job.status) != "succeeded":
        raise CommandFailed(f"job {job.id} ended {job.status}")
    return EXIT_OK


async def _follow(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    # On a terminal a status line stays under the scrolling events; elsewhere, events only.
    board = LiveBoard(out, live=out.is_tty and not out.json_mode)
    progress = JobProgress(args.job)

    def show() -> None:
        if board.live:
            text = progress.describe(prefix="»")
            board.update(args.job, text, milestone=progress.status)

    def on_job(job: FineTuningJob) -> None:
        progress.update_job(job)
        show()

    async for event in follow_events(
        client, args.job, poll_interval=args.poll_interval, history=args.limit, on_job=on_job
    ):
        if out.json_mode:
            out.json(event, lines=True)
            continue
        progress.update_event(event)
        board.note(event_line(event))
        show()
    return EXIT_OK


async def cmd_events(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs events JOB``: the latest events, oldest first; ``--follow`` streams new ones."""
    if args.follow:
        return await _follow(client, args, out)
    events = await recent_events(client, args.job, args.limit)
    if out.json_mode:
        out.json(events)
    elif events:
        for event in events:
            out.line(event_line(event))
    else:
        out.line("No events.")
    return EXIT_OK
