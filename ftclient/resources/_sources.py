"""What ``files.upload``/``files.create`` are given to send: a path, bytes or a binary file
object, checked before any request and described as a :class:`FileSource` (never read whole).

The limits are the service's, from ``files.openapi.yaml`` and its README: a part holds at most
64 MB, an Upload at most 8 GB, and fine-tuning takes only ``.jsonl`` files.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable
from typing import IO, Any

import attrs

from .._checks import text
from .._core.body import CHUNK, FileSlice, Source, read_chunks
from ..errors import InvalidParameterError

__all__ = [
    "MAX_PART_SIZE",
    "MAX_UPLOAD_SIZE",
    "FileArg",
    "FileSource",
    "check_part_size",
    "file_source",
    "md5_hex",
]

MB = 1024 * 1024
MAX_PART_SIZE = 64 * MB
"""The most bytes one Upload part may hold (the API's 64 MB)."""
MAX_UPLOAD_SIZE = 8 * 1024 * MB
"""The most bytes one Upload may hold (the API's 8 GB)."""

FileArg = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]
"""A file to send: a path, its bytes, or a binary file object open for reading."""


@attrs.frozen(kw_only=True)
class FileSource:
    """A checked file to send: where its bytes are, how many, and the name to send."""

    source: Source = attrs.field(repr=False)
    size: int
    filename: str

    def piece(
        self, offset: int, length: int, progress: Callable[[int], None] | None = None
    ) -> FileSlice:
        """The slice of ``length`` bytes from ``offset``, as one multipart file field."""
        return FileSlice(
            source=self.source,
            offset=offset,
            length=length,
            filename=self.filename,
            progress=progress,
        )


def check_part_size(value: object, param: str = "part_size") -> int:
    """An integer number of bytes between 1 and 64 MB.

    Raises:
        InvalidParameterError: anything else, named ``param``.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(param, f"must be an integer, got {type(value).__name__}")
    if not 0 < value <= MAX_PART_SIZE:
        raise InvalidParameterError(
            param, f"must be between 1 and {MAX_PART_SIZE} bytes (64 MB), got {value}"
        )
    return value


def file_source(
    file: object, *, purpose: str, filename: str | None, max_size: int = MAX_UPLOAD_SIZE
) -> FileSource:
    """Check ``file`` and describe it; nothing is read but its size.

    Args:
        file: a path (``str`` or ``os.PathLike``), bytes, or a seekable binary file object.
        purpose: the file's purpose; ``"fine-tune"`` requires a ``.jsonl`` name.
        filename: the name to send (default: the path's or the file object's base name).
        max_size: the most bytes accepted.

    Raises:
        InvalidParameterError: a missing path, a directory, an empty or too large file, a
            file object that is not binary and seekable, no name, or a name not ending in
            ``.jsonl`` for purpose ``fine-tune``.
    """
    name = None if filename is None else text(filename, "filename")
    source, size, default_name = _locate(file)
    name = name or default_name
    if not name:
        raise InvalidParameterError("filename", "is required when file is bytes or has no name")
    if size == 0:
        raise InvalidParameterError("file", f"{name} is empty; the service refuses empty files")
    if size > max_size:
        raise InvalidParameterError(
            "file", f"{name} holds {size} bytes, more than the {max_size} accepted"
        )
    if purpose == "fine-tune" and not name.lower().endswith(".jsonl"):
        raise InvalidParameterError(
            "filename", f"fine-tuning accepts only .jsonl files, got {name!r}"
        )
    return FileSource(source=source, size=size, filename=name)


def _locate(file: object) -> tuple[Source, int, str | None]:
    if isinstance(file, str | os.PathLike):
        path = os.fspath(file)
        if not isinstance(path, str):
            raise InvalidParameterError("file", "a path must be text, not bytes")
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise InvalidParameterError("file", f"no such file: {path}") from None
        except OSError as exc:
            raise InvalidParameterError("file", f"cannot read {path}: {exc.strerror}") from None
        if stat.S_ISDIR(info.st_mode):
            raise InvalidParameterError("file", f"{path} is a directory, not a file")
        return path, info.st_size, os.path.basename(path)
    if isinstance(file, bytes | bytearray | memoryview):
        view = memoryview(file).cast("B")
        return (view if isinstance(file, bytearray) else bytes(view)), view.nbytes, None
    if isinstance(file, io.TextIOBase):
        raise InvalidParameterError("file", "is open in text mode; open it with 'rb'")
    if not (hasattr(file, "read") and hasattr(file, "seek")):
        raise InvalidParameterError(
            "file", f"must be a path, bytes or a binary file object, got {type(file).__name__}"
        )
    return _file_object(file)


def _file_object(file: Any) -> tuple[Source, int, str | None]:
    raw_name = getattr(file, "name", None)
    name = os.path.basename(raw_name) if isinstance(raw_name, str) else None
    if isinstance(file, io.BytesIO):
        view = file.getbuffer()  # no copy; parts are slices of it
        return view, view.nbytes, name
    try:
        fd = file.fileno()
        return fd, os.fstat(fd).st_size, name  # read with os.pread: parts in parallel are safe
    except (AttributeError, OSError, io.UnsupportedOperation):
        pass
    try:
        size = file.seek(0, io.SEEK_END)
    except (OSError, io.UnsupportedOperation):
        raise InvalidParameterError("file", "must be seekable (parts are read by offset)") from None
    return file, size, name


def md5_hex(file: FileSource) -> str:
    """The hex MD5 of the whole file, read a chunk at a time (for ``complete``'s ``md5``)."""
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in read_chunks(file.piece(0, file.size), CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
