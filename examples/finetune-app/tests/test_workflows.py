"""The app's workflows against ftclient's emulator, with the library's default intervals.

Each test takes simulated minutes: looptime fast-forwards the event loop's clock whenever the
loop would sleep, and the emulator's jobs follow that clock.
"""

import asyncio

import pytest
from finetune_app import TrainingFailed, loss_curve, status_of, train, train_all

import ftclient


async def test_train_waits_for_the_model(ft_client):
    model = await train(ft_client, "file-support", suffix="support")
    assert model.startswith("ft:gpt-4o-mini:emulator:support:")


async def test_a_bad_training_file_fails_the_job(ft_client):
    with pytest.raises(TrainingFailed, match="invalid training file"):
        await train(ft_client, "file-fail-format", suffix="broken")


async def test_a_job_that_breaks_while_training(ft_emulator, ft_client):
    job = await ft_client.jobs.create(model="gpt-4o-mini", training_file="file-x")
    await asyncio.sleep(20)  # simulated: the job is running by now
    ft_emulator.fail_job(job.id, code="server_error", message="GPU on fire")
    with pytest.raises(TrainingFailed, match="GPU on fire"):
        await train_wait(ft_client, job.id)


async def train_wait(client, job_id):
    job = await client.jobs.wait(job_id)
    if job.status != "succeeded":
        raise TrainingFailed(job)
    return job


async def test_a_429_with_retry_after_is_waited_out(ft_emulator, ft_client):
    ft_emulator.faults.add("createFineTuningJob", "rate_limit", retry_after=20)
    loop = asyncio.get_running_loop()
    started = loop.time()
    model = await train(ft_client, "file-busy", suffix="busy")
    assert model.startswith("ft:gpt-4o-mini:emulator:busy:")
    assert ft_emulator.stats.faults == 1
    assert loop.time() - started >= 20  # the client slept the server's hint, in loop time


@pytest.mark.ft_client(max_retries=0)
async def test_a_429_without_retries_surfaces(ft_emulator, ft_client):
    ft_emulator.faults.add("createFineTuningJob", "rate_limit", retry_after=3)
    with pytest.raises(ftclient.RateLimitError):
        await ft_client.jobs.create(model="gpt-4o-mini", training_file="file-x")


async def test_a_paused_job_is_reported_and_resumes(ft_emulator, ft_client):
    job = ft_emulator.add_job("paused", step=12)
    assert await status_of(ft_client, job["id"]) == "paused"
    paused = await ft_client.jobs.wait(job["id"], stop_on={"paused"})
    assert paused.status == "paused"
    await ft_client.jobs.resume(job["id"])
    done = await ft_client.jobs.wait(job["id"])
    assert done.status == "succeeded"


async def test_follow_events_gives_every_step(ft_client):
    job = await ft_client.jobs.create(model="gpt-4o-mini", training_file="file-curve")
    losses = await loss_curve(ft_client, job.id)
    assert len(losses) >= 30
    assert losses[-1] < losses[0]


async def test_wait_many_over_50_jobs(ft_client):
    files = [f"file-{n}" for n in range(48)] + ["file-fail-1", "file-fail-2"]
    statuses = await train_all(ft_client, files)
    assert len(statuses) == 50
    assert statuses["file-fail-1"] == statuses["file-fail-2"] == "failed"
    assert sum(status == "succeeded" for status in statuses.values()) == 48
