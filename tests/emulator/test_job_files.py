"""A job and its files, over real HTTP: the create-time refusals the service answers, the
validation failure of a file that breaks the data rules, and the results file of a job.

The faithful emulator (``require_files=True``, the default) unless a test says otherwise.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import pytest

from ftclient.testing import SAMPLE_TRAINING_DATA, FileRules, FineTuningEmulator
from tests.emulator.conftest import Api, Reply

LATER = 24 * 3600  # simulated seconds: any job has ended by then


@pytest.fixture
async def emu() -> AsyncIterator[FineTuningEmulator]:
    """Faithful, with a still clock; an uploaded file takes 30 s to be processed."""
    async with FineTuningEmulator(seed=5, speed=0, file_rules=FileRules(processing=30)) as e:
        yield e


async def create_job(api: Api, training_file: str, **fields: object) -> Reply:
    body = {"model": "gpt-4o-mini", "training_file": training_file, **fields}
    return await api.post("/fine_tuning/jobs", body)


def refusal(message: str, param: str) -> dict[str, object]:
    return {"message": message, "type": "invalid_request_error", "param": param, "code": None}


async def test_an_unknown_training_file_is_refused_as_by_the_service(
    api: Api, emu: FineTuningEmulator
) -> None:
    reply = await create_job(api, "file-never-uploaded")
    assert reply.status == 400
    assert reply.error == refusal("invalid training_file: file-never-uploaded", "training_file")
    assert emu.jobs == {}


async def test_an_unknown_validation_file_names_its_param(
    api: Api, emu: FineTuningEmulator
) -> None:
    good = emu.seed_file(SAMPLE_TRAINING_DATA)["id"]
    reply = await create_job(api, good, validation_file="file-nope")
    assert reply.status == 400
    assert reply.error == refusal("invalid validation_file: file-nope", "validation_file")


async def test_a_file_still_being_processed_is_refused_until_it_is_processed(
    api: Api, emu: FineTuningEmulator
) -> None:
    uploaded = (await api.create_file(SAMPLE_TRAINING_DATA)).body
    assert uploaded["status"] == "uploaded"
    reply = await create_job(api, uploaded["id"])
    assert reply.status == 400
    assert reply.error == refusal(
        f"File '{uploaded['id']}' is still being processed and is not ready to be used for "
        "fine-tuning. Please try again later.",
        "training_file",
    )
    emu.clock.advance(30)
    assert (await create_job(api, uploaded["id"])).status == 200


async def test_a_file_of_another_purpose_is_refused(api: Api, emu: FineTuningEmulator) -> None:
    other = emu.seed_file(SAMPLE_TRAINING_DATA, filename="t.jsonl", purpose="assistants")["id"]
    reply = await create_job(api, other)
    assert reply.status == 400
    assert reply.error["param"] == "training_file"
    assert reply.error["message"].startswith(f"invalid training_file: {other}")
    assert "'assistants'" in reply.error["message"]


async def test_a_deleted_file_is_refused(api: Api, emu: FineTuningEmulator) -> None:
    file_id = emu.seed_file(SAMPLE_TRAINING_DATA)["id"]
    assert (await api.request("DELETE", f"/files/{file_id}")).status == 200
    reply = await create_job(api, file_id)
    assert reply.error == refusal(f"invalid training_file: {file_id}", "training_file")


async def failed_job(api: Api, emu: FineTuningEmulator, training_file: str, **fields: object):
    created = await create_job(api, training_file, **fields)
    assert created.status == 200, created
    assert created.body["status"] == "validating_files"
    emu.clock.advance(LATER)
    job = await api.job(created.body["id"])
    assert job["status"] == "failed"
    assert job["fine_tuned_model"] is None
    assert job["result_files"] == []
    events = (await api.get(f"/fine_tuning/jobs/{job['id']}/events", limit=100)).body["data"]
    # It failed while validating: it never trained.
    assert not any(event["type"] == "metrics" for event in events)
    return job


async def test_a_file_that_breaks_the_data_rules_fails_the_job_while_validating(
    api: Api, emu: FineTuningEmulator
) -> None:
    lines = SAMPLE_TRAINING_DATA.splitlines(keepends=True)
    broken = b"".join([*lines[:3], b'{"prompt": "a", "completion": "b"}\n', *lines[3:]])
    file_id = emu.seed_file(broken)["id"]
    job = await failed_job(api, emu, file_id)
    error = job["error"]
    assert (error["code"], error["param"]) == ("invalid_training_file", "training_file")
    # The service's words, then the problem found: the 4th example.
    assert error["message"].startswith(
        "The job failed due to an invalid training file. Invalid file format. Example 4"
    )


async def test_too_few_examples_fails_with_invalid_n_examples(
    api: Api, emu: FineTuningEmulator
) -> None:
    seven = b"".join(SAMPLE_TRAINING_DATA.splitlines(keepends=True)[:7])
    job = await failed_job(api, emu, emu.seed_file(seven)["id"])
    assert job["error"] == {
        "code": "invalid_n_examples",
        "message": "Training file has 7 example(s), but must have at least 10 examples",
        "param": "training_file",
    }


async def test_a_broken_validation_file_fails_the_job_naming_it(
    api: Api, emu: FineTuningEmulator
) -> None:
    train = emu.seed_file(SAMPLE_TRAINING_DATA)["id"]
    valid = emu.seed_file(b"not json\n", filename="v.jsonl")["id"]
    job = await failed_job(api, emu, train, validation_file=valid)
    assert job["error"]["code"] == "invalid_validation_file"
    assert job["error"]["param"] == "validation_file"
    assert job["error"]["message"].startswith(
        "The job failed due to an invalid validation file. Invalid file format. Example 1"
    )


async def test_a_succeeded_jobs_results_file_is_a_file_that_downloads(
    api: Api, emu: FineTuningEmulator
) -> None:
    file_id = emu.seed_file(SAMPLE_TRAINING_DATA)["id"]
    created = (await create_job(api, file_id)).body
    emu.clock.advance(LATER)
    job = await api.job(created["id"])
    assert job["status"] == "succeeded"
    [results_id] = job["result_files"]
    results = (await api.get(f"/files/{results_id}")).body
    assert (results["purpose"], results["status"]) == ("fine-tune-results", "processed")
    listed = (await api.get("/files", purpose="fine-tune-results")).body["data"]
    assert [f["id"] for f in listed] == [results_id]
    raw = (await api.request("GET", f"/files/{results_id}/content")).raw
    assert results["bytes"] == len(raw)
    # Served base64-encoded, as the service does: the CSV of the job's steps.
    rows = base64.b64decode(raw).decode().splitlines()
    assert rows[0] == "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"
    metrics = [
        e for e in (await api.all_pages(f"/fine_tuning/jobs/{job['id']}/events", 100))
        if e["type"] == "metrics"
    ]  # fmt: skip
    assert len(rows) - 1 == len(metrics)
    assert sorted(int(row.split(",")[0]) for row in rows[1:]) == sorted(
        e["data"]["step"] for e in metrics
    )


async def test_a_results_file_exists_without_the_job_being_read_first(
    api: Api, emu: FineTuningEmulator
) -> None:
    created = (await create_job(api, emu.seed_file(SAMPLE_TRAINING_DATA)["id"])).body
    emu.clock.advance(LATER)
    listed = (await api.get("/files", purpose="fine-tune-results")).body["data"]
    assert len(listed) == 1
    assert emu.job_json(created["id"])["result_files"] == [listed[0]["id"]]


async def test_the_switch_takes_made_up_ids(api: Api) -> None:
    async with FineTuningEmulator(speed=0, require_files=False) as lenient:
        api.emulator = lenient
        ok = await create_job(api, "file-abc")
        failing = await create_job(api, "file-fail-format")
        assert (ok.status, failing.status) == (200, 200)
        lenient.clock.advance(LATER)
        assert (await api.job(ok.body["id"]))["status"] == "succeeded"
        failed = await api.job(failing.body["id"])
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "invalid_training_file"
        # A real file is still held to the data rules.
        seven = b"".join(SAMPLE_TRAINING_DATA.splitlines(keepends=True)[:7])
        short = await create_job(api, lenient.seed_file(seven)["id"])
        lenient.clock.advance(LATER)
        assert (await api.job(short.body["id"]))["error"]["code"] == "invalid_n_examples"


def test_seed_file_checks_its_arguments() -> None:
    emu = FineTuningEmulator(speed=0)
    document = emu.seed_file('{"messages": []}\n', file_id="file-abc")
    assert (document["id"], document["status"], document["purpose"]) == (
        "file-abc",
        "processed",
        "fine-tune",
    )
    assert emu.files.get("file-abc", emu.clock.now()).content == b'{"messages": []}\n'
    with pytest.raises(ValueError, match="exists already"):
        emu.seed_file(b"x", file_id="file-abc")
    with pytest.raises(ValueError, match="purpose must be one of"):
        emu.seed_file(b"x", purpose="fine-tuning")
    with pytest.raises(ValueError, match="filename"):
        emu.seed_file(b"x", filename=" ")


def test_the_sample_training_data_passes_the_rules() -> None:
    lines = SAMPLE_TRAINING_DATA.decode().splitlines()
    assert len(lines) == 10
    assert all(set(json.loads(line)) == {"messages"} for line in lines)
