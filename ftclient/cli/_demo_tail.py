"""The demo's steps after training: checkpoints, permissions and graders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import FineTuningClient
from ._output import Output
from ._resources import PERMISSION_HEADERS, permission_rows

if TYPE_CHECKING:
    from ..params import GraderParam

__all__ = ["DEMO_GRADERS", "show_checkpoints", "show_graders", "show_permissions"]

DEMO_PROJECTS = ("proj_demo_analytics", "proj_demo_eval")

DEMO_GRADERS: tuple[tuple[GraderParam, str, dict[str, Any]], ...] = (
    (
        {
            "type": "string_check",
            "name": "exact_answer",
            "input": "{{sample.output_text}}",
            "reference": "{{item.answer}}",
            "operation": "eq",
        },
        "Paris",
        {"answer": "Paris"},
    ),
    (
        {
            "type": "text_similarity",
            "name": "close_answer",
            "input": "{{sample.output_text}}",
            "reference": "{{item.answer}}",
            "evaluation_metric": "fuzzy_match",
        },
        "Paris is the capital of France.",
        {"answer": "The capital of France is Paris."},
    ),
)


async def show_checkpoints(
    client: FineTuningClient, out: Output, job_id: str, *, width: int
) -> str | None:
    """Print a job's checkpoints; return the newest checkpoint's model name (or None)."""
    checkpoints = await client.checkpoints.list(job_id).to_list()
    if not checkpoints:
        out.line("No checkpoints.")
        return None
    newest = checkpoints[0].fine_tuned_model_checkpoint or ""
    out.line(f"model {newest.rsplit(':', 1)[0]}")
    out.table(
        ("step", "train loss", "checkpoint"),
        [
            [
                c.step_number,
                c.metrics.train_loss if c.metrics else None,
                (c.fine_tuned_model_checkpoint or "").rsplit(":", 1)[-1],
            ]
            for c in checkpoints
        ],
        max_width=width,
    )
    return checkpoints[0].fine_tuned_model_checkpoint


async def show_permissions(client: FineTuningClient, out: Output, checkpoint: str) -> None:
    """Grant two projects access to ``checkpoint``, list, revoke one, list again."""
    created = await client.permissions.create(checkpoint, project_ids=list(DEMO_PROJECTS))
    for permission in created.data:
        out.line(f"granted  {permission.project_id:<20}  {permission.id}")
    revoked = created.data[0]
    result = await client.permissions.delete(checkpoint, revoked.id)
    state = "revoked" if result.deleted else "NOT revoked"
    out.line(f"{state}  {revoked.project_id:<20}  {result.id}")
    remaining = await client.permissions.list(checkpoint).to_list()
    out.line(f"{len(remaining)} permission(s) left on {checkpoint.rsplit(':', 1)[-1]}:")
    out.table(PERMISSION_HEADERS[:2], [row[:2] for row in permission_rows(remaining)])


async def show_graders(client: FineTuningClient, out: Output, *, width: int) -> None:
    """Validate and run a string_check and a text_similarity grader."""
    rows: list[list[object]] = []
    for grader, sample, item in DEMO_GRADERS:
        await client.graders.validate(grader=grader)
        result = await client.graders.run(grader=grader, model_sample=sample, item=item)
        rows.append([grader["type"], "valid", f"{result.reward:.3f}", repr(sample)])
    out.table(("grader", "check", "reward", "sample"), rows, max_width=width)
