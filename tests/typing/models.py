"""The response side, as the type checker sees it (not collected by pytest: no ``test_`` prefix).

Checked by ``mypy --strict --warn-unused-ignores tests/typing/models.py``: the README's uses
type-check with no cast and no ignore, and each misuse line carries the ignore of the error
mypy must report there, so the check fails as soon as a misuse stops being flagged (an unused
ignore) or a use starts being flagged.
"""

from __future__ import annotations

import ftclient
from ftclient import ResponseInfo
from ftclient.models import (
    TERMINAL_STATUSES,
    EventLevel,
    FileObject,
    FineTuningJob,
    FineTuningJobCheckpoint,
    FineTuningJobEvent,
    FineTuningJobEventLevel,
    FineTuningJobStatus,
    JobStatus,
    Upload,
)


async def readme_uses(client: ftclient.FineTuningClient) -> None:
    """What the README does with responses: no None checks, no cast."""
    job = await client.jobs.retrieve("ftjob-abc")
    info = ftclient.response_info(job)
    print(info.status, info.request_id, info.attempts, info.retry_waits, info.headers)
    print(job.id, job.status, job.model, job.created_at, job.training_file, job.object)
    print(job.created_at + 60, job.model.upper())  # plain int and str, not Optional

    if job.status == "succeeded":
        print(job.fine_tuned_model)
    if job.status == FineTuningJobStatus.SUCCEEDED:  # the open enum's members still compare
        print(job.status)
    if job.status in TERMINAL_STATUSES or job.status in {"paused", "pending"}:
        print(job.is_terminal)
    if job.status != "running":
        print(job.status)
    status: JobStatus = job.status
    as_text: str = job.status
    print(status, as_text)

    page = await client.jobs.list()
    page_info: ResponseInfo = ftclient.response_info(page)
    print(page_info.request_id, [ftclient.response_info(item).request_id for item in page.data])
    async for item in client.jobs.list():
        print(ftclient.response_info(item).attempts, item.status == "queued")

    async for checkpoint in client.checkpoints.list(job.id):
        loss = checkpoint.metrics.train_loss
        print(checkpoint.step_number + 1, checkpoint.fine_tuned_model_checkpoint.split(":"), loss)
        print(checkpoint.fine_tuning_job_id, checkpoint.created_at)

    async for event in client.jobs.list_events(job.id):
        print(event.created_at, event.level, event.message.strip())
        if event.level == "error" or event.level == FineTuningJobEventLevel.WARN:
            print(event.type == "metrics")
        level: EventLevel = event.level
        print(level)

    async for permission in client.permissions.list("ft:gpt-4o-mini:org::ckpt-step-1"):
        print(permission.project_id.upper(), permission.created_at + 1)

    uploaded = await client.files.retrieve("file-abc")
    print(uploaded.bytes + 1, uploaded.filename.lower(), uploaded.purpose)
    if uploaded.status == "processed":
        print(uploaded.id)

    maybe = ftclient.response_info(None)  # not a model: may be None
    print(maybe.status if maybe is not None else 0)


def misuse(
    job: FineTuningJob,
    event: FineTuningJobEvent,
    checkpoint: FineTuningJobCheckpoint,
    file: FileObject,
    upload: Upload,
) -> None:
    """Each line is a mistake the type checker must flag (the ignore names the error)."""
    print(job.status == "succeded")  # type: ignore[comparison-overlap]
    print(job.status != "canceled")  # type: ignore[comparison-overlap]
    print(job.status == 3)  # type: ignore[comparison-overlap]
    print(event.level == "warning")  # type: ignore[comparison-overlap]
    print(event.type == "metric")  # type: ignore[comparison-overlap]
    print(file.status == "procesed")  # type: ignore[comparison-overlap]
    print(upload.status == "complete")  # type: ignore[comparison-overlap]
    print(FineTuningJobStatus.SUCEEDED)  # type: ignore[attr-defined]
    print(checkpoint.metrics.train_loss + 1)  # type: ignore[operator]  # a metric may be absent
    print(job.fine_tuned_model.upper())  # type: ignore[union-attr]  # null until it succeeds
    status: JobStatus = "done"  # type: ignore[assignment]
    print(status, job.created_at.upper())  # type: ignore[attr-defined]
