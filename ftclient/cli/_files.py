"""``ftclient files ...``: upload (with live progress), list, get, delete, download."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from .. import FineTuningClient
from ..models import FileObject
from ._common import EXIT_OK, page_size
from ._output import Output, format_ago, format_duration, progress_bar, render_kv

__all__ = [
    "FILE_HEADERS",
    "UploadProgress",
    "cmd_files_delete",
    "cmd_files_download",
    "cmd_files_get",
    "cmd_files_list",
    "cmd_files_upload",
    "file_rows",
    "format_bytes",
]

FILE_HEADERS = ("id", "filename", "size", "purpose", "status", "created")
_CLEAR_LINE = "\x1b[2K"


def format_bytes(size: float | None) -> str:
    """``512 B``, ``1.5 KiB``, ``64.0 MiB``, ``1.00 GiB``."""
    if size is None:
        return "-"
    if size < 1024:
        return f"{int(size)} B"
    if size < 1024**2:
        return f"{size / 1024:.1f} KiB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MiB"
    return f"{size / 1024**3:.2f} GiB"


def file_rows(files: Sequence[FileObject], now: float | None = None) -> list[list[object]]:
    """Rows of a files table (see ``FILE_HEADERS``)."""
    return [
        [
            f.id,
            f.filename,
            format_bytes(f.bytes),
            f.purpose,
            f.status,
            format_ago(f.created_at, now),
        ]
        for f in files
    ]


class UploadProgress:
    """``files.upload``'s ``on_progress``: a bar redrawn in place on a terminal (bytes, rate,
    ETA), or a plain line at every tenth of the file on a pipe."""

    def __init__(
        self, out: Output, name: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.out = out
        self.name = name
        self.clock = clock
        self.start = clock()
        self.reported = -1  # the last tenth printed on a pipe
        self.drawn = False

    def status(self, sent: int, total: int) -> str:
        """One line: bar, bytes of total, rate and time left."""
        elapsed = max(self.clock() - self.start, 1e-9)
        rate = sent / elapsed
        eta = format_duration((total - sent) / rate) if rate > 0 else "?"
        return (
            f"{self.name} {progress_bar(sent, total)} {format_bytes(sent)} / "
            f"{format_bytes(total)}  {format_bytes(rate)}/s  ETA {eta}"
        )

    def __call__(self, sent: int, total: int) -> None:
        """Show ``sent`` of ``total`` bytes."""
        if self.out.is_tty:
            self.out.write(f"\r{_CLEAR_LINE}{self.status(sent, total)}")
            self.drawn = True
            return
        tenth = sent * 10 // total if total else 10
        if tenth > self.reported:
            self.reported = tenth
            self.out.line(self.status(sent, total))

    def done(self) -> None:
        """End the bar's line on a terminal."""
        if self.drawn:
            self.out.write("\n")


async def cmd_files_upload(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``files upload PATH``: upload a file (in parts if large), showing progress."""
    progress = None if out.json_mode else UploadProgress(out, args.path.rsplit("/", 1)[-1])
    try:
        file = await client.files.upload(
            args.path,
            purpose=args.purpose,
            concurrency=args.concurrency,
            on_progress=progress,
        )
    finally:
        if progress is not None:
            progress.done()
    if out.json_mode:
        out.json(file)
    else:
        out.line(f"Uploaded {file.filename} as {file.id} ({format_bytes(file.bytes)})")
    return EXIT_OK


async def cmd_files_list(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``files list``: files, newest first."""
    files = await client.files.list(purpose=args.purpose, limit=page_size(args.limit)).to_list(
        max_items=args.limit
    )
    if out.json_mode:
        out.json(files)
    elif files:
        out.table(FILE_HEADERS, file_rows(files, time.time()))
    else:
        out.line("No files.")
    return EXIT_OK


async def cmd_files_get(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``files get FILE_ID``."""
    file = await client.files.retrieve(args.file)
    if out.json_mode:
        out.json(file)
        return EXIT_OK
    out.line(
        render_kv(
            [
                ("id", file.id),
                ("filename", file.filename),
                ("size", format_bytes(file.bytes)),
                ("purpose", file.purpose),
                ("status", file.status),
                ("details", file.status_details),
                ("created", format_ago(file.created_at)),
            ]
        )
    )
    return EXIT_OK


async def cmd_files_delete(client: FineTuningClient, args: argparse.Namespace, out: Output) -> int:
    """``files delete FILE_ID``."""
    result = await client.files.delete(args.file)
    if out.json_mode:
        out.json(result)
    else:
        out.line(f"{'Deleted' if result.deleted else 'Did not delete'} {result.id}")
    return EXIT_OK


async def cmd_files_download(
    client: FineTuningClient, args: argparse.Namespace, out: Output
) -> int:
    """``files download FILE_ID PATH``: stream a file's content to PATH."""
    path = await client.files.download(args.file, args.path)
    if out.json_mode:
        out.json({"id": args.file, "path": str(path)})
    else:
        out.line(f"Saved {args.file} to {path}")
    return EXIT_OK
