"""``ftclient jobs submit SPECS.jsonl`` and ``ftclient jobs report``: a fleet of jobs.

``submit`` hands every line of the file (one ``jobs.create``'s arguments) to
``client.jobs.submit_many`` and prints each spec as it is settled; running it again is safe (the
jobs already made are found by their keys and not sent again). ``report`` lists the jobs (of a
metadata filter) with their duration, trained tokens, estimated cost, best checkpoint metric and
failure reason, and totals.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .. import FineTuningClient
from ..models import FineTuningJob
from ._common import EXIT_OK, CommandFailed, UsageError
from ._output import Output, format_duration, progress_bar

if TYPE_CHECKING:
    from ..params import JobSpecParam

__all__ = ["REPORT_HEADERS", "cmd_report", "cmd_submit", "load_specs", "price", "report_row"]

REPORT_HEADERS = (
    "id",
    "status",
    "model",
    "duration",
    "trained tokens",
    "cost usd",
    "best metric",
    "failure",
)
# Lower is better for every loss; the full validation loss is the most telling when present.
_METRICS = ("full_valid_loss", "valid_loss", "train_loss")


def load_specs(path: str) -> list[JobSpecParam]:
    """The specs of a JSONL file: one JSON object (``jobs.create`` arguments) per line.

    Raises:
        UsageError: the file cannot be read, or a line is not a JSON object (named by number).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    specs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            spec = json.loads(line)
        except ValueError as exc:
            raise UsageError(f"{path}:{number}: not JSON ({exc})") from None
        if not isinstance(spec, dict):
            raise UsageError(f"{path}:{number}: must be a JSON object of jobs.create arguments")
        # The user's JSON: submit_many checks each spec before anything is sent.
        specs.append(cast("JobSpecParam", spec))
    return specs


async def cmd_submit(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs submit SPECS.jsonl``: create each spec's job once; print each as it is settled."""
    specs = load_specs(args.specs)
    try:
        results = client.jobs.submit_many(
            specs,
            max_active=args.max_active,
            max_active_per_model=args.max_active_per_model,
            concurrency=args.concurrency,
            timeout=args.quota_timeout,
        )
    except ValueError as exc:  # InvalidParameterError names the spec by index
        raise UsageError(f"{args.specs}: {exc}") from None
    counts = {"created": 0, "existing": 0, "failed": 0}
    async for done in results:
        kind = "failed" if not done.ok else "existing" if done.existing else "created"
        counts[kind] += 1
        job_id = done.job.id if done.job is not None else None
        if out.json_mode:
            error = str(done.error) if done.error is not None else None
            out.json({"key": done.key, "result": kind, "job": job_id, "error": error}, lines=True)
            continue
        settled = sum(counts.values())
        bar = progress_bar(settled, len(specs))
        detail = job_id if job_id is not None else str(done.error)
        out.line(f"{bar} {settled}/{len(specs)} {kind:<8} {done.key} {detail}")
    if not out.json_mode:
        out.line(
            f"{counts['created']} created, {counts['existing']} already there, "
            f"{counts['failed']} failed, of {len(specs)}"
        )
    if counts["failed"]:
        raise CommandFailed(f"{counts['failed']} spec(s) have no job")
    return EXIT_OK


def _duration(job: FineTuningJob, now: float) -> float | None:
    if job.created_at is None:
        return None
    end = job.finished_at if job.finished_at is not None else now
    return max(0.0, float(end) - float(job.created_at))


def _best(metrics: Sequence[Any]) -> str | None:
    for name in _METRICS:
        values = [v for m in metrics if (v := getattr(m, name, None)) is not None]
        if values:
            return f"{name}={min(values):.4f}"
    return None


def report_row(
    job: FineTuningJob, best: str | None, prices: dict[str, float], now: float
) -> dict[str, Any]:
    """One row of the report, by :data:`REPORT_HEADERS`."""
    tokens = job.trained_tokens
    price = prices.get(job.model) if job.model is not None else None
    error = job.error
    return {
        "id": job.id,
        "status": str(job.status),
        "model": job.model,
        "duration": _duration(job, now),
        "trained tokens": tokens,
        "cost usd": round(tokens * price / 1e6, 4) if tokens and price is not None else None,
        "best metric": best,
        "failure": getattr(error, "message", None) if error is not None else None,
    }


async def _best_metric(
    client: FineTuningClient, job: FineTuningJob, gate: asyncio.Semaphore
) -> Any:
    if str(job.status) != "succeeded":
        return None
    async with gate:
        checkpoints = await client.checkpoints.list(job.id, limit=100).to_list()
    return _best([c.metrics for c in checkpoints if c.metrics is not None])


async def cmd_report(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``jobs report``: one row per job, then totals (table, ``--csv`` or ``--json``)."""
    metadata = dict(args.metadata or []) or None
    prices = dict(args.price or [])
    jobs = [job async for job in client.jobs.list(limit=100, metadata=metadata)]
    gate = asyncio.Semaphore(8)
    bests = await asyncio.gather(*(_best_metric(client, job, gate) for job in jobs))
    now = time.time()
    rows = [report_row(job, best, prices, now) for job, best in zip(jobs, bests, strict=True)]
    totals = _totals(rows)
    if out.json_mode:
        out.json({"jobs": rows, "totals": totals})
    elif args.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=REPORT_HEADERS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        out.write(buffer.getvalue())
    else:
        shown = [[_cell(h, row[h]) for h in REPORT_HEADERS] for row in rows]
        out.table(REPORT_HEADERS, shown)
        by_status = ", ".join(f"{n} {s}" for s, n in sorted(totals["by_status"].items()))
        cost = totals["cost usd"]
        out.line(
            f"{totals['jobs']} jobs ({by_status or 'none'}); "
            f"{totals['trained tokens']} trained tokens; "
            f"cost {'unknown (give --price MODEL=USD)' if cost is None else f'${cost:.2f}'}"
        )
    return EXIT_OK


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    costs = [row["cost usd"] for row in rows if row["cost usd"] is not None]
    return {
        "jobs": len(rows),
        "by_status": by_status,
        "trained tokens": sum(row["trained tokens"] or 0 for row in rows),
        "cost usd": round(sum(costs), 4) if costs else None,
    }


def _cell(header: str, value: Any) -> object:
    if header == "duration" and value is not None:
        return format_duration(value)
    return value


def price(text: str) -> tuple[str, float]:
    """``MODEL=USD`` (per million trained tokens) for ``--price``.

    Raises:
        argparse.ArgumentTypeError: not ``MODEL=USD`` with USD a number >= 0.
    """
    model, sep, usd = text.partition("=")
    try:
        value = float(usd)
    except ValueError:
        value = -1.0
    if not sep or not model or not value >= 0:
        raise argparse.ArgumentTypeError(f"expected MODEL=USD per 1M trained tokens, got {text!r}")
    return model, value
