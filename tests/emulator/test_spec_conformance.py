"""Every operation answers in the shape of its spec response, and the checker itself is strict."""

from __future__ import annotations

import io

import aiohttp
import pytest

from ftclient.testing import FineTuningEmulator
from tests.emulator.conftest import Api, seg
from tests.emulator.spec_check import (
    assert_valid_response,
    load_spec,
    operation_ids,
    response_errors,
)


async def test_every_operation_round_trip(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job(validation_file="file-v", metadata={"a": "b"}, suffix="s")
    other = await api.create_job()
    await api.get("/fine_tuning/jobs", limit=1)
    emu.clock.advance(20)
    await api.post(f"/fine_tuning/jobs/{job['id']}/pause")
    await api.post(f"/fine_tuning/jobs/{job['id']}/resume")
    await api.post(f"/fine_tuning/jobs/{other['id']}/cancel")
    emu.clock.advance(10_000)
    await api.job(job["id"])
    await api.get(f"/fine_tuning/jobs/{job['id']}/events", limit=100)
    checkpoints = await api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")
    model = seg(checkpoints.body["data"][0]["fine_tuned_model_checkpoint"])
    created = await api.post(
        f"/fine_tuning/checkpoints/{model}/permissions", {"project_ids": ["p"]}
    )
    await api.get(f"/fine_tuning/checkpoints/{model}/permissions")
    permission = created.body["data"][0]["id"]
    await api.request("DELETE", f"/fine_tuning/checkpoints/{model}/permissions/{permission}")
    grader = {
        "type": "string_check",
        "name": "g",
        "input": "{{sample.output_text}}",
        "reference": "x",
        "operation": "eq",
    }
    await api.post("/fine_tuning/alpha/graders/validate", {"grader": grader})
    await api.post("/fine_tuning/alpha/graders/run", {"grader": grader, "model_sample": "x"})
    answered = {r.operation_id for r in emu.requests if r.status == 200}
    assert answered == set(operation_ids("fine_tuning"))
    assert len(answered) == 13


async def test_every_files_operation_round_trip(api: Api, emu: FineTuningEmulator) -> None:
    created = await api.create_file(b'{"messages": []}\n', filename="t.jsonl")
    file_id = created.body["id"]
    await api.get("/files", purpose="fine-tune", limit=1)
    await api.get(f"/files/{file_id}")
    await api.request("GET", f"/files/{file_id}/content")
    await api.request("DELETE", f"/files/{file_id}")
    for finish in ("complete", "cancel"):
        upload = await api.post(
            "/uploads",
            {"filename": "u.jsonl", "purpose": "fine-tune", "bytes": 2, "mime_type": "text/jsonl"},
        )
        form = aiohttp.FormData()
        form.add_field("data", io.BytesIO(b"{}"), filename="blob")
        part = await api.request("POST", f"/uploads/{upload.body['id']}/parts", data=form)
        body = {"part_ids": [part.body["id"]]} if finish == "complete" else None
        await api.request("POST", f"/uploads/{upload.body['id']}/{finish}", json_body=body)
    answered = {r.operation_id for r in emu.requests if r.status == 200}
    assert answered == set(operation_ids("files"))
    assert len(answered) == 9


def test_spec_loaded_from_shared_yaml_or_package() -> None:
    assert load_spec()["openapi"].startswith("3.1")


def test_checker_rejects_bad_bodies() -> None:
    assert response_errors("retrieveFineTuningJob", {"object": "fine_tuning.job"})
    with pytest.raises(AssertionError, match="breaks the spec"):
        assert_valid_response("listFineTuningEvents", {"object": "list", "data": [{}]})
    with pytest.raises(AssertionError, match="has_more"):
        assert_valid_response("listFineTuningJobCheckpoints", {"object": "list", "data": []})


async def test_paused_status_is_an_explicit_allowance(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(20)
    paused = (await api.post(f"/fine_tuning/jobs/{job['id']}/pause")).body
    assert_valid_response("pauseFineTuningJob", paused)
    assert response_errors("pauseFineTuningJob", paused, allow_paused=False)
