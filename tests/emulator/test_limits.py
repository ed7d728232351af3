"""The emulator's job limits: active jobs at once and creations per model per day, as 429s."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from ftclient.testing import FineTuningEmulator, JobLimits, JobTimings

from .conftest import Api

TIMINGS = JobTimings(
    validating=5,
    queued=5,
    per_step=1,
    min_steps_per_epoch=10,
    max_steps_per_epoch=10,
    default_epochs=1,
)  # every job: 20 s


async def limited(limits: JobLimits) -> AsyncIterator[Api]:
    async with (
        FineTuningEmulator(
            seed=1, speed=0, limits=limits, timings=TIMINGS, require_files=False
        ) as emulator,
        aiohttp.ClientSession() as session,
    ):
        yield Api(session, emulator)


@pytest.fixture
async def daily() -> AsyncIterator[Api]:
    async for api in limited(JobLimits(daily_per_model=2)):
        yield api


@pytest.fixture
async def active() -> AsyncIterator[Api]:
    async for api in limited(JobLimits(max_active=3, max_active_per_model=2)):
        yield api


async def test_the_daily_limit_is_per_model_and_answers_as_the_service_does(daily: Api) -> None:
    await daily.create_job()
    daily.emulator.clock.advance(3600)
    await daily.create_job()
    await daily.create_job(model="gpt-4.1-mini")  # another model: its own count
    reply = await daily.post("/fine_tuning/jobs", {"model": "gpt-4o-mini", "training_file": "f"})
    assert reply.status == 429
    assert reply.error == {
        "message": "This fine-tune request has been rate-limited. Your organization has reached "
        "the maximum of 2 fine-tuning requests per day for the model 'gpt-4o-mini'.",
        "type": "invalid_request_error",
        "param": None,
        "code": "daily_rate_limit_exceeded",
    }
    assert reply.headers["retry-after"] == str(86_400 - 3600)  # the first leaves the window
    assert len(daily.emulator.jobs) == 3  # nothing made
    daily.emulator.clock.advance(86_400 - 3600)
    await daily.create_job()


async def test_active_jobs_are_limited_until_one_finishes(active: Api) -> None:
    await active.create_job()
    await active.create_job()
    reply = await active.post("/fine_tuning/jobs", {"model": "gpt-4o-mini", "training_file": "f"})
    assert reply.status == 429
    assert reply.error["code"] == "rate_limit_exceeded"
    assert reply.error["message"].endswith(
        "maximum of 2 active fine-tuning jobs for the model 'gpt-4o-mini'."
    )
    assert reply.headers["retry-after"] == "20"  # when the first is due to finish
    await active.create_job(model="gpt-4.1-mini")
    reply = await active.post("/fine_tuning/jobs", {"model": "gpt-4.1-mini", "training_file": "f"})
    assert reply.error["message"].endswith("maximum of 3 active fine-tuning jobs.")
    active.emulator.clock.advance(20)  # the first two finish
    await active.create_job()
    assert active.emulator.limits is not None
    assert active.emulator.limits.refused == 2


async def test_a_cancelled_job_frees_its_slot(active: Api) -> None:
    first = await active.create_job()
    await active.create_job()
    assert (await active.post(f"/fine_tuning/jobs/{first['id']}/cancel")).status == 200
    await active.create_job()


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_limits_must_be_counts(bad: object) -> None:
    with pytest.raises(ValueError, match="max_active"):
        JobLimits(max_active=bad)  # type: ignore[arg-type]
