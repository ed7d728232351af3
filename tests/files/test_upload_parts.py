"""``files.upload`` of a file larger than a part: the Uploads API driven to the end."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

import ftclient

from .fake_files import FakeFiles

Make = Callable[..., ftclient.FineTuningClient]
DATA = bytes(range(256)) * 4_000  # 1,024,000 bytes
PART = 100_000  # 11 parts, the last of 24,000 bytes


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.jsonl"
    path.write_bytes(DATA)
    return path


def part_sizes(service: FakeFiles) -> list[int]:
    return [s.fields["_size"] for s in service.sent("part")]


async def test_parts_in_order_with_md5_make_one_file(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    file = await make_client().files.upload(big, part_size=PART)
    [created] = service.sent("upload")
    assert created.fields == {
        "filename": "big.jsonl",
        "purpose": "fine-tune",
        "bytes": len(DATA),
        "mime_type": "text/jsonl",
    }
    assert sorted(part_sizes(service)) == sorted([PART] * 10 + [24_000])
    [complete] = service.sent("complete")
    upload = next(iter(service.uploads.values()))
    assert complete.fields["part_ids"] == upload["_parts_in_offset_order"]
    assert complete.fields["md5"] == hashlib.md5(DATA).hexdigest()
    assert service.contents[file.id] == DATA  # assembled in the order complete named
    assert [f["id"] for f in service.live()] == [file.id]
    assert service.sent("create") == []


async def test_parts_go_in_parallel_up_to_concurrency(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    await make_client().files.upload(big, part_size=PART, concurrency=3)
    assert service.max_in_flight["part"] == 3
    service.max_in_flight.clear()
    await make_client().files.upload(big, part_size=PART, concurrency=1)
    assert service.max_in_flight["part"] == 1


async def test_only_a_failed_part_is_sent_again(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.faults["part"] = ["500_before", "500_before", "lose"]
    client = make_client(max_retries=3)
    file = await client.files.upload(big, part_size=PART, concurrency=1)
    # the first part: two refusals and one lost answer, then its fourth send is kept
    assert len(service.sent("part")) == 11 + 3
    assert part_sizes(service)[:4] == [PART] * 4
    assert service.contents[file.id] == DATA
    [complete] = service.sent("complete")
    assert len(complete.fields["part_ids"]) == 11
    # the lost attempt added a part that is never named; its resend's part goes first
    lost, kept = service.part_ids[:2]
    assert complete.fields["part_ids"][0] == kept
    assert lost not in complete.fields["part_ids"]


async def test_progress_counts_each_byte_once_and_ends_at_the_total(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.faults["part"] = ["lose"]
    seen: list[tuple[int, int]] = []
    await make_client().files.upload(
        big, part_size=PART, on_progress=lambda sent, total: seen.append((sent, total))
    )
    assert seen[-1] == (len(DATA), len(DATA))
    assert all(total == len(DATA) and 0 <= sent <= total for sent, total in seen)


async def test_a_part_that_fails_for_good_cancels_the_upload(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.faults["part"] = ["500_before"] * 3
    with pytest.raises(ftclient.InternalServerError) as caught:
        await make_client().files.upload(big, part_size=PART, concurrency=1)
    [upload] = service.uploads.values()
    assert upload["status"] == "cancelled"
    assert service.sent("complete") == []
    assert service.live() == []
    assert any("was cancelled: no file was made" in note for note in caught.value.__notes__)


async def test_a_refused_complete_cancels_the_upload(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.faults["complete"] = ["status:400"]
    with pytest.raises(ftclient.BadRequestError):
        await make_client().files.upload(big, part_size=PART)
    [upload] = service.uploads.values()
    assert upload["status"] == "cancelled"
    assert service.live() == []


async def test_uploads_resource_for_callers_who_drive_it(
    service: FakeFiles, make_client: Make
) -> None:
    client = make_client()
    upload = await client.uploads.create(
        filename="own.jsonl", purpose="fine-tune", bytes=6, mime_type="text/jsonl"
    )
    second = await client.uploads.add_part(upload.id, data=b"def")
    first = await client.uploads.add_part(upload.id, data=b"abc")
    done = await client.uploads.complete(upload.id, part_ids=[first.id, second.id])
    assert done.status == "completed"
    assert done.file is not None
    assert service.contents[done.file.id] == b"abcdef"
    other = await client.uploads.create(filename="x.jsonl", purpose="fine-tune", bytes=3)
    cancelled = await client.uploads.cancel(other.id)
    assert cancelled.status == "cancelled"
    assert service.sent("part")[0].fields["data"] == b"def"


async def test_a_file_objects_name_and_the_mime_type_are_sent(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    with big.open("rb") as handle:
        await make_client().files.upload(handle, part_size=PART, mime_type="application/jsonl")
    [created] = service.sent("upload")
    assert (created.fields["filename"], created.fields["mime_type"]) == (
        "big.jsonl",
        "application/jsonl",
    )
    assert {s.fields["_filename"] for s in service.sent("part")} == {"big.jsonl"}


async def test_a_complete_without_its_file_is_a_validation_error(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.complete_without_file = True
    with pytest.raises(ftclient.APIResponseValidationError) as caught:
        await make_client().files.upload(big, part_size=PART)
    [upload] = service.uploads.values()
    assert str(caught.value).startswith(
        f"uploads.complete answered without the file it made (upload {upload['id']}, "
        "status 'completed')"
    )
    assert (caught.value.method, caught.value.url) == ("POST", f"/uploads/{upload['id']}/complete")


async def test_an_upload_that_cannot_be_cancelled_says_it_expires(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.faults["part"] = ["status:400"]
    service.faults["cancel"] = ["status:500"] * 3
    with pytest.raises(ftclient.BadRequestError) as caught:
        await make_client().files.upload(big, part_size=PART, concurrency=1)
    [upload] = service.uploads.values()
    assert upload["status"] == "pending"
    [note] = caught.value.__notes__[-1:]
    assert note.startswith(f"the Upload {upload['id']} could not be cancelled (InternalServerError")
    assert note.endswith("; it expires in an hour")
