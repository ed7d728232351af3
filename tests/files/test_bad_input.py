"""Bad input to files/uploads is an InvalidParameterError naming the parameter, before any
request leaves."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import ftclient

from .fake_files import FakeFiles

Make = Callable[..., ftclient.FineTuningClient]
Case = Callable[[ftclient.FineTuningClient, Path], Awaitable[Any]]


def _sparse(tmp: Path, size: int, name: str = "huge.jsonl") -> Path:
    path = tmp / name
    with path.open("wb") as out:
        out.truncate(size)  # no disk used: a sparse file
    return path


def _file(tmp: Path, name: str, data: bytes = b"{}\n") -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


CASES: dict[str, tuple[Case, str]] = {
    "missing path": (lambda c, t: c.files.upload(t / "nope.jsonl"), "file"),
    "directory": (lambda c, t: c.files.upload(t), "file"),
    "empty file": (lambda c, t: c.files.upload(_file(t, "e.jsonl", b"")), "file"),
    "empty bytes": (lambda c, t: c.files.upload(b"", filename="e.jsonl"), "file"),
    "not .jsonl for fine-tune": (lambda c, t: c.files.upload(_file(t, "d.csv")), "filename"),
    "not .jsonl given as filename": (
        lambda c, t: c.files.upload(b"{}\n", filename="d.json"),
        "filename",
    ),
    "over 8 GB": (lambda c, t: c.files.upload(_sparse(t, 8 * 1024**3 + 1)), "file"),
    "over 512 MB in one create": (
        lambda c, t: c.files.create(file=_sparse(t, 512 * 1024**2 + 1), purpose="fine-tune"),
        "file",
    ),
    "part over 64 MB": (
        lambda c, t: c.files.upload(_file(t, "a.jsonl"), part_size=64 * 1024**2 + 1),
        "part_size",
    ),
    "part of 0 bytes": (lambda c, t: c.files.upload(_file(t, "a.jsonl"), part_size=0), "part_size"),
    "part size not an int": (
        lambda c, t: c.files.upload(_file(t, "a.jsonl"), part_size=1.5),  # type: ignore[arg-type]
        "part_size",
    ),
    "no concurrency": (
        lambda c, t: c.files.upload(_file(t, "a.jsonl"), concurrency=0),
        "concurrency",
    ),
    "bytes without a name": (lambda c, t: c.files.upload(b"{}\n"), "filename"),
    "text-mode file": (
        lambda c, t: _with_open(_file(t, "a.jsonl"), "r", lambda f: c.files.upload(f)),
        "file",
    ),
    "not a file at all": (lambda c, t: c.files.upload(42), "file"),  # type: ignore[arg-type]
    "progress not callable": (
        lambda c, t: c.files.upload(_file(t, "a.jsonl"), on_progress=3),  # type: ignore[arg-type]
        "on_progress",
    ),
    "list order": (lambda c, t: c.files.list(order="newest").to_list(), "order"),
    "blank file id": (lambda c, t: c.files.retrieve(" "), "file_id"),
    "download into a missing folder": (
        lambda c, t: c.files.download("file-1", t / "no" / "x.csv"),
        "path",
    ),
    "add_part over 64 MB": (
        lambda c, t: c.uploads.add_part("upload_1", data=bytes(64 * 1024**2 + 1)),
        "data",
    ),
    "add_part empty": (lambda c, t: c.uploads.add_part("upload_1", data=b""), "data"),
    "upload over 8 GB": (
        lambda c, t: c.uploads.create(filename="a.jsonl", purpose="fine-tune", bytes=2**33 + 1),
        "bytes",
    ),
    "complete with no parts": (
        lambda c, t: c.uploads.complete("upload_1", part_ids=[]),
        "part_ids",
    ),
    "complete with a lone string": (
        lambda c, t: c.uploads.complete("upload_1", part_ids="part_1"),
        "part_ids",
    ),
}


async def _with_open(path: Path, mode: str, use: Callable[[Any], Awaitable[Any]]) -> Any:
    with path.open(mode) as handle:
        return await use(handle)


# The message of each case, whole (``{tmp}`` is the test's folder).
MESSAGES = {
    "missing path": "no such file: {tmp}/nope.jsonl",
    "directory": "{tmp} is a directory, not a file",
    "empty file": "e.jsonl is empty; the service refuses empty files",
    "empty bytes": "e.jsonl is empty; the service refuses empty files",
    "not .jsonl for fine-tune": "fine-tuning accepts only .jsonl files, got 'd.csv'",
    "over 8 GB": "huge.jsonl holds 8589934593 bytes, more than the 8589934592 accepted",
    "over 512 MB in one create": (
        "huge.jsonl holds 536870913 bytes, more than the 536870912 accepted"
    ),
    "part over 64 MB": "must be between 1 and 67108864 bytes (64 MB), got 67108865",
    "part of 0 bytes": "must be between 1 and 67108864 bytes (64 MB), got 0",
    "part size not an int": "must be an integer, got float",
    "bytes without a name": "is required when file is bytes or has no name",
    "text-mode file": "is open in text mode; open it with 'rb'",
    "not a file at all": "must be a path, bytes or a binary file object, got int",
    "list order": "must be 'asc' or 'desc', got 'newest'",
    "download into a missing folder": "{tmp}/no/x.csv is not a file in an existing folder",
    "add_part over 64 MB": "a part holds 1 to 67108864 bytes (64 MB), got 67108865",
    "add_part empty": "a part holds 1 to 67108864 bytes (64 MB), got 0",
    "add_part not bytes": "must be bytes, got str",
    "upload over 8 GB": "must be at most 8589934592 (8 GB)",
    "complete with no parts": "must name at least one part",
    "unseekable file object": "must be seekable (parts are read by offset)",
}


class _Unseekable:
    name = 3  # not a text name: the file object's name is not used

    def read(self, size: int = -1) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        raise OSError("not seekable")


CASES["upload filename not text"] = (
    lambda c, t: c.uploads.create(filename=3, purpose="fine-tune", bytes=3),  # type: ignore[arg-type]
    "filename",
)
CASES["upload purpose not text"] = (
    lambda c, t: c.uploads.create(filename="a.jsonl", purpose=None, bytes=3),  # type: ignore[arg-type]
    "purpose",
)
CASES["upload mime_type not text"] = (
    lambda c, t: c.uploads.create(filename="a", purpose="p", bytes=3, mime_type=1),  # type: ignore[arg-type]
    "mime_type",
)
CASES["upload bytes not an int"] = (
    lambda c, t: c.uploads.create(filename="a", purpose="p", bytes="3"),  # type: ignore[arg-type]
    "bytes",
)
CASES["complete md5 not text"] = (
    lambda c, t: c.uploads.complete("upload_1", part_ids=["p"], md5=5),  # type: ignore[arg-type]
    "md5",
)
CASES["add_part not bytes"] = (
    lambda c, t: c.uploads.add_part("upload_1", data="text"),  # type: ignore[arg-type]
    "data",
)
CASES["unseekable file object"] = (
    lambda c, t: c.files.upload(_Unseekable(), filename="a.jsonl"),  # type: ignore[arg-type]
    "file",
)


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_refused_by_name_before_any_request(
    service: FakeFiles, make_client: Make, tmp_path: Path, case: str
) -> None:
    run, param = CASES[case]
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        await run(make_client(), tmp_path)
    assert caught.value.param == param
    if case in MESSAGES:
        assert caught.value.message == MESSAGES[case].format(tmp=tmp_path)
    assert service.seen == []
    assert not any(name.endswith(".part") for name in os.listdir(tmp_path))


@pytest.mark.parametrize("size", [1, 64 * 1024 * 1024])
async def test_a_part_of_1_byte_or_exactly_64_mb_is_sent(
    service: FakeFiles, make_client: Make, size: int
) -> None:
    service.uploads["upload_1"] = {"id": "upload_1", "status": "pending", "_parts": []}
    part = await make_client().uploads.add_part("upload_1", data=bytearray(size))
    [sent] = service.seen
    assert sent.fields["_size"] == size
    assert sent.fields["_filename"] == "blob"
    assert part.upload_id == "upload_1"
