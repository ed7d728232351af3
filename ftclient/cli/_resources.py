"""``ftclient checkpoints ...``, ``permissions ...`` and ``graders ...``."""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs

from .. import FineTuningClient
from .._wire.convert import unstructure
from ..models import (
    FineTuningCheckpointPermission,
    FineTuningJobCheckpoint,
    RunGraderResponse,
    RunGraderResponseMetadata,
)
from ._common import EXIT_OK, UsageError, load_json_arg, page_size
from ._output import Output, format_ago, format_float, render_kv

if TYPE_CHECKING:
    from ..params import GraderParam

__all__ = [
    "checkpoint_rows",
    "cmd_checkpoints_list",
    "cmd_graders_run",
    "cmd_graders_validate",
    "cmd_permissions_grant",
    "cmd_permissions_list",
    "cmd_permissions_revoke",
    "grader_result",
    "permission_rows",
]

CHECKPOINT_HEADERS = ("step", "train loss", "valid loss", "created", "checkpoint model")
PERMISSION_HEADERS = ("id", "project", "created")


def checkpoint_rows(
    checkpoints: Sequence[FineTuningJobCheckpoint], now: float | None = None
) -> list[list[object]]:
    """Rows of a checkpoints table (see ``CHECKPOINT_HEADERS``)."""
    return [
        [
            c.step_number,
            c.metrics.train_loss if c.metrics else None,
            c.metrics.valid_loss if c.metrics else None,
            format_ago(c.created_at, now),
            c.fine_tuned_model_checkpoint,
        ]
        for c in checkpoints
    ]


def permission_rows(
    permissions: Sequence[FineTuningCheckpointPermission], now: float | None = None
) -> list[list[object]]:
    """Rows of a permissions table (see ``PERMISSION_HEADERS``)."""
    return [[p.id, p.project_id, format_ago(p.created_at, now)] for p in permissions]


async def cmd_checkpoints_list(
    client: FineTuningClient, args: argparse.Namespace, out: Output
) -> int:
    """``checkpoints list JOB``: a job's checkpoints, newest first."""
    checkpoints = await client.checkpoints.list(args.job, limit=page_size(args.limit)).to_list(
        max_items=args.limit
    )
    if out.json_mode:
        out.json(checkpoints)
    elif checkpoints:
        out.table(
            CHECKPOINT_HEADERS, checkpoint_rows(checkpoints, time.time()), keep=frozenset({4})
        )
    else:
        out.line("No checkpoints (yet).")
    return EXIT_OK


async def cmd_permissions_list(
    client: FineTuningClient, args: argparse.Namespace, out: Output
) -> int:
    """``permissions list CHECKPOINT``: the projects a checkpoint is shared with."""
    permissions = await client.permissions.list(
        args.checkpoint, project_id=args.project_id, order=args.order, limit=page_size(args.limit)
    ).to_list(max_items=args.limit)
    if out.json_mode:
        out.json(permissions)
    elif permissions:
        out.table(PERMISSION_HEADERS, permission_rows(permissions, time.time()))
    else:
        out.line("No permissions.")
    return EXIT_OK


async def cmd_permissions_grant(
    client: FineTuningClient, args: argparse.Namespace, out: Output
) -> int:
    """``permissions grant CHECKPOINT --project-id P...``."""
    page = await client.permissions.create(args.checkpoint, project_ids=args.project_id)
    if out.json_mode:
        out.json(page.data)
        return EXIT_OK
    out.table(PERMISSION_HEADERS, permission_rows(page.data, time.time()))
    out.line(f"Granted {len(page.data)} project(s) access to {args.checkpoint}")
    return EXIT_OK


async def cmd_permissions_revoke(
    client: FineTuningClient, args: argparse.Namespace, out: Output
) -> int:
    """``permissions revoke CHECKPOINT PERMISSION_ID``."""
    result = await client.permissions.delete(args.checkpoint, args.permission_id)
    if out.json_mode:
        out.json(result)
    else:
        verb = "Revoked" if result.deleted else "Did not revoke"
        out.line(f"{verb} permission {result.id} on {args.checkpoint}")
    return EXIT_OK


def _grader(args: argparse.Namespace) -> GraderParam:
    grader = load_json_arg(args.grader, "--grader")
    if not isinstance(grader, dict):
        raise UsageError("--grader: must be a JSON object with a 'type'")
    # The user's JSON: the call checks it against the contract before sending.
    return cast("GraderParam", grader)


def grader_result(result: RunGraderResponse) -> str:
    """A grader run as ``key: value`` lines: reward, grader, time, sub-rewards and errors."""
    meta = result.metadata or RunGraderResponseMetadata()
    flags = attrs.asdict(meta.errors) if meta.errors else {}
    errors = [name for name, value in flags.items() if value is True]
    subs = ", ".join(f"{k}={_num(v)}" for k, v in (result.sub_rewards or {}).items()) or None
    return render_kv(
        [
            ("reward", _num(result.reward)),
            ("grader", f"{meta.name} ({meta.type})"),
            (
                "execution time",
                f"{meta.execution_time * 1000:.2f} ms" if meta.execution_time is not None else None,
            ),
            ("sub-rewards", subs),
            ("errors", ", ".join(errors) or "none"),
        ]
    )


def _num(value: Any) -> str:
    return format_float(value) if isinstance(value, float) else str(value)


async def cmd_graders_run(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``graders run --grader FILE --sample TEXT [--item FILE|JSON]``."""
    item = load_json_arg(args.item, "--item") if args.item is not None else None
    if item is not None and not isinstance(item, Mapping):
        raise UsageError("--item: must be a JSON object")
    result = await client.graders.run(grader=_grader(args), model_sample=args.sample, item=item)
    if out.json_mode:
        out.json(result)
    else:
        out.line(grader_result(result))
    return EXIT_OK


async def cmd_graders_validate(
    client: FineTuningClient, args: argparse.Namespace, out: Output
) -> int:
    """``graders validate --grader FILE``: exit 0 and echo the grader if the API accepts it."""
    result = await client.graders.validate(grader=_grader(args))
    if out.json_mode:
        out.json(result)
    else:
        grader = unstructure(result.grader) if result.grader is not None else {}
        out.line(f"valid: {grader.get('type', '?')} grader {grader.get('name', '')!r}")
    return EXIT_OK
