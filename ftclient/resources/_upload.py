"""``files.upload`` for a file larger than one part: the Uploads API, driven to the end.

Parts of ``part_size`` bytes are read from the source as they are sent (at most ``CHUNK`` bytes
of each part in memory), ``concurrency`` at a time; each part is its own call, so only a part
that failed is sent again. The MD5 is computed in a worker thread meanwhile (for a path, bytes
or a file with a descriptor) and given to ``complete`` with the part ids in file order. If the
call fails for good, or is cancelled, the Upload is cancelled so that no part of it can become
a file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .._core.body import FileSlice
from .._core.paths import upload_path
from .._core.response import carried_info, keep_info
from ..errors import APIError, APIResponseValidationError
from ..models import FileObject
from ._base import Options
from ._sources import FileSource, md5_hex
from .uploads import Uploads

__all__ = ["OnProgress", "Progress", "upload_in_parts"]

logger = logging.getLogger("ftclient")

OnProgress = Callable[[int, int], None]
"""Called with (bytes sent, total bytes) as the bytes leave; a resent part counts once."""


class Progress:
    """Bytes sent across the parts of one upload, each part counted once however often sent."""

    def __init__(self, total: int, callback: OnProgress | None) -> None:
        self.total = total
        self.callback = callback
        self.sent = 0
        self._parts: dict[int, int] = {}

    def of_part(self, index: int) -> Callable[[int], None] | None:
        """The progress hook of part ``index`` (None when nobody listens)."""
        if self.callback is None:
            return None

        def update(sent: int) -> None:
            self.sent += sent - self._parts.get(index, 0)
            self._parts[index] = sent
            if self.callback is not None:
                self.callback(self.sent, self.total)

        return update


async def upload_in_parts(
    uploads: Uploads,
    source: FileSource,
    *,
    purpose: str,
    mime_type: str,
    part_size: int,
    concurrency: int,
    progress: Progress,
    options: Options,
) -> FileObject:
    """Create an Upload, send the parts, complete it; cancel it if anything fails for good.

    Raises:
        APIError: a call failed after the client's retries (the Upload was cancelled).
        APIResponseValidationError: ``complete`` answered without the file it made.
    """
    upload = await uploads.create(
        filename=source.filename, purpose=purpose, bytes=source.size, mime_type=mime_type
    )
    md5 = asyncio.create_task(_md5(source))
    try:
        parts = [
            source.piece(offset, min(part_size, source.size - offset), progress.of_part(i))
            for i, offset in enumerate(range(0, source.size, part_size))
        ]
        part_ids = await _send_parts(uploads, upload.id, parts, concurrency, options)
        done = await uploads.finish(upload.id, part_ids, await md5, options, upload=upload)
    except BaseException as failure:
        md5.cancel()
        await _cancel(uploads, upload.id, failure)
        raise
    if done.file is None:
        raise APIResponseValidationError(
            f"uploads.complete answered without the file it made (upload {done.id}, status "
            f"{done.status!r})",
            method="POST",
            url=upload_path(done.id, "complete"),
        )
    info = carried_info(done)
    if info is not None:  # the file answers response_info() as a small upload's does
        keep_info(done.file, info)
    return done.file


async def _md5(source: FileSource) -> str:
    if isinstance(source.source, str | bytes | memoryview | int):
        return await asyncio.to_thread(md5_hex, source)
    return md5_hex(source)  # a file object without a descriptor is read on the loop


async def _send_parts(
    uploads: Uploads, upload_id: str, parts: list[FileSlice], concurrency: int, options: Options
) -> list[str]:
    """Send every part, ``concurrency`` at a time; their ids in file order."""
    ids: list[str | None] = [None] * len(parts)
    pending = iter(range(len(parts)))

    async def worker() -> None:
        for index in pending:  # the workers share one iterator: each part is taken once
            part = await uploads.send_part(upload_id, parts[index], options)
            ids[index] = part.id

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(concurrency, len(parts))):
                group.create_task(worker())
    except ExceptionGroup as failed:  # the first part that failed for good (others stopped)
        raise failed.exceptions[0] from None
    return [part_id for part_id in ids if part_id is not None]


async def _cancel(uploads: Uploads, upload_id: str, failure: BaseException) -> None:
    """Cancel the Upload, shielded from a cancellation of the caller; note what happened."""
    try:
        await asyncio.shield(uploads.cancel(upload_id, timeout=30.0))
    except (APIError, asyncio.CancelledError) as exc:
        note = f"the Upload {upload_id} could not be cancelled ({exc!r}); it expires in an hour"
    else:
        note = f"the Upload {upload_id} was cancelled: no file was made"
    logger.debug(note)
    failure.add_note(note)
