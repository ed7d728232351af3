"""Where the lines come from: a path, bytes, or a binary file object, read line by line and, when
the source allows it, read again (the repeat check's second pass)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import attrs

from ..errors import InvalidParameterError

__all__ = ["LineSource", "open_source"]

Source = str | os.PathLike[str] | bytes | BinaryIO


@attrs.frozen(kw_only=True)
class LineSource:
    """A source of lines: ``name`` for messages, ``size`` in bytes if known, and ``reader`` giving
    an iterator over the lines, from the start each time when ``rereadable`` (not a pipe)."""

    name: str
    size: int | None
    reader: Callable[[], Iterator[bytes]]
    rereadable: bool


def _file_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from handle


def _path_source(path: Path, param: str) -> LineSource:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InvalidParameterError(param, f"no such file: {str(path)!r}") from None
    except OSError as exc:
        raise InvalidParameterError(param, f"cannot read {str(path)!r}: {exc.strerror}") from None
    if path.is_dir():
        raise InvalidParameterError(param, f"{str(path)!r} is a directory, not a JSONL file")
    try:
        path.open("rb").close()
    except OSError as exc:
        raise InvalidParameterError(param, f"cannot read {str(path)!r}: {exc.strerror}") from None
    return LineSource(
        name=str(path), size=info.st_size, reader=lambda: _file_lines(path), rereadable=True
    )


def _stream_source(stream: BinaryIO, param: str) -> LineSource:
    if isinstance(stream, io.TextIOBase):
        raise InvalidParameterError(param, "a text file: open it in binary mode ('rb')")
    name = str(getattr(stream, "name", "<stream>"))
    try:
        start = stream.tell() if stream.seekable() else None
    except OSError:
        start = None
    if start is None:
        return LineSource(name=name, size=None, reader=lambda: iter(stream), rereadable=False)

    def again() -> Iterator[bytes]:
        stream.seek(start)
        return iter(stream)

    return LineSource(name=name, size=None, reader=again, rereadable=True)


def open_source(source: object, param: str) -> LineSource:
    """Check ``source`` (the argument named ``param``) and return how to read its lines.

    Raises:
        InvalidParameterError: a missing path, a directory, an unreadable file, a text-mode file
            or a value of another type.
    """
    if isinstance(source, str | os.PathLike):
        return _path_source(Path(source), param)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return LineSource(
            name="<bytes>", size=len(data), reader=lambda: iter(io.BytesIO(data)), rereadable=True
        )
    if hasattr(source, "read") and hasattr(source, "__iter__"):
        return _stream_source(source, param)  # type: ignore[arg-type]
    raise InvalidParameterError(
        param, f"must be a path, bytes or a binary file object, got {type(source).__name__}"
    )
