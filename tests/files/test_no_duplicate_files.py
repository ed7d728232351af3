"""A retried upload never leaves two files or a half file, against a service whose answers get
lost and whose list lags (simulated time: the lags cost nothing)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

import ftclient

from .fake_files import FakeFiles

Make = Callable[..., ftclient.FineTuningClient]
SMALL = b'{"prompt": "a", "completion": "b"}\n' * 100
BIG = bytes(range(256)) * 1_000  # 256,000 bytes: 3 parts of 100,000


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_bytes(SMALL)
    return path


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.jsonl"
    path.write_bytes(BIG)
    return path


def recovery(result: object) -> tuple[str, ...]:
    info = ftclient.response_info(result)
    assert info is not None
    return info.recovery


@pytest.mark.parametrize("lag", [0.0, 2.0, 10.0])
@pytest.mark.parametrize("fault", ["lose", "500_after"])
async def test_a_lost_create_answer_makes_one_file_however_the_list_lags(
    service: FakeFiles, make_client: Make, small: Path, lag: float, fault: str
) -> None:
    service.lag = lag
    service.faults["create"] = [fault]
    file = await make_client().files.upload(small)
    assert [f["id"] for f in service.live()] == [file.id]
    assert len(service.sent("create")) == 1  # found in the list, not sent again
    assert recovery(file) == ("the answer was lost; found the file in the list",)
    lookup = service.sent("list")[0].query
    assert lookup == {"purpose": "fine-tune", "order": "desc", "limit": "100"}


async def test_a_create_that_did_not_act_is_sent_again_after_the_window(
    service: FakeFiles, make_client: Make, small: Path
) -> None:
    service.faults["create"] = ["500_before"]
    file = await make_client().files.upload(small)
    assert [f["id"] for f in service.live()] == [file.id]
    assert len(service.sent("create")) == 2
    assert recovery(file) == ()


async def test_a_list_lagging_past_the_window_makes_an_extra_that_is_deleted(
    service: FakeFiles, make_client: Make, small: Path
) -> None:
    # The first file shows only after the window: the create is sent again, and the extra
    # is found (and deleted) while the client waits for its resend's file to show.
    service.lag = 15.0
    service.faults["create"] = ["lose"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=10.0))
    file = await client.files.upload(small)
    assert len(service.sent("create")) == 2
    assert [f["id"] for f in service.live()] == [file.id]
    [extra] = [f for f in service.files if f.get("_deleted")]
    assert service.sent("delete")[0].path == f"/v1/files/{extra['id']}"
    assert recovery(file) == (
        f"deleted the extra file {extra['id']} made by the lost attempt",
        f"kept {file.id}, the file the resend made",
    )


async def test_an_older_file_of_the_same_name_is_neither_returned_nor_deleted(
    service: FakeFiles, make_client: Make, small: Path
) -> None:
    older = service.add_file("small.jsonl", SMALL, "fine-tune", created_at=1_000_000)
    service.faults["create"] = ["lose"]
    file = await make_client().files.upload(small)
    assert file.id != older["id"]
    assert {f["id"] for f in service.live()} == {older["id"], file.id}


@pytest.mark.parametrize("fault", ["lose", "500_after"])
async def test_a_lost_part_answer_sends_that_part_again(
    service: FakeFiles, make_client: Make, big: Path, fault: str
) -> None:
    service.faults["part"] = [fault]
    file = await make_client().files.upload(big, part_size=100_000, concurrency=1)
    assert len(service.sent("part")) == 4
    assert service.contents[file.id] == BIG
    assert [f["id"] for f in service.live()] == [file.id]


@pytest.mark.parametrize("lag", [0.0, 5.0])
@pytest.mark.parametrize("fault", ["lose", "500_after"])
async def test_a_lost_complete_answer_returns_the_file_it_made(
    service: FakeFiles, make_client: Make, big: Path, lag: float, fault: str
) -> None:
    service.lag = lag
    service.faults["complete"] = [fault]
    file = await make_client().files.upload(big, part_size=100_000)
    assert [f["id"] for f in service.live()] == [file.id]
    assert service.contents[file.id] == BIG
    assert len(service.sent("complete")) == 1
    [upload] = service.uploads.values()
    assert upload["status"] == "completed"
    assert service.sent("cancel") == []
    assert recovery(file) == ("the answer was lost; found the file it made",)


async def test_a_complete_resent_past_the_window_is_refused_then_found(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.lag = 15.0
    service.faults["complete"] = ["lose"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=10.0))
    file = await client.files.upload(big, part_size=100_000)
    assert len(service.sent("complete")) == 2  # the resend is refused: already completed
    assert [f["id"] for f in service.live()] == [file.id]
    assert service.sent("cancel") == []
    assert recovery(file) == ("the answer was lost; the Upload had completed",)


@pytest.mark.parametrize("fault", ["lose", "500_after"])
async def test_a_lost_delete_answer_counts_as_deleted(
    service: FakeFiles, make_client: Make, fault: str
) -> None:
    made = service.add_file("a.jsonl", b"x", "fine-tune")
    service.faults["delete"] = [fault]
    deleted = await make_client().files.delete(made["id"])
    assert (deleted.id, deleted.deleted) == (made["id"], True)
    assert len(service.sent("delete")) == 2
    assert recovery(deleted) == ("the answer was lost; a resend found the file gone",)


async def test_a_lost_upload_create_is_sent_again_and_the_orphan_makes_no_file(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.faults["upload"] = ["lose"]
    file = await make_client().files.upload(big, part_size=100_000)
    orphan, used = service.uploads.values()
    assert (orphan["status"], used["status"]) == ("pending", "completed")
    assert [f["id"] for f in service.live()] == [file.id]


@pytest.mark.parametrize("offset", [-3600.0, 3600.0])
async def test_a_server_clock_an_hour_off_is_read_from_its_date_header(
    service: FakeFiles, make_client: Make, small: Path, offset: float
) -> None:
    # created_at is the server's clock: only the Date header relates it to the first send
    service.clock_offset = offset
    service.faults["create"] = ["lose"]
    older = service.add_file("small.jsonl", SMALL, "fine-tune")
    older["created_at"] -= 30  # made half a minute before this call, by the server's clock
    file = await make_client().files.upload(small)
    assert len(service.sent("create")) == 1
    assert {f["id"] for f in service.live()} == {older["id"], file.id}
    assert file.id != older["id"]


@pytest.mark.parametrize("date", ["not a date", ""])
async def test_an_unreadable_date_header_falls_back_to_the_clients_clock(
    service: FakeFiles, make_client: Make, small: Path, date: str
) -> None:
    service.date_header = date
    service.faults["create"] = ["lose"]
    file = await make_client().files.upload(small)
    assert len(service.sent("create")) == 1
    assert [f["id"] for f in service.live()] == [file.id]


async def test_an_extra_that_cannot_be_deleted_is_named_in_the_recovery(
    service: FakeFiles, make_client: Make, small: Path
) -> None:
    service.lag = 15.0
    service.faults["create"] = ["lose"]
    service.faults["delete"] = ["status:403"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=10.0))
    file = await client.files.upload(small)
    [extra, kept] = service.live()
    assert kept["id"] == file.id
    [note, how] = recovery(file)
    assert note.startswith(f"could not delete the extra file {extra['id']}: ")
    assert "403" in note
    assert how == f"kept {file.id}, the file the resend made"


async def test_a_failing_check_stops_a_lost_create_with_a_note(
    service: FakeFiles, make_client: Make, small: Path
) -> None:
    service.faults["create"] = ["lose"]
    service.faults["list"] = ["status:403"]
    with pytest.raises(ftclient.APIConnectionError) as caught:
        await make_client().files.upload(small)
    assert len(service.sent("create")) == 1
    [note] = [n for n in caught.value.__notes__ if "not sent again" in n]
    assert note.startswith("not sent again: ftclient could not check whether the file was made")
    assert note.endswith("look for 'small.jsonl' with files.list before retrying")


async def test_a_resend_refused_for_another_reason_is_raised(
    service: FakeFiles, make_client: Make, big: Path
) -> None:
    service.faults["complete"] = ["500_before", "status:422"]
    service.faults["list"] = []
    with pytest.raises(ftclient.UnprocessableEntityError):
        await make_client().files.upload(big, part_size=100_000)
    [upload] = service.uploads.values()
    assert upload["status"] == "cancelled"
    assert len(service.sent("complete")) == 2


async def test_two_lost_creates_seen_together_leave_the_first_file(
    service: FakeFiles, make_client: Make, small: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The first file shows 10.6 s after it is made: the first check (its last probe at 10.25
    # to 10.5 s, after a jittered 0.25-0.5 s wait) misses it, so the create is sent again; the
    # second file shows at once; the second check's first probe (10.75 s at the earliest) sees
    # both, keeps the first and deletes the second (whose delete loses its answer too).
    service.lags = [10.6, 0.0]
    service.faults["create"] = ["lose", "lose"]
    service.faults["delete"] = ["lose"]
    client = make_client(retry_policy=ftclient.RetryPolicy(consistency_window=10.0))
    with caplog.at_level(logging.DEBUG, logger="ftclient"):
        file = await client.files.upload(small)
    first, second = service.files
    assert file.id == first["id"]
    assert [f["id"] for f in service.live()] == [first["id"]]
    assert recovery(file) == (
        f"deleted the extra file {second['id']} made by the lost attempt",
        "the answer was lost; found the file in the list",
    )
    logged = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("files.create (look for the file): GET /files -> 200") for m in logged)
    assert any(
        m.startswith(f"files.create (delete an extra): DELETE /files/{second['id']} -> 404")
        for m in logged
    )


async def test_a_file_of_another_purpose_is_not_taken_for_the_lost_one(
    service: FakeFiles, make_client: Make, small: Path
) -> None:
    service.ignore_purpose = True  # a server whose list ignores the purpose filter
    service.faults["create"] = ["500_before"]
    other = service.add_file("small.jsonl", SMALL, "batch")
    file = await make_client().files.upload(small)
    assert file.id != other["id"]
    assert len(service.sent("create")) == 2
