"""What each guard sends and records, exactly: the checks' requests and the recovery notes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

import ftclient

from .fake_api import FakeAPI

Make = Callable[..., ftclient.FineTuningClient]
TAG = "ftclient_idempotency_key"
WINDOW = ftclient.RetryPolicy(consistency_window=1.0)


def recovery(result: Any) -> tuple[str, ...]:
    info = ftclient.response_info(result)
    assert info is not None
    return info.recovery


def permission(api: FakeAPI, perm_id: str, project: str) -> None:
    api.permissions.append(
        {
            "id": perm_id,
            "object": "checkpoint.permission",
            "created_at": 1,
            "project_id": project,
            "_at": 0.0,
        }
    )


async def test_the_key_look_up_asks_for_one_page_of_tagged_jobs(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["create"] = ["lose"]
    job = await make_client().jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key="k-1"
    )
    lookups = api.sent("list")
    assert all(s.query == {"limit": "100", f"metadata[{TAG}]": "k-1"} for s in lookups)
    assert recovery(job) == ("the answer was lost; found the job by its idempotency key",)


async def test_a_job_found_before_sending_says_so(api: FakeAPI, make_client: Make) -> None:
    made = api.add_job(metadata={TAG: "k-2"})
    job = await make_client().jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key="k-2"
    )
    assert job.id == made["id"]
    assert api.sent("create") == []
    assert recovery(job) == ("found by its idempotency key; not sent again",)
    info = ftclient.response_info(job)
    assert info is not None
    assert info.attempts == 0


async def test_a_duplicate_is_cancelled_and_the_first_job_kept(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 2.0
    api.faults["create"] = ["lose"]
    client = make_client(max_retries=0)
    with pytest.raises(ftclient.APIConnectionError):
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t", idempotency_key="k-3")
    job = await client.jobs.create(
        model="gpt-4o-mini", training_file="file-t", idempotency_key="k-3"
    )
    first, second = api.jobs
    assert job.id == first["id"]
    assert second["status"] == "cancelled"
    [cancel] = api.sent("cancel")
    assert cancel.query == {}
    assert recovery(job) == (
        f"cancelled the duplicate job {second['id']} made by a resend",
        f"kept {first['id']}, the first job made with this key",
    )


async def test_a_check_that_fails_stops_the_create_and_names_the_key(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["create"] = ["lose"]
    api.faults["list"] = ["500_before"] * 3
    with pytest.raises(ftclient.APIConnectionError) as caught:
        await make_client().jobs.create(model="gpt-4o-mini", training_file="file-t")
    key = api.sent("create")[0].headers["Idempotency-Key"]
    [note] = caught.value.__notes__
    assert note.startswith("not sent again: ftclient could not check whether the job was made (")
    assert "server error" in note
    assert note.endswith(
        f"call jobs.create again with idempotency_key={key!r} to get it without making a second one"
    )
    assert len(api.sent("create")) == 1


async def test_a_read_back_that_fails_keeps_the_job_and_says_so(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["create"] = ["500_before"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=0.5))
    # The window's look-ups find nothing; the read-back after the resend fails.
    api.faults["list"] = [None, None, None, "500_before", "500_before", "500_before"]  # type: ignore[list-item]
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    [note] = recovery(job)
    assert note.startswith("could not check for duplicates after the resend: ")
    assert job.id == api.jobs[0]["id"]


async def test_a_lost_cancel_found_done_says_so(api: FakeAPI, make_client: Make) -> None:
    job = api.add_job(status="running", _at=0.0)
    api.faults["cancel"] = ["lose"]
    done = await make_client().jobs.cancel(job["id"])
    assert recovery(done) == ("the answer was lost; the job is already cancelled",)
    [check] = api.sent("retrieve")
    assert "Idempotency-Key" not in check.headers


async def test_a_refused_resend_of_a_cancel_that_acted_says_so(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 2.0
    job = api.add_job(status="running", _at=0.0)
    api.faults["cancel"] = ["lose"]
    done = await make_client().jobs.cancel(job["id"])
    assert recovery(done) == ("the answer was lost; the job is cancelled",)


async def test_a_refused_resend_of_a_cancel_that_did_not_act_is_raised(
    api: FakeAPI, make_client: Make
) -> None:
    job = api.add_job(status="cancelled", _at=0.0)
    job["_before"] = "running"
    api.lag = 1e9  # reads keep showing "running"
    api.faults["cancel"] = ["500_before"]
    with pytest.raises(ftclient.BadRequestError):
        await make_client(retry_policy=WINDOW).jobs.cancel(job["id"])


async def test_a_cancel_refused_with_another_status_is_raised_unchecked(
    api: FakeAPI, make_client: Make
) -> None:
    job = api.add_job(status="running", _at=0.0)
    api.faults["cancel"] = ["500_before", "status:403"]
    with pytest.raises(ftclient.PermissionDeniedError):
        await make_client(retry_policy=WINDOW).jobs.cancel(job["id"])
    assert len(api.sent("retrieve")) == 1  # checked once before the resend, not after the 403


async def test_grants_found_and_completed_say_so(api: FakeAPI, make_client: Make) -> None:
    api.faults["grant"] = ["lose"]
    page = await make_client().permissions.create("ft:m:c", project_ids=["proj_a", "proj_b"])
    assert recovery(page) == ("the answer was lost; every project was already granted",)
    assert (page.first_id, page.last_id, page.has_more) == (
        page.data[0].id,
        page.data[1].id,
        False,
    )
    api.faults["grant"] = ["partial"]
    page = await make_client(retry_policy=WINDOW).permissions.create(
        "ft:m:d", project_ids=["proj_c", "proj_d", "proj_c"]
    )
    assert [p.project_id for p in page.data] == ["proj_c", "proj_d"]
    assert recovery(page) == ("already granted: proj_c", "granted only the projects still missing")
    assert (page.first_id, page.last_id) == (page.data[0].id, page.data[-1].id)


async def test_the_permission_checks_read_every_page(api: FakeAPI, make_client: Make) -> None:
    for index in range(150):
        permission(api, f"cp_{index:03}", f"proj_{index:03}")
    api.faults["revoke"] = ["lose"]
    result = await make_client().permissions.delete("ft:m:c", "cp_149")
    assert result.deleted
    pages = api.sent("permissions")
    assert [s.query.get("after") for s in pages][:2] == [None, "cp_099"]
    assert all(s.query["limit"] == "100" for s in pages)
    assert recovery(result) == ("the answer was lost; the permission is gone",)


async def test_a_revoke_whose_check_fails_is_sent_again(api: FakeAPI, make_client: Make) -> None:
    permission(api, "cp_1", "p")
    api.faults["revoke"] = ["500_before"]
    api.faults["permissions"] = ["500_before"] * 3
    result = await make_client().permissions.delete("ft:m:c", "cp_1")
    assert result.deleted
    assert len(api.sent("revoke")) == 2
    assert recovery(result) == ()


async def test_a_resent_revoke_answered_404_says_so(api: FakeAPI, make_client: Make) -> None:
    api.lag = 2.0
    permission(api, "cp_1", "p")
    api.faults["revoke"] = ["lose"]
    result = await make_client().permissions.delete("ft:m:c", "cp_1")
    assert recovery(result) == ("the answer was lost; a resend found the permission gone",)
    info = ftclient.response_info(result)
    assert info is not None
    assert info.status == 200


async def test_each_attempt_is_logged_with_its_operation_status_and_number(
    api: FakeAPI, make_client: Make, caplog: pytest.LogCaptureFixture
) -> None:
    job = api.add_job()
    api.faults["retrieve"] = ["500_before"]
    with caplog.at_level(logging.DEBUG, logger="ftclient"):
        await make_client().jobs.retrieve(job["id"])
    lines = [r.getMessage() for r in caplog.records if r.name == "ftclient"]
    path = f"/fine_tuning/jobs/{job['id']}"
    assert any(line.startswith(f"jobs.retrieve: GET {path} -> 500 in ") for line in lines)
    assert any(line.endswith("(request id None, attempt 1)") for line in lines)
    assert any(line.startswith("jobs.retrieve: retrying in 0.") for line in lines)
    assert any(line.endswith("(request id None, attempt 2)") and "-> 200" in line for line in lines)


async def test_the_gate_counts_requests_in_flight_and_learns_from_each_answer(
    api: FakeAPI, make_client: Make
) -> None:
    job = api.add_job()
    client = make_client()
    gate = client.rate_gate
    seen: list[tuple[int, float | None]] = []
    learn = gate.on_response

    def on_response(status: int, headers: Any, *, sent_at: float | None = None) -> None:
        seen.append((gate.in_flight, sent_at))
        learn(status, headers, sent_at=sent_at)

    gate.on_response = on_response  # type: ignore[method-assign]
    await client.jobs.retrieve(job["id"])
    await client.jobs.retrieve(job["id"])
    assert [count for count, _ in seen] == [0, 0]
    assert all(sent_at is not None for _, sent_at in seen)
    assert gate.in_flight == 0


async def test_every_check_is_logged_under_the_operation_it_serves(
    api: FakeAPI, make_client: Make, caplog: pytest.LogCaptureFixture
) -> None:
    api.lag = 2.0
    running = api.add_job(status="running", _at=0.0)
    permission(api, "cp_1", "proj_x")
    api.faults.update(create=["lose"], cancel=["lose"], grant=["lose"], revoke=["lose"])
    client = make_client()
    with caplog.at_level(logging.DEBUG, logger="ftclient"):
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
        await client.jobs.cancel(running["id"])
        await client.permissions.create("ft:m:c", project_ids=["proj_y"])
        await client.permissions.delete("ft:m:c", "cp_1")
    lines = [r.getMessage() for r in caplog.records if r.name == "ftclient"]
    permissions = "GET /fine_tuning/checkpoints/ft:m:c/permissions -> 200"
    wanted = [
        "jobs.create (look up its idempotency key): GET /fine_tuning/jobs -> 200",
        f"jobs.cancel (retrieve the job): GET /fine_tuning/jobs/{running['id']} -> 200",
        f"permissions.create (list the permissions): {permissions}",
        f"permissions.delete (list the permissions): {permissions}",
    ]
    for prefix in wanted:
        assert any(line.startswith(prefix) for line in lines), prefix


async def test_a_duplicate_that_cannot_be_cancelled_is_reported(
    api: FakeAPI, make_client: Make, caplog: pytest.LogCaptureFixture
) -> None:
    api.lag = 2.0
    api.faults["create"] = ["lose"]
    client = make_client(max_retries=0)
    with pytest.raises(ftclient.APIConnectionError):
        await client.jobs.create(model="gpt-4o-mini", training_file="file-t", idempotency_key="k-5")
    api.faults["cancel"] = ["status:403"]
    with caplog.at_level(logging.DEBUG, logger="ftclient"):
        job = await client.jobs.create(
            model="gpt-4o-mini", training_file="file-t", idempotency_key="k-5"
        )
    first, second = api.jobs
    assert job.id == first["id"]
    assert second["status"] != "cancelled"
    notes = recovery(job)
    assert notes[0].startswith(f"could not cancel the duplicate job {second['id']}: 403 refused")
    assert notes[1] == f"kept {first['id']}, the first job made with this key"
    [cancel] = api.sent("cancel")
    assert any(
        line.startswith(
            f"jobs.create (cancel a duplicate): POST /fine_tuning/jobs/{second['id']}/cancel"
        )
        for line in (r.getMessage() for r in caplog.records)
    )
    assert "Idempotency-Key" in cancel.headers


async def test_a_grant_whose_check_fails_is_not_sent_again(api: FakeAPI, make_client: Make) -> None:
    api.faults["grant"] = ["lose"]
    api.faults["permissions"] = ["500_before"] * 3
    with pytest.raises(ftclient.APIConnectionError) as caught:
        await make_client().permissions.create("ft:m:c", project_ids=["proj_a"])
    [note] = caught.value.__notes__
    assert note.startswith("not sent again: ftclient could not list the permissions (500 ")
    assert len(api.sent("grant")) == 1


async def test_a_grant_that_did_not_act_is_sent_again_whole_once_the_window_passes(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["grant"] = ["500_before"]
    started = api.clock.now
    page = await make_client(retry_policy=WINDOW).permissions.create(
        "ft:m:c", project_ids=["proj_a", "proj_b"]
    )
    assert [p.project_id for p in page.data] == ["proj_a", "proj_b"]
    assert api.sent("grant")[1].body == {"project_ids": ["proj_a", "proj_b"]}
    assert recovery(page) == ("already granted: none",)
    assert api.clock.now - started >= 1.0  # looked for the whole window first


async def test_grants_all_found_at_once_do_not_wait_the_window(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["grant"] = ["lose"]
    started = api.clock.now
    page = await make_client().permissions.create(
        "ft:m:c", project_ids=["proj_a", "proj_b", "proj_c"]
    )
    assert api.clock.now - started < 1.0  # the first wait, then one look
    assert [p.project_id for p in page.data] == ["proj_a", "proj_b", "proj_c"]
    assert (page.first_id, page.last_id) == (page.data[0].id, page.data[2].id)
    assert page.has_more is False


async def test_an_unchecked_create_that_may_have_acted_names_its_key(
    api: FakeAPI, make_client: Make
) -> None:
    # deduplicate=False: nothing can be looked up, so the lost create is raised, not resent,
    # with the reason and (from the guard, not the runner) the key to collect the job with.
    api.faults["create"] = ["lose"]
    with pytest.raises(ftclient.APIConnectionError) as caught:
        await make_client(max_retries=0).jobs.create(
            model="gpt-4o-mini", training_file="file-t", deduplicate=False, idempotency_key="k-7"
        )
    assert caught.value.__notes__ == [
        "the job may have been made: call jobs.create again with idempotency_key='k-7' to get "
        "it without making a second one"
    ]
    assert len(api.sent("create")) == 1
    assert api.sent("list") == []
