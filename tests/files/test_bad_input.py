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


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_is_refused_by_name_before_any_request(
    service: FakeFiles, make_client: Make, tmp_path: Path, case: str
) -> None:
    run, param = CASES[case]
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        await run(make_client(), tmp_path)
    assert caught.value.param == param
    assert service.seen == []
    assert not any(name.endswith(".part") for name in os.listdir(tmp_path))
