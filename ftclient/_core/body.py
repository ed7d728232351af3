"""Request and response bodies that are not JSON: a multipart form of slices of a file, and a
sink that a streamed answer is written to. Values only: what to send and where to write; the
transport does the sending, reading each slice a chunk at a time as the socket takes it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import IO, Any, Protocol

import attrs

__all__ = ["CHUNK", "FileSlice", "Form", "Sink", "Source", "read_chunks"]

CHUNK = 1024 * 1024
"""Bytes read from a source at a time: the most of a file held in memory per part in flight."""

Source = str | bytes | memoryview | int | IO[bytes]
"""Where a file's bytes are: a path (str), bytes in memory, an OS file descriptor (read with
``os.pread``, safe for parts in parallel) or a seekable binary file object."""


@attrs.frozen(kw_only=True)
class FileSlice:
    """``length`` bytes of ``source`` from ``offset``, sent as one multipart file field.

    Attributes:
        source: see :data:`Source`.
        offset: first byte.
        length: how many bytes.
        filename: the name sent in the part's ``Content-Disposition``.
        content_type: the part's ``Content-Type``.
        progress: called with the bytes of this slice sent so far in the current attempt (0
            first, so that a resent slice restarts its count).
    """

    source: Source = attrs.field(repr=False)
    offset: int
    length: int
    filename: str
    content_type: str = "application/octet-stream"
    progress: Callable[[int], None] | None = attrs.field(default=None, repr=False, eq=False)


Form = tuple[tuple[str, "str | FileSlice"], ...]
"""A ``multipart/form-data`` body: (field name, text value or file slice) pairs, in order."""


class Sink(Protocol):
    """Where a streamed 2xx answer goes: ``open()`` gives a fresh (truncated) binary writer for
    each attempt, closed by the transport."""

    def open(self) -> IO[bytes]: ...


def read_chunks(piece: FileSlice, chunk: int = CHUNK) -> Iterator[bytes | memoryview]:
    """The bytes of ``piece``, ``chunk`` at a time (never more of it in memory at once).

    Raises:
        OSError: the source cannot be read; ValueError: it ended before ``length`` bytes.
    """
    source: Any = piece.source
    position, end = piece.offset, piece.offset + piece.length
    if isinstance(source, bytes | memoryview):
        view = memoryview(source)
        for start in range(position, end, chunk):
            yield view[start : min(start + chunk, end)]
        return
    if isinstance(source, str):
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            yield from _pread(fd, position, end, chunk)
        finally:
            os.close(fd)
        return
    if isinstance(source, int):
        yield from _pread(source, position, end, chunk)
        return
    while position < end:
        # seek and read with no await between them: parts in parallel share the object safely
        source.seek(position)
        data = source.read(min(chunk, end - position))
        if not data:
            raise ValueError(f"{piece.filename}: the file ended at byte {position} of {end}")
        position += len(data)
        yield data


def _pread(fd: int, position: int, end: int, chunk: int) -> Iterator[bytes]:
    while position < end:
        data = os.pread(fd, min(chunk, end - position), position)
        if not data:
            raise ValueError(f"the file ended at byte {position} of {end}: it changed while sent")
        position += len(data)
        yield data
