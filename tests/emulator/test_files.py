"""Files over real HTTP: multipart create, list and paging, retrieve, delete, download.

Raw aiohttp requests (the client has no files resource yet); every 200 JSON body is checked
against the Files document by the ``api`` fixture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from ftclient.testing import SAMPLE_TRAINING_DATA, FileRules, FineTuningEmulator
from tests.emulator.conftest import Api

BINARY = bytes(range(256)) * 3 + b"\r\n\x00end"  # every byte value, CR LF and NUL included


@pytest.fixture
async def emu() -> AsyncIterator[FineTuningEmulator]:
    """The faithful emulator (the default), with a still clock and small limits."""
    rules = FileRules(max_file_bytes=4096, processing=30)
    async with FineTuningEmulator(seed=7, speed=0, file_rules=rules) as emulator:
        yield emulator


async def test_create_answers_the_file_and_download_returns_the_bytes(
    api: Api, emu: FineTuningEmulator
) -> None:
    created = await api.create_file(BINARY, filename="blob.bin", purpose="user_data")
    assert created.status == 200, created
    document = created.body
    assert document["id"].startswith("file-")
    assert document["object"] == "file"
    assert document["bytes"] == len(BINARY)
    assert document["filename"] == "blob.bin"
    assert document["purpose"] == "user_data"
    assert document["created_at"] == int(emu.clock.now())
    assert document["status"] == "uploaded"  # processing takes 30 simulated seconds here
    assert "expires_at" not in document
    record = emu.requests[-1]
    assert (record.operation_id, record.status, record.json) == ("createFile", 200, None)

    download = await api.request("GET", f"/files/{document['id']}/content")
    assert download.status == 200
    assert download.raw == BINARY
    assert download.headers["content-type"] == "application/octet-stream"
    assert emu.requests[-1].operation_id == "downloadFile"


async def test_status_moves_from_uploaded_to_processed_on_the_clock(
    api: Api, emu: FineTuningEmulator
) -> None:
    file_id = (await api.create_file(SAMPLE_TRAINING_DATA)).body["id"]
    emu.clock.advance(29)
    assert (await api.get(f"/files/{file_id}")).body["status"] == "uploaded"
    emu.clock.advance(1)
    assert (await api.get(f"/files/{file_id}")).body["status"] == "processed"


async def test_processing_is_instant_by_default(api: Api) -> None:
    async with FineTuningEmulator(speed=0) as default:
        api.emulator = default
        created = await api.create_file(SAMPLE_TRAINING_DATA)
    assert created.body["status"] == "processed"


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"purpose": None}, "purpose", "is required"),
        ({"purpose": "fine-tuning"}, "purpose", "must be one of"),
        ({"filename": "train.json"}, "file", "Invalid file format for Fine-Tuning API. Must be"),
        ({"filename": None}, "file", "a form part with a filename"),
        ({"fields": {"note": "x"}}, "note", "Unknown form field 'note'"),
        (
            {"fields": {"expires_after[anchor]": "created_at", "expires_after[seconds]": "60"}},
            "expires_after.seconds",
            "must be >= 3600",
        ),
        ({"fields": {"expires_after[seconds]": "3600"}}, "expires_after.anchor", "is required"),
    ],
)
async def test_create_refusals(
    api: Api, emu: FineTuningEmulator, kwargs: dict[str, Any], param: str, message: str
) -> None:
    reply = await api.create_file(SAMPLE_TRAINING_DATA, **kwargs)
    assert reply.status == 400
    assert reply.error["param"] == param
    assert reply.error["type"] == "invalid_request_error"
    assert message in reply.error["message"]
    assert len(emu.files) == 0


async def test_create_needs_a_form(api: Api, emu: FineTuningEmulator) -> None:
    reply = await api.post("/files", {"purpose": "fine-tune", "file": "inline"})
    assert reply.status == 400
    assert "multipart/form-data" in reply.error["message"]
    broken = await api.request(
        "POST",
        "/files",
        data=b"--x\r\nContent-Disposition: form-data; name=purpose\r\n\r\nfine-tune",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert broken.status == 400
    assert "Could not parse" in broken.error["message"]
    assert len(emu.files) == 0


async def test_a_file_over_the_limit_is_refused_while_it_streams(
    api: Api, emu: FineTuningEmulator
) -> None:
    assert (await api.create_file(b"x" * 4096, filename="a.txt", purpose="user_data")).status == 200
    reply = await api.create_file(b"x" * 4097, filename="b.txt", purpose="user_data")
    assert reply.status == 413
    assert reply.error["param"] == "file"
    assert reply.error["code"] == "request_too_large"
    assert "4096" in reply.error["message"]
    assert len(emu.files) == 1


async def test_the_1_mib_json_limit_does_not_apply_to_files(api: Api) -> None:
    big = b"y" * (3 * 1024 * 1024)
    async with FineTuningEmulator(speed=0) as roomy:
        api.emulator = roomy
        created = await api.create_file(big, filename="big.bin", purpose="user_data")
        assert created.status == 200
        assert created.body["bytes"] == len(big)
        assert (await api.request("GET", f"/files/{created.body['id']}/content")).raw == big


async def test_expires_after_sets_expires_at_and_the_file_goes_away(
    api: Api, emu: FineTuningEmulator
) -> None:
    fields = {"expires_after[anchor]": "created_at", "expires_after[seconds]": "3600"}
    created = await api.create_file(b"a", filename="a.txt", purpose="user_data", fields=fields)
    assert created.body["expires_at"] == created.body["created_at"] + 3600
    batch = await api.create_file(b"{}", filename="b.jsonl", purpose="batch")
    assert batch.body["expires_at"] == batch.body["created_at"] + 30 * 24 * 3600
    emu.clock.advance(3600)
    assert (await api.get(f"/files/{created.body['id']}")).status == 404
    assert [f["id"] for f in (await api.get("/files")).body["data"]] == [batch.body["id"]]


async def make_files(api: Api, emu: FineTuningEmulator, purposes: list[str]) -> list[str]:
    ids = []
    for purpose in purposes:
        name = "t.jsonl" if purpose == "fine-tune" else "x.txt"
        reply = await api.create_file(b"{}\n", filename=name, purpose=purpose)
        ids.append(reply.body["id"])
        emu.clock.advance(1)  # distinct created_at
    return ids


async def test_list_orders_pages_and_filters(api: Api, emu: FineTuningEmulator) -> None:
    purposes = ["fine-tune", "user_data", "fine-tune", "batch", "fine-tune"]
    ids = await make_files(api, emu, purposes)
    everything = await api.get("/files")
    assert [f["id"] for f in everything.body["data"]] == ids[::-1]  # newest first by default
    assert everything.body["first_id"] == ids[-1]
    assert everything.body["last_id"] == ids[0]
    assert everything.body["has_more"] is False
    ascending = await api.all_pages("/files", 2, order="asc")
    assert [f["id"] for f in ascending] == ids
    tuned = await api.all_pages("/files", 1, purpose="fine-tune")
    assert [f["id"] for f in tuned] == [ids[4], ids[2], ids[0]]
    page = await api.get("/files", limit=2, after=ids[3])
    assert [f["id"] for f in page.body["data"]] == [ids[2], ids[1]]
    assert page.body["has_more"] is True
    none = await api.get("/files", purpose="vision")
    assert none.body == {"object": "list", "data": [], "first_id": None, "last_id": None,
                         "has_more": False}  # fmt: skip


@pytest.mark.parametrize(
    ("query", "status", "param"),
    [
        ({"limit": "0"}, 400, "limit"),
        ({"limit": "10001"}, 400, "limit"),
        ({"limit": "ten"}, 400, "limit"),
        ({"order": "descending"}, 400, "order"),
        ({"after": "file-nope"}, 404, "after"),
    ],
)
async def test_list_refusals(api: Api, query: dict[str, str], status: int, param: str) -> None:
    reply = await api.get("/files", **query)
    assert reply.status == status
    assert reply.error["param"] == param


async def test_limit_bounds_are_inclusive(api: Api, emu: FineTuningEmulator) -> None:
    await make_files(api, emu, ["user_data", "user_data"])
    assert len((await api.get("/files", limit=1)).body["data"]) == 1
    assert len((await api.get("/files", limit=10_000)).body["data"]) == 2


async def test_delete_then_everything_is_404(api: Api, emu: FineTuningEmulator) -> None:
    keep, gone = await make_files(api, emu, ["user_data", "user_data"])
    deleted = await api.request("DELETE", f"/files/{gone}")
    assert deleted.status == 200
    assert deleted.body == {"object": "file", "id": gone, "deleted": True}
    for method, path in (
        ("GET", f"/files/{gone}"),
        ("GET", f"/files/{gone}/content"),
        ("DELETE", f"/files/{gone}"),
    ):
        reply = await api.request(method, path)
        assert reply.status == 404
        assert reply.error == {
            "message": f"No such File object: {gone}",
            "type": "invalid_request_error",
            "param": "id",
            "code": None,
        }
    assert [f["id"] for f in (await api.get("/files")).body["data"]] == [keep]
    # a cursor naming the deleted file still works
    assert [f["id"] for f in (await api.get("/files", after=gone)).body["data"]] == [keep]


async def test_an_id_with_a_slash_stays_one_segment(api: Api, emu: FineTuningEmulator) -> None:
    emu.seed_file(b"a", filename="a.txt", purpose="user_data", file_id="file-a/b")
    reply = await api.get("/files/file-a%2Fb")
    assert reply.status == 200
    assert reply.body["id"] == "file-a/b"


async def test_files_need_the_key_and_the_form_is_not_read_without_it(
    emu: FineTuningEmulator,
) -> None:
    form = aiohttp.FormData()
    form.add_field("purpose", "user_data")
    form.add_field("file", b"secret", filename="s.txt")
    async with aiohttp.ClientSession() as session, session.post(emu.url + "/files", data=form) as r:
        assert r.status == 401
    assert len(emu.files) == 0
    assert emu.requests[-1].operation_id == "createFile"
