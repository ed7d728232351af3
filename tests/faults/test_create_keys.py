"""A create whose call timed out while the server was still working is not sent again, and the
caller's own retry with the same ``idempotency_key`` collects the job instead of a second one."""

from __future__ import annotations

import asyncio
import json

import pytest

import ftclient
from ftclient.testing import FineTuningEmulator
from tests.integration.helpers import sent

KEY = "ftclient_idempotency_key"


async def settled(emulator: FineTuningEmulator, operation: str) -> None:
    for _ in range(200):
        if all(r.status for r in sent(emulator, operation)):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the held-back create never finished")


async def test_timed_out_create_is_not_resent_and_the_same_key_collects_it(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add("createFineTuningJob", "delay", seconds=0.3)
    with pytest.raises(ftclient.APITimeoutError) as caught:
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t", timeout=0.1)
    [request] = sent(emulator, "createFineTuningJob")
    key = request.headers["Idempotency-Key"]
    assert json.loads(request.body)["metadata"] == {KEY: key}
    assert f"idempotency_key={key!r}" in str(caught.value)
    assert "jobs.create" in str(caught.value)  # the operation called, not a look-up's GET

    await settled(emulator, "createFineTuningJob")
    [late] = emulator.jobs  # the server finished the create after the client gave up
    again = await client.jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key=key
    )
    assert again.id == late
    assert list(emulator.jobs) == [late]
    assert len(sent(emulator, "createFineTuningJob")) == 1  # the second call only looked
    info = ftclient.response_info(again)
    assert info is not None
    assert (info.status, info.attempts) == (200, 0)  # found by the look-up: nothing sent
    assert info.recovery


async def test_the_same_key_twice_makes_one_job(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    first = await client.jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key="order-7"
    )
    second = await client.jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key="order-7"
    )
    assert first.id == second.id
    assert list(emulator.jobs) == [first.id]
    assert len(sent(emulator, "createFineTuningJob")) == 1
    # The first call looked the key up, sent, then read it back once (only one job carries it);
    # the second looked it up and found the job.
    assert len(sent(emulator, "listPaginatedFineTuningJobs")) == 3


async def test_random_keys_do_not_look_up_first(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert len(emulator.jobs) == 2
    assert sent(emulator, "listPaginatedFineTuningJobs") == []
    keys = {r.headers["Idempotency-Key"] for r in sent(emulator, "createFineTuningJob")}
    assert len(keys) == 2


async def test_timed_out_create_without_deduplication_is_not_resent(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    emulator.faults.add("createFineTuningJob", "delay", seconds=0.3)
    with pytest.raises(ftclient.APITimeoutError):
        await client.jobs.create(
            model="gpt-4o-mini", training_file="file-t", deduplicate=False, timeout=0.1
        )
    await settled(emulator, "createFineTuningJob")
    assert len(emulator.jobs) == 1
    assert len(sent(emulator, "createFineTuningJob")) == 1
    assert sent(emulator, "listPaginatedFineTuningJobs") == []
