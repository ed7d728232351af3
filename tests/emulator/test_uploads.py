"""Uploads over real HTTP: create, add Parts (multipart), complete into a File, cancel, expiry.

Raw aiohttp requests (the client has no uploads resource yet); every 200 JSON body is checked
against the Files document by the ``api`` fixture. The Part limit is made small here so that no
test sends 64 MB; the default is checked on its own.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from ftclient.testing import SAMPLE_TRAINING_DATA, FileRules, FineTuningEmulator
from tests.emulator.conftest import Api, Reply

PART_LIMIT = 1024


@pytest.fixture
async def emu() -> AsyncIterator[FineTuningEmulator]:
    """The faithful emulator with a still clock and a 1 KiB Part limit."""
    rules = FileRules(max_part_bytes=PART_LIMIT, max_upload_bytes=4 * PART_LIMIT)
    async with FineTuningEmulator(seed=3, speed=0, file_rules=rules) as emulator:
        yield emulator


async def create_upload(api: Api, size: int, **fields: Any) -> Reply:
    body = {
        "filename": "train.jsonl",
        "purpose": "fine-tune",
        "bytes": size,
        "mime_type": "text/jsonl",
        **fields,
    }
    return await api.post("/uploads", body)


async def add_part(api: Api, upload_id: str, data: bytes, name: str = "data") -> Reply:
    form = aiohttp.FormData()
    form.add_field(name, io.BytesIO(data), filename="blob", content_type="application/octet-stream")
    return await api.request("POST", f"/uploads/{upload_id}/parts", data=form)


async def complete(api: Api, upload_id: str, part_ids: list[str], **fields: Any) -> Reply:
    return await api.post(f"/uploads/{upload_id}/complete", {"part_ids": part_ids, **fields})


async def test_parts_assemble_in_the_order_of_part_ids(api: Api, emu: FineTuningEmulator) -> None:
    chunks = [
        SAMPLE_TRAINING_DATA[:700],
        SAMPLE_TRAINING_DATA[700:1400],
        SAMPLE_TRAINING_DATA[1400:],
    ]
    created = await create_upload(api, len(SAMPLE_TRAINING_DATA))
    assert created.status == 200
    upload = created.body
    assert upload["id"].startswith("upload_")
    assert (upload["status"], upload["bytes"], upload["purpose"]) == (
        "pending",
        len(SAMPLE_TRAINING_DATA),
        "fine-tune",
    )
    assert upload["expires_at"] == upload["created_at"] + 3600
    assert "file" not in upload
    # Sent last part first: the order is the one complete names, not the one of arrival.
    parts = {}
    for index in (2, 0, 1):
        reply = await add_part(api, upload["id"], chunks[index])
        assert reply.status == 200
        assert reply.body["object"] == "upload.part"
        assert reply.body["upload_id"] == upload["id"]
        parts[index] = reply.body["id"]
    md5 = hashlib.md5(SAMPLE_TRAINING_DATA).hexdigest()
    done = await complete(api, upload["id"], [parts[0], parts[1], parts[2]], md5=md5)
    assert done.status == 200
    assert done.body["status"] == "completed"
    made = done.body["file"]
    assert made["object"] == "file"
    assert (made["bytes"], made["filename"], made["purpose"]) == (
        len(SAMPLE_TRAINING_DATA),
        "train.jsonl",
        "fine-tune",
    )
    download = await api.request("GET", f"/files/{made['id']}/content")
    assert download.raw == SAMPLE_TRAINING_DATA
    # The File is a training file like any other: a job takes it.
    job = await api.post("/fine_tuning/jobs", {"model": "gpt-4o-mini", "training_file": made["id"]})
    assert job.status == 200


async def test_a_wrong_order_gives_other_bytes(api: Api) -> None:
    upload = (await create_upload(api, 6, filename="x.txt", purpose="assistants")).body
    first = (await add_part(api, upload["id"], b"abc")).body["id"]
    second = (await add_part(api, upload["id"], b"def")).body["id"]
    made = (await complete(api, upload["id"], [second, first])).body["file"]
    assert (await api.request("GET", f"/files/{made['id']}/content")).raw == b"defabc"


async def test_a_bad_md5_is_refused_and_the_upload_stays_pending(
    api: Api, emu: FineTuningEmulator
) -> None:
    upload = (await create_upload(api, 3, filename="x.txt", purpose="assistants")).body
    part = (await add_part(api, upload["id"], b"abc")).body["id"]
    refused = await complete(api, upload["id"], [part], md5="0" * 32)
    assert refused.status == 400
    assert refused.error["param"] == "md5"
    assert refused.error["type"] == "invalid_request_error"
    assert hashlib.md5(b"abc").hexdigest() in refused.error["message"]
    assert len(emu.files) == 0
    # Still pending: the right checksum (any case) completes it.
    good = hashlib.md5(b"abc").hexdigest().upper()
    assert (await complete(api, upload["id"], [part], md5=good)).status == 200


async def test_a_byte_count_other_than_declared_is_refused(
    api: Api, emu: FineTuningEmulator
) -> None:
    upload = (await create_upload(api, 5, filename="x.txt", purpose="assistants")).body
    part = (await add_part(api, upload["id"], b"abc")).body["id"]
    refused = await complete(api, upload["id"], [part])
    assert refused.status == 400
    assert refused.error["param"] == "part_ids"
    assert "3 bytes" in refused.error["message"]
    assert "5" in refused.error["message"]
    assert len(emu.files) == 0


@pytest.mark.parametrize(
    ("part_ids", "param"),
    [(["part_nope"], "part_ids[0]"), (["P", "P"], "part_ids[1]"), ([], "part_ids")],
)
async def test_unknown_or_repeated_part_ids_are_refused(
    api: Api, part_ids: list[str], param: str
) -> None:
    upload = (await create_upload(api, 3, filename="x.txt", purpose="assistants")).body
    part = (await add_part(api, upload["id"], b"abc")).body["id"]
    reply = await complete(api, upload["id"], [part if p == "P" else p for p in part_ids])
    assert reply.status == 400
    assert reply.error["param"] == param


async def test_a_part_over_the_limit_is_refused_while_it_streams(
    api: Api, emu: FineTuningEmulator
) -> None:
    upload = (await create_upload(api, PART_LIMIT + 1, filename="x.txt", purpose="assistants")).body
    assert (await add_part(api, upload["id"], b"a" * PART_LIMIT)).status == 200
    refused = await add_part(api, upload["id"], b"b" * (PART_LIMIT + 1))
    assert refused.status == 413
    assert refused.error == {
        "message": f"Form part 'data' is larger than {PART_LIMIT} bytes, the most it may hold.",
        "type": "invalid_request_error",
        "param": "data",
        "code": "request_too_large",
    }
    assert len(emu.state.uploads.uploads[upload["id"]].parts) == 1


def test_the_documented_limits_are_the_defaults() -> None:
    rules = FileRules()
    assert rules.max_part_bytes == 64 * 1024 * 1024
    assert rules.max_upload_bytes == 8 * 1024**3
    assert rules.max_file_bytes == 512 * 1024 * 1024
    assert rules.upload_expiry == 3600
    with pytest.raises(ValueError, match="max_part_bytes"):
        FileRules(max_part_bytes=0)


async def test_an_upload_holds_at_most_its_maximum(api: Api) -> None:
    too_big = await create_upload(api, 4 * PART_LIMIT + 1, filename="x.txt", purpose="assistants")
    assert too_big.status == 400
    assert too_big.error["param"] == "bytes"
    upload = (await create_upload(api, 10, filename="x.txt", purpose="assistants")).body
    for _ in range(4):
        assert (await add_part(api, upload["id"], b"z" * PART_LIMIT)).status == 200
    over = await add_part(api, upload["id"], b"z")
    assert over.status == 400
    assert over.error["param"] == "data"


async def test_an_upload_expires_after_an_hour_of_simulated_time(
    api: Api, emu: FineTuningEmulator
) -> None:
    upload = (await create_upload(api, 3, filename="x.txt", purpose="assistants")).body
    part = (await add_part(api, upload["id"], b"abc")).body["id"]
    emu.clock.advance(3599)
    assert (await add_part(api, upload["id"], b"")).status == 200  # still pending
    emu.clock.advance(1)
    for reply in (
        await add_part(api, upload["id"], b"d"),
        await complete(api, upload["id"], [part]),
        await api.post(f"/uploads/{upload['id']}/cancel"),
    ):
        assert reply.status == 400
        assert reply.error["code"] == "invalid_state"
        assert "'expired'" in reply.error["message"]
    assert len(emu.files) == 0


async def test_cancel_ends_the_upload(api: Api, emu: FineTuningEmulator) -> None:
    upload = (await create_upload(api, 3, filename="x.txt", purpose="assistants")).body
    part = (await add_part(api, upload["id"], b"abc")).body["id"]
    cancelled = await api.post(f"/uploads/{upload['id']}/cancel")
    assert cancelled.status == 200
    assert cancelled.body["status"] == "cancelled"
    assert "file" not in cancelled.body
    assert (await add_part(api, upload["id"], b"d")).error["code"] == "invalid_state"
    assert (await complete(api, upload["id"], [part])).error["code"] == "invalid_state"
    assert (await api.post(f"/uploads/{upload['id']}/cancel")).status == 400
    assert len(emu.files) == 0


async def test_a_completed_upload_takes_no_more_parts(api: Api) -> None:
    upload = (await create_upload(api, 1, filename="x.txt", purpose="assistants")).body
    part = (await add_part(api, upload["id"], b"a")).body["id"]
    assert (await complete(api, upload["id"], [part])).status == 200
    again = await add_part(api, upload["id"], b"b")
    assert again.status == 400
    assert "'completed'" in again.error["message"]


async def test_unknown_upload_is_404_in_the_api_shape(api: Api) -> None:
    for reply in (
        await add_part(api, "upload_nope", b"a"),
        await complete(api, "upload_nope", ["part_x"]),
        await api.post("/uploads/upload_nope/cancel"),
    ):
        assert reply.status == 404
        assert reply.error == {
            "message": "No such Upload object: upload_nope",
            "type": "invalid_request_error",
            "param": "id",
            "code": None,
        }


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"purpose": "fine-tuning"}, "purpose"),
        ({"bytes": -1}, "bytes"),
        ({"filename": "train.csv"}, "filename"),
        ({"mime_type": None}, "mime_type"),
    ],
)
async def test_create_refusals(api: Api, fields: dict[str, Any], param: str) -> None:
    body_fields = {k: v for k, v in fields.items() if v is not None}
    reply = await create_upload(api, 3, **body_fields)
    if "mime_type" in fields:
        body = {"filename": "t.jsonl", "purpose": "fine-tune", "bytes": 3}
        reply = await api.post("/uploads", body)
    assert reply.status == 400
    assert reply.error["param"] == param
    assert reply.error["type"] == "invalid_request_error"


async def test_a_part_form_must_hold_data_only(api: Api) -> None:
    upload = (await create_upload(api, 3, filename="x.txt", purpose="assistants")).body
    missing = await add_part(api, upload["id"], b"abc", name="chunk")
    assert missing.status == 400
    assert missing.error["param"] == "chunk"
    not_a_form = await api.post(f"/uploads/{upload['id']}/parts", {"data": "abc"})
    assert not_a_form.status == 400
    assert "multipart/form-data" in not_a_form.error["message"]


async def test_faults_apply_to_the_files_operations(api: Api, emu: FineTuningEmulator) -> None:
    upload = (await create_upload(api, 3, filename="x.txt", purpose="assistants")).body
    emu.faults.add("addUploadPart", "rate_limit", retry_after=2)
    limited = await add_part(api, upload["id"], b"abc")
    assert limited.status == 429
    assert limited.headers["retry-after"] == "2"
    assert emu.state.uploads.uploads[upload["id"]].parts == {}  # refused before it was read
    part = await add_part(api, upload["id"], b"abc")
    emu.faults.add("completeUpload", "drop_after")
    with pytest.raises(aiohttp.ClientError):
        await complete(api, upload["id"], [part.body["id"]])
    # The answer was lost, but the Upload completed: a retry meets its final state.
    again = await complete(api, upload["id"], [part.body["id"]])
    assert again.error["code"] == "invalid_state"
    assert "'completed'" in again.error["message"]
    [made] = (await api.get("/files")).body["data"]
    assert made["bytes"] == 3
