"""``client.files`` against a Files service of the tests' own: what is sent, what comes back."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import ftclient

from .fake_files import FakeFiles

Make = Callable[..., ftclient.FineTuningClient]
LINES = b'{"messages": [{"role": "user", "content": "hi"}]}\n' * 200


async def test_upload_of_a_small_file_is_one_multipart_request(
    service: FakeFiles, make_client: Make, tmp_path: Path
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(LINES)
    file = await make_client().files.upload(path)
    [sent] = service.seen
    assert sent.route == "create"
    assert sent.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert int(sent.headers["Content-Length"]) > len(LINES)  # sized, not chunked
    assert sent.fields["purpose"] == "fine-tune"
    assert sent.fields["_filename"] == "train.jsonl"
    assert sent.fields["file"] == LINES
    assert (file.id, file.bytes, file.filename) == (service.files[0]["id"], len(LINES), path.name)


@pytest.mark.parametrize(
    "make_source",
    [
        lambda path: path.read_bytes(),
        lambda path: bytearray(path.read_bytes()),
        lambda path: io.BytesIO(path.read_bytes()),
        lambda path: path.open("rb"),
    ],
    ids=["bytes", "bytearray", "BytesIO", "open file"],
)
async def test_create_takes_bytes_and_binary_file_objects(
    service: FakeFiles, make_client: Make, tmp_path: Path, make_source: Callable[[Path], object]
) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(LINES)
    source = make_source(path)
    file = await make_client().files.create(
        file=source,
        purpose="fine-tune",
        filename="named.jsonl",  # type: ignore[arg-type]
    )
    if hasattr(source, "close"):
        source.close()
    assert service.contents[file.id] == LINES
    assert service.seen[0].fields["_filename"] == "named.jsonl"


async def test_a_file_object_without_descriptor_is_read_by_offset(
    service: FakeFiles, make_client: Make
) -> None:
    class Reader(io.RawIOBase):  # seekable, no fileno: read by seek + read
        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return True

        def seek(self, offset: int, whence: int = 0) -> int:
            return self.inner.seek(offset, whence)

        def read(self, size: int = -1) -> bytes:
            return self.inner.read(size)

    data = bytes(range(256)) * 300
    file = await make_client().files.upload(
        Reader(data), purpose="batch", filename="x.bin", part_size=10_000
    )
    assert service.contents[file.id] == data
    assert len(service.sent("part")) == 8


async def test_create_sends_expires_after_as_form_fields(
    service: FakeFiles, make_client: Make
) -> None:
    await make_client().files.create(
        file=b"{}\n",
        purpose="batch",
        filename="b.jsonl",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    fields = service.seen[0].fields
    assert (fields["expires_after[anchor]"], fields["expires_after[seconds]"]) == (
        "created_at",
        "3600",
    )


async def test_list_sends_purpose_and_order_and_follows_pages(
    service: FakeFiles, make_client: Make
) -> None:
    for n in range(5):
        service.add_file(f"f{n}.jsonl", b"x", "fine-tune")
    service.add_file("other.jsonl", b"x", "batch")
    files = [
        f.id async for f in make_client().files.list(purpose="fine-tune", order="asc", limit=2)
    ]
    assert files == [f["id"] for f in service.files[:5]]
    queries = [s.query for s in service.sent("list")]
    assert queries[0] == {"purpose": "fine-tune", "order": "asc", "limit": "2"}
    assert queries[1]["after"] == files[1]
    assert len(queries) == 3


async def test_unknown_fields_and_statuses_never_fail_a_response(
    service: FakeFiles, make_client: Make
) -> None:
    made = service.add_file("a.jsonl", b"x", "fine-tune-results", status="pending", colour="red")
    file = await make_client().files.retrieve(made["id"])
    assert (file.status, file.purpose) == ("pending", "fine-tune-results")
    assert ftclient.to_dict(file)["colour"] == "red"


async def test_retrieve_delete_and_content(service: FakeFiles, make_client: Make) -> None:
    made = service.add_file("a.jsonl", LINES, "fine-tune")
    client = make_client()
    assert (await client.files.retrieve(made["id"])).bytes == len(LINES)
    assert await client.files.content(made["id"]) == LINES
    deleted = await client.files.delete(made["id"])
    assert (deleted.id, deleted.deleted) == (made["id"], True)
    assert [s.route for s in service.seen] == ["retrieve", "content", "delete"]
    with pytest.raises(ftclient.NotFoundError):
        await client.files.retrieve(made["id"])


async def test_download_streams_to_the_path_and_leaves_no_partial_file(
    service: FakeFiles, make_client: Make, tmp_path: Path
) -> None:
    data = bytes(range(256)) * 20_000  # 5 MB, more than one read chunk
    made = service.add_file("result.csv", data, "fine-tune-results")
    client = make_client(max_response_bytes=1024)  # streamed: the response limit is not hit
    target = tmp_path / "result.csv"
    assert await client.files.download(made["id"], target) == target
    assert target.read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["result.csv"]
    with pytest.raises(ftclient.NotFoundError):
        await client.files.download("file-missing", tmp_path / "none.csv")
    assert sorted(os.listdir(tmp_path)) == ["result.csv"]


async def test_download_retried_after_a_lost_answer_starts_afresh(
    service: FakeFiles, make_client: Make, tmp_path: Path
) -> None:
    made = service.add_file("r.csv", b"a,b\n" * 1000, "fine-tune-results")
    service.faults["content"] = ["500_before", "lose"]
    target = tmp_path / "r.csv"
    await make_client().files.download(made["id"], target)
    assert target.read_bytes() == b"a,b\n" * 1000
    assert len(service.sent("content")) == 3


async def test_wait_processed_polls_until_processed(service: FakeFiles, make_client: Make) -> None:
    made = service.add_file(
        "a.jsonl", b"x", "fine-tune", status="uploaded", _process_at=service.clock.now + 3
    )
    file = await make_client().files.wait_processed(made["id"], poll_interval=1.0)
    assert file.status == "processed"
    assert len(service.sent("retrieve")) == 4  # at 0, 1, 2 and 3 s


async def test_wait_processed_times_out_with_the_last_file(
    service: FakeFiles, make_client: Make
) -> None:
    made = service.add_file("a.jsonl", b"x", "fine-tune", status="uploaded")
    with pytest.raises(ftclient.WaitTimeoutError) as caught:
        await make_client().files.wait_processed(made["id"], poll_interval=2.0, timeout=5.0)
    assert caught.value.last.status == "uploaded"
    assert len(service.sent("retrieve")) == 3  # at 0, 2 and 4 s; the next would pass 5 s
