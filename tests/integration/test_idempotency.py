"""No duplicate side effects when an attempt acted but its answer was lost."""

from __future__ import annotations

import json

import aiohttp
import pytest

import ftclient
from ftclient.testing import FineTuningEmulator

from .helpers import finished_job, sent

AMBIGUOUS_AFTER_ACTING = ["drop_after", "truncate"]


def job_count(emulator: FineTuningEmulator) -> int:
    return len(emulator.jobs)


@pytest.mark.parametrize("kind", AMBIGUOUS_AFTER_ACTING)
async def test_create_whose_answer_was_lost_returns_the_job_it_made(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, kind: str
) -> None:
    emulator.faults.add("createFineTuningJob", kind)
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t", metadata={"a": "b"})
    assert job_count(emulator) == 1
    assert job.id in emulator.jobs
    assert len(sent(emulator, "createFineTuningJob")) == 1  # never sent twice
    [lookup] = sent(emulator, "listPaginatedFineTuningJobs")
    key = json.loads(sent(emulator, "createFineTuningJob")[0].body)["metadata"][
        "ftclient_idempotency_key"
    ]
    assert ("metadata[ftclient_idempotency_key]", key) in lookup.query
    info = ftclient.response_info(job)
    assert info is not None
    assert info.attempts == 1  # the create; the look-up that found the job is a check
    assert info.recovery


async def test_create_lost_before_acting_is_sent_again_once(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add("createFineTuningJob", "drop_before")
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert job_count(emulator) == 1
    assert [r.fault for r in sent(emulator, "createFineTuningJob")] == ["drop_before", None]
    # Looked up for the whole consistency window (no job appeared), then sent again, then one
    # more look-up reconciled: the key names one job.
    assert len(sent(emulator, "listPaginatedFineTuningJobs")) > 2
    bodies = [r.body for r in sent(emulator, "createFineTuningJob")]
    assert bodies[0] == bodies[1]  # the same key both times
    assert job.id in emulator.jobs


async def test_create_after_a_5xx_checks_before_sending_again(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add("createFineTuningJob", "status", status=502)
    await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert job_count(emulator) == 1
    assert len(sent(emulator, "listPaginatedFineTuningJobs")) > 2


async def test_create_after_a_429_is_sent_again_without_a_lookup(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add("createFineTuningJob", "rate_limit")
    await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert job_count(emulator) == 1
    assert sent(emulator, "listPaginatedFineTuningJobs") == []


async def test_create_without_deduplication_is_not_retried_after_ambiguous_failure(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add("createFineTuningJob", "drop_after")
    with pytest.raises(ftclient.APIConnectionError) as info:
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t", deduplicate=False)
    assert isinstance(info.value.__cause__, aiohttp.ClientError)  # still raised from aiohttp
    assert job_count(emulator) == 1
    assert len(sent(emulator, "createFineTuningJob")) == 1


async def test_full_metadata_leaves_no_room_so_no_ambiguous_retry(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    metadata = {f"k{i}": "v" for i in range(16)}
    emulator.faults.add("createFineTuningJob", "drop_after")
    with pytest.raises(ftclient.APIConnectionError):
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t", metadata=metadata)
    assert job_count(emulator) == 1
    [request] = sent(emulator, "createFineTuningJob")
    assert json.loads(request.body)["metadata"] == metadata


async def test_caller_key_is_reused_and_reserved(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    first = await client.jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key="order-42"
    )
    assert first.metadata == {"ftclient_idempotency_key": "order-42"}
    assert sent(emulator, "createFineTuningJob")[0].headers["Idempotency-Key"] == "order-42"
    with pytest.raises(ftclient.InvalidParameterError) as refused:
        await client.jobs.create(
            model="gpt-4o-mini",
            training_file="file-t",
            metadata={"ftclient_idempotency_key": "other"},
        )
    assert str(refused.value) == (
        "metadata['ftclient_idempotency_key']: is reserved for ftclient's duplicate protection; "
        "pass idempotency_key= instead"
    )


async def running_job(client: ftclient.FineTuningClient, emulator: FineTuningEmulator) -> str:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    for _ in range(100):
        if (await client.jobs.retrieve(job.id)).status == "running":
            return job.id
        emulator.clock.advance(5)
    raise AssertionError("job never ran")


@pytest.mark.parametrize("kind", AMBIGUOUS_AFTER_ACTING)
async def test_transitions_whose_answer_was_lost_return_the_job(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, kind: str
) -> None:
    job_id = await running_job(client, emulator)
    emulator.faults.add("pauseFineTuningJob", kind)
    assert (await client.jobs.pause(job_id)).status == "paused"
    emulator.faults.add("resumeFineTuningJob", kind)
    assert (await client.jobs.resume(job_id)).status == "running"
    emulator.faults.add("cancelFineTuningJob", kind)
    assert (await client.jobs.cancel(job_id)).status == "cancelled"
    for op in ("pauseFineTuningJob", "resumeFineTuningJob", "cancelFineTuningJob"):
        assert len(sent(emulator, op)) == 1, op


async def test_transition_lost_before_acting_is_sent_again(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job_id = await running_job(client, emulator)
    emulator.faults.add("cancelFineTuningJob", "drop_before")
    assert (await client.jobs.cancel(job_id)).status == "cancelled"
    assert [r.fault for r in sent(emulator, "cancelFineTuningJob")] == ["drop_before", None]


@pytest.mark.parametrize("kind", AMBIGUOUS_AFTER_ACTING)
async def test_permission_grant_and_revoke_survive_lost_answers(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, kind: str
) -> None:
    done = await finished_job(client, emulator)
    checkpoint = (await client.checkpoints.list(done.id, limit=1)).data[0]
    name = checkpoint.fine_tuned_model_checkpoint
    emulator.faults.add("createFineTuningCheckpointPermission", kind)
    granted = await client.permissions.create(name, project_ids=["proj-a", "proj-b"])
    assert sorted(p.project_id for p in granted.data) == ["proj-a", "proj-b"]
    assert len(sent(emulator, "createFineTuningCheckpointPermission")) == 1
    assert len([p async for p in client.permissions.list(name)]) == 2

    emulator.faults.add("deleteFineTuningCheckpointPermission", kind)
    revoked = await client.permissions.delete(name, granted.data[0].id)
    assert revoked.deleted is True
    assert revoked.id == granted.data[0].id
    assert len(sent(emulator, "deleteFineTuningCheckpointPermission")) == 1
    assert [p.project_id async for p in client.permissions.list(name)] == [
        granted.data[1].project_id
    ]
