"""Fine-tuning workflows of a small application, written against ftclient's public API only."""

from __future__ import annotations

from collections.abc import Iterable

import ftclient

__all__ = ["TrainingFailed", "loss_curve", "status_of", "train", "train_all"]


class TrainingFailed(Exception):
    """A job ended without a model."""

    def __init__(self, job: ftclient.models.FineTuningJob) -> None:
        error = job.error.message if job.error is not None else job.status
        super().__init__(f"{job.id} {job.status}: {error}")
        self.job = job


async def train(client: ftclient.FineTuningClient, training_file: str, *, suffix: str) -> str:
    """Start a job, wait for it with the library's defaults and return the fine-tuned model."""
    job = await client.jobs.create(model="gpt-4o-mini", training_file=training_file, suffix=suffix)
    job = await client.jobs.wait(job.id)
    if job.status != "succeeded" or job.fine_tuned_model is None:
        raise TrainingFailed(job)
    return job.fine_tuned_model


async def loss_curve(client: ftclient.FineTuningClient, job_id: str) -> list[float]:
    """Follow a job's events until it ends; return the training loss of every step."""
    losses = []
    async for event in client.jobs.follow_events(job_id):
        if event.type == "metrics" and event.data is not None:
            losses.append(float(event.data["train_loss"]))
    return losses


async def train_all(client: ftclient.FineTuningClient, files: Iterable[str]) -> dict[str, str]:
    """Start one job per training file and wait for all of them; file id -> final status."""
    by_job = {}
    for training_file in files:
        job = await client.jobs.create(model="gpt-4o-mini", training_file=training_file)
        by_job[job.id] = training_file
    statuses = {}
    async with client.jobs.wait_many(list(by_job)) as results:
        async for result in results:
            outcome = str(result.job.status) if result.ok else f"error: {result.error}"
            statuses[by_job[result.job_id]] = outcome
    return statuses


async def status_of(client: ftclient.FineTuningClient, job_id: str) -> str:
    """The job's status now."""
    return str((await client.jobs.retrieve(job_id)).status)
