"""Every retry rule and the cases that must not retry, against injected emulator faults."""

from __future__ import annotations

import logging

import pytest

import ftclient
from ftclient.testing import FineTuningEmulator

from .helpers import sent


async def make_job(client: ftclient.FineTuningClient) -> str:
    return (await client.jobs.create(model="gpt-4o-mini", training_file="file-t")).id


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_retryable_status_is_retried_then_succeeds(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, status: int
) -> None:
    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", "status", status=status, times=2)
    job = await client.jobs.retrieve(job_id)
    assert job.id == job_id
    info = ftclient.response_info(job)
    assert info is not None
    assert info.attempts == 3
    assert len(info.retry_waits) == 2
    statuses = [r.status for r in sent(emulator, "retrieveFineTuningJob")]
    assert statuses == [status, status, 200]


async def test_gives_up_after_max_retries_with_the_last_error(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", "status", status=503, times=5)
    with pytest.raises(ftclient.InternalServerError) as info:
        await client.jobs.retrieve(job_id)
    assert info.value.status == 503
    assert len(sent(emulator, "retrieveFineTuningJob")) == 3  # 1 + max_retries(2)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ftclient.BadRequestError),
        (401, ftclient.AuthenticationError),
        (403, ftclient.PermissionDeniedError),
        (404, ftclient.NotFoundError),
        (422, ftclient.UnprocessableEntityError),
    ],
)
async def test_client_errors_are_not_retried(
    client: ftclient.FineTuningClient,
    emulator: FineTuningEmulator,
    status: int,
    cls: type[ftclient.APIStatusError],
) -> None:
    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", "status", status=status)
    with pytest.raises(cls) as info:
        await client.jobs.retrieve(job_id)
    assert info.value.status == status
    assert len(sent(emulator, "retrieveFineTuningJob")) == 1


async def test_retry_after_seconds_is_obeyed_exactly(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", "status", status=429, retry_after=3)
    job = await client.jobs.retrieve(job_id)
    info = ftclient.response_info(job)
    assert info is not None
    assert info.retry_waits == (3.0,)


async def test_retry_after_ms_wins_over_seconds(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await make_job(client)
    emulator.faults.add(
        "retrieveFineTuningJob", "status", status=503, retry_after=7, retry_after_ms=250
    )
    info = ftclient.response_info(await client.jobs.retrieve(job_id))
    assert info is not None
    assert info.retry_waits == (0.25,)


async def test_retry_after_http_date_is_understood(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    import email.utils
    import time

    job_id = await make_job(client)
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    emulator.faults.add("retrieveFineTuningJob", "status", status=429, retry_after=date)
    info = ftclient.response_info(await client.jobs.retrieve(job_id))
    assert info is not None
    (wait,) = info.retry_waits
    assert 25 <= wait <= 31


async def test_insufficient_quota_is_never_retried(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await make_job(client)
    body = {
        "error": {
            "message": "You exceeded your current quota",
            "type": "insufficient_quota",
            "param": None,
            "code": "insufficient_quota",
        }
    }
    emulator.faults.add("retrieveFineTuningJob", "status", status=429, body=body, times=3)
    with pytest.raises(ftclient.RateLimitError) as info:
        await client.jobs.retrieve(job_id)
    assert info.value.code == "insufficient_quota"
    assert len(sent(emulator, "retrieveFineTuningJob")) == 1


async def test_x_should_retry_false_stops_a_retryable_status(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await make_job(client)
    emulator.faults.add(
        "retrieveFineTuningJob", "status", status=503, headers={"x-should-retry": "false"}
    )
    with pytest.raises(ftclient.InternalServerError):
        await client.jobs.retrieve(job_id)
    assert len(sent(emulator, "retrieveFineTuningJob")) == 1


async def test_x_should_retry_true_retries_a_client_error(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await make_job(client)
    emulator.faults.add(
        "retrieveFineTuningJob", "status", status=400, headers={"x-should-retry": "true"}
    )
    assert (await client.jobs.retrieve(job_id)).id == job_id
    assert len(sent(emulator, "retrieveFineTuningJob")) == 2


@pytest.mark.parametrize("kind", ["drop_before", "truncate", "drop_after"])
async def test_connection_faults_are_retried(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, kind: str
) -> None:
    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", kind)
    job = await client.jobs.retrieve(job_id)
    assert job.id == job_id
    info = ftclient.response_info(job)
    assert info is not None
    # exactly ftclient's one retry: aiohttp's own hidden resend is switched off
    assert info.attempts == 2
    assert [r.fault for r in sent(emulator, "retrieveFineTuningJob")] == [kind, None]


async def test_connection_error_after_retries_is_raised_from_aiohttp(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    import aiohttp

    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", "drop_before", times=10)
    with pytest.raises(ftclient.APIConnectionError) as info:
        await client.jobs.retrieve(job_id)
    assert isinstance(info.value.__cause__, aiohttp.ClientError)
    records = sent(emulator, "retrieveFineTuningJob")
    assert [r.fault for r in records] == ["drop_before"] * 3


async def test_timeouts_are_retried_then_raised(emulator: FineTuningEmulator) -> None:
    async with ftclient.FineTuningClient(
        api_key="k", base_url=emulator.url, retry_policy=ftclient.RetryPolicy(wait=False)
    ) as client:
        job_id = await make_job(client)
        emulator.faults.add("retrieveFineTuningJob", "delay", seconds=0.5, times=3)
        with pytest.raises(ftclient.APITimeoutError) as info:
            await client.jobs.retrieve(
                job_id, timeout=ftclient.Timeouts(total=None, connect=1, read=0.05)
            )
        assert isinstance(info.value, ftclient.APIConnectionError)
        assert isinstance(info.value.__cause__, TimeoutError)
    assert len(sent(emulator, "retrieveFineTuningJob")) == 3


async def test_slow_body_past_the_read_timeout_is_a_timeout(emulator: FineTuningEmulator) -> None:
    async with ftclient.FineTuningClient(
        api_key="k", base_url=emulator.url, max_retries=0
    ) as client:
        job_id = await make_job(client)
        emulator.faults.add("retrieveFineTuningJob", "slow_body", seconds=0.5)
        with pytest.raises(ftclient.APITimeoutError):
            await client.jobs.retrieve(
                job_id, timeout=ftclient.Timeouts(total=None, connect=1, read=0.05)
            )


async def test_max_retries_zero_sends_once(emulator: FineTuningEmulator) -> None:
    async with ftclient.FineTuningClient(api_key="k", base_url=emulator.url, max_retries=0) as c:
        job_id = await make_job(c)
        emulator.faults.add("retrieveFineTuningJob", "status", status=500)
        with pytest.raises(ftclient.InternalServerError):
            await c.jobs.retrieve(job_id)
    assert len(sent(emulator, "retrieveFineTuningJob")) == 1


async def test_html_error_page_gives_status_error_with_excerpt(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", "html", times=3)
    with pytest.raises(ftclient.InternalServerError) as info:
        await client.jobs.retrieve(job_id)
    assert info.value.status == 502
    assert "502 Bad Gateway" in info.value.message
    assert "<html>" not in info.value.message


async def test_each_attempt_is_logged_without_the_key(
    client: ftclient.FineTuningClient,
    emulator: FineTuningEmulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job_id = await make_job(client)
    emulator.faults.add("retrieveFineTuningJob", "status", status=500)
    with caplog.at_level(logging.DEBUG, logger="ftclient"):
        await client.jobs.retrieve(job_id)
    lines = [r.getMessage() for r in caplog.records if r.name == "ftclient"]
    attempts = [line for line in lines if "attempt" in line and "-> " in line]
    assert len(attempts) == 2
    assert "-> 500" in attempts[0]
    assert "attempt 1" in attempts[0]
    assert "-> 200" in attempts[1]
    assert "attempt 2" in attempts[1]
    assert "req_" in attempts[1]
    assert all("sk-test-key" not in line for line in lines)


async def test_successful_response_that_does_not_decode_names_the_path(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add(
        "retrieveFineTuningJob",
        "status",
        status=200,
        body={"id": "ftjob-x", "object": "fine_tuning.job", "created_at": "yesterday"},
    )
    with pytest.raises(ftclient.APIResponseValidationError) as info:
        await client.jobs.retrieve("ftjob-x")
    assert "$" in info.value.path
    assert info.value.status == 200


async def test_non_json_success_body_is_a_validation_error(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add("retrieveFineTuningJob", "status", status=200, body="<html>ok</html>")
    with pytest.raises(ftclient.APIResponseValidationError, match="not valid JSON"):
        await client.jobs.retrieve("ftjob-x")
