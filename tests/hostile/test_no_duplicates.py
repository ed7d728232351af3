"""No duplicate job, grant or transition against a service whose reads lag and answers get lost.

Every test runs against :class:`FakeAPI`, not the emulator, on a simulated clock: the lags are
seconds long and cost no real time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

import ftclient

from .fake_api import FakeAPI

Make = Callable[..., ftclient.FineTuningClient]
TAG = "ftclient_idempotency_key"


def live(api: FakeAPI) -> list[str]:
    return [j["id"] for j in api.jobs if j["status"] != "cancelled"]


@pytest.mark.parametrize("lag", [0.0, 0.5, 2.0, 10.0])
@pytest.mark.parametrize("fault", ["lose", "500_after"])
async def test_a_lost_create_makes_one_job_however_the_list_lags(
    api: FakeAPI, make_client: Make, lag: float, fault: str
) -> None:
    api.lag = lag
    api.faults["create"] = [fault]
    job = await make_client().jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert [j["id"] for j in api.jobs] == [job.id]  # the first job, the only one
    assert len(api.sent("create")) == 1
    info = ftclient.response_info(job)
    assert info is not None
    assert info.recovery == ("the answer was lost; found the job by its idempotency key",)


async def test_three_lost_answers_still_make_one_job(api: FakeAPI, make_client: Make) -> None:
    api.lag = 2.0
    api.faults["create"] = ["lose", "lose", "lose"]
    job = await make_client().jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert [j["id"] for j in api.jobs] == [job.id]


async def test_a_create_that_did_not_act_is_sent_again_after_the_window(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 2.0
    api.faults["create"] = ["500_before"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=5.0))
    started = api.clock.now
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert [j["id"] for j in api.jobs] == [job.id]
    assert len(api.sent("create")) == 2
    first, second = api.sent("create")
    assert first.body == second.body  # the same key, the same document
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert api.clock.now - started >= 5.0  # looked for the whole window before sending again


async def test_the_callers_own_retry_with_the_key_cancels_the_second_job(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 2.0
    api.faults["create"] = ["lose"]
    client = make_client(max_retries=0)
    with pytest.raises(ftclient.APIConnectionError) as lost:
        await client.jobs.create(
            model="gpt-4o-mini", training_file="file-t", idempotency_key="order-42"
        )
    assert "idempotency_key='order-42'" in "\n".join(lost.value.__notes__)
    [first] = api.jobs
    again = await client.jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key="order-42"
    )
    # The list did not show the first job yet, so the retry made a second one; once the list
    # showed it, ftclient kept the first and cancelled the second (still validating: no cost).
    assert again.id == first["id"]
    assert live(api) == [first["id"]]
    assert len(api.jobs) == 2
    [cancel] = api.sent("cancel")
    create_keys = {s.headers["Idempotency-Key"] for s in api.sent("create")}
    assert cancel.headers["Idempotency-Key"] not in create_keys
    info = ftclient.response_info(again)
    assert info is not None
    assert any("cancelled the duplicate job" in note for note in info.recovery)


async def test_a_list_that_ignores_the_filter_never_yields_someone_elses_job(
    api: FakeAPI, make_client: Make
) -> None:
    api.honour_filter = False
    other = api.add_job(metadata={TAG: "someone-else"})
    api.add_job(metadata=None)
    api.faults["create"] = ["500_before"]
    job = await make_client().jobs.create(model="gpt-4o-mini", training_file="file-t")
    assert job.id != other["id"]
    assert job.metadata is not None
    assert job.metadata[TAG] != "someone-else"
    assert len(api.jobs) == 3  # the caller's job was made


async def test_a_server_that_drops_metadata_is_reported_not_hidden(
    api: FakeAPI, make_client: Make
) -> None:
    api.keep_metadata = False
    api.faults["create"] = ["lose"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=1.0))
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    info = ftclient.response_info(job)
    assert info is not None
    assert "the server did not keep the idempotency tag: duplicates unchecked" in info.recovery


async def test_checks_carry_the_calls_project_headers_and_query(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 1.0
    api.faults["create"] = ["lose"]
    await make_client().jobs.create(
        model="gpt-4o-mini",
        training_file="file-t",
        extra_headers={"OpenAI-Project": "proj_b"},
        extra_query={"tenant": "b"},
    )
    lookups = api.sent("list")
    assert lookups
    assert all(s.headers["OpenAI-Project"] == "proj_b" for s in lookups)
    assert all(s.query["tenant"] == "b" for s in lookups)
    assert all("Idempotency-Key" not in s.headers for s in lookups)  # it names the create
    assert len(api.jobs) == 1


async def test_a_partial_grant_is_completed_not_repeated(api: FakeAPI, make_client: Make) -> None:
    api.faults["grant"] = ["partial"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=1.0))
    page = await client.permissions.create("ft:m:ckpt", project_ids=["proj_a", "proj_b"])
    assert sorted(p["project_id"] for p in api.permissions) == ["proj_a", "proj_b"]
    assert [p.project_id for p in page.data] == ["proj_a", "proj_b"]
    assert api.sent("grant")[1].body == {"project_ids": ["proj_b"]}


async def test_a_lost_grant_is_not_granted_twice_when_the_list_lags(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 2.0
    api.faults["grant"] = ["lose"]
    page = await make_client().permissions.create("ft:m:ckpt", project_ids=["proj_a", "proj_b"])
    assert len(api.permissions) == 2
    assert len(api.sent("grant")) == 1
    assert sorted(p.project_id for p in page.data) == ["proj_a", "proj_b"]


async def test_a_lost_revoke_is_reported_deleted(api: FakeAPI, make_client: Make) -> None:
    api.lag = 2.0
    api.permissions.append(
        {
            "id": "cp_1",
            "object": "checkpoint.permission",
            "created_at": 1,
            "project_id": "p",
            "_at": 0.0,
        }
    )
    api.faults["revoke"] = ["lose"]
    result = await make_client().permissions.delete("ft:m:ckpt", "cp_1")
    assert (result.id, result.deleted) == ("cp_1", True)
    info = ftclient.response_info(result)
    assert info is not None
    assert info.recovery


async def test_a_cancel_that_acted_is_not_reported_as_refused(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 2.0
    job = api.add_job(status="running", _at=0.0)
    api.faults["cancel"] = ["lose"]
    cancelled = await make_client().jobs.cancel(job["id"])
    assert cancelled.status == "cancelled"
    assert cancelled.id == job["id"]


@pytest.mark.parametrize("lag", [0.0, 3.0])
async def test_two_processes_creating_with_one_key_keep_one_job_between_them(
    api: FakeAPI, make_client: Make, lag: float
) -> None:
    # Both look the key up before sending, find nothing, and create within the same second;
    # each then reconciles. Breaking the tie by "not the one I made" had each keep the other's
    # job and cancel its own: no live job at all.
    api.lag = lag
    first, second = await asyncio.gather(
        *(
            make_client().jobs.create(model="gpt-4o-mini", training_file="f", idempotency_key="k")
            for _ in range(2)
        )
    )
    assert len(api.sent("create")) == 2
    assert first.id == second.id == api.jobs[0]["id"]  # both name the first job made
    assert live(api) == [first.id]
    assert api.jobs[1]["status"] == "cancelled"
    assert api.jobs[1]["_before"] == "validating_files"
