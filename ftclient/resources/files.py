"""``client.files``: upload, list, read, download and delete files."""

from __future__ import annotations

import math
import os
import pathlib
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from .._checks import callback, positive_int, seconds, text
from .._core.pagination import AsyncPaginator
from .._core.paths import FILES_PATH, file_path
from .._core.response import Response
from .._core.runner import Runner
from ..errors import InvalidParameterError, WaitTimeoutError
from ..models import FileDeleted, FileObject, ListFilesResponse
from ._base import Options, Resource, TimeoutArg
from ._file_guards import CreateFileGuard, DeleteFileGuard, FileLookup
from ._sources import MAX_PART_SIZE, FileArg, FileSource, check_part_size, file_source
from ._upload import OnProgress, Progress, upload_in_parts
from .uploads import Uploads

if TYPE_CHECKING:
    from ..params import FileExpirationParam

__all__ = ["Files"]

ORDERS = frozenset({"asc", "desc"})
# A file the service accepts in one createFile request (its README: 512 MB).
MAX_CREATE_SIZE = 512 * 1024 * 1024
DONE_STATUSES = frozenset({"processed", "error", "failed", "deleted"})


class Files(Resource):
    """Files. Every API method takes the keyword-only options ``timeout=``,
    ``extra_headers=`` and ``extra_query=`` (and ``extra_body=`` where the body is JSON)."""

    __slots__ = ("_uploads",)
    _name = "files"

    def __init__(self, runner: Runner, uploads: Uploads) -> None:
        super().__init__(runner)
        self._uploads = uploads

    async def upload(
        self,
        file: FileArg,
        *,
        purpose: str = "fine-tune",
        filename: str | None = None,
        mime_type: str = "text/jsonl",
        part_size: int = MAX_PART_SIZE,
        concurrency: int = 4,
        on_progress: OnProgress | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> FileObject:
        """Upload a file, whatever its size, and return the file made (never two of it).

        Up to ``part_size`` bytes go in one ``POST /files``; a larger file goes through the
        Uploads API in parts of ``part_size`` bytes, ``concurrency`` at a time, read from the
        source as they are sent, with the file's MD5 on ``complete``. Only a failed part is sent
        again; if the upload fails for good, its Upload is cancelled. A lost answer is checked
        against the service's file list before anything is sent again (docs/reliability.md).

        Args:
            file: a path, bytes, or a seekable binary file object.
            purpose: the file's purpose (``"fine-tune"`` needs a ``.jsonl`` name).
            filename: the name to give it (default: the path's or file object's base name).
            mime_type: the type given to the Uploads API.
            part_size: bytes per request, at most 64 MB.
            concurrency: parts in flight at once.
            on_progress: called with ``(bytes sent, total)`` as bytes leave; must not raise.
            timeout: limits of each request (seconds or :class:`~ftclient.Timeouts`).

        Returns:
            The :class:`~ftclient.models.FileObject` made.

        Raises:
            InvalidParameterError: a missing path, a directory, an empty file, a file over
                8 GB, a non-``.jsonl`` name for ``fine-tune``, ``part_size`` over 64 MB..., all
                before anything is sent.
            APIError: a request failed after the client's retries.
        """
        purpose = text(purpose, "purpose")
        size = check_part_size(part_size)
        workers = positive_int(concurrency, "concurrency")
        if on_progress is not None:
            callback(on_progress, "on_progress")
        source = file_source(file, purpose=purpose, filename=filename)
        progress = Progress(source.size, on_progress)
        options = Options(timeout, extra_headers, extra_query)
        if source.size <= size:
            return await self._create(source, purpose, None, options, progress)
        return await upload_in_parts(
            self._uploads,
            source,
            purpose=purpose,
            mime_type=text(mime_type, "mime_type"),
            part_size=size,
            concurrency=workers,
            progress=progress,
            options=options,
        )

    async def create(
        self,
        *,
        file: FileArg,
        purpose: str,
        filename: str | None = None,
        expires_after: FileExpirationParam | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> FileObject:
        """Upload a file of up to 512 MB in one multipart request (``POST /files``).

        Args:
            file: a path, bytes, or a seekable binary file object (streamed from its source).
            purpose: ``"fine-tune"``, ``"batch"``...
            filename: the name to give it (default: the path's or file object's base name).
            expires_after: ``{"anchor": "created_at", "seconds": N}``.

        Raises:
            InvalidParameterError: bad input (see :meth:`upload`), before anything is sent.
        """
        purpose = text(purpose, "purpose")
        source = file_source(file, purpose=purpose, filename=filename, max_size=MAX_CREATE_SIZE)
        options = Options(timeout, extra_headers, extra_query)
        return await self._create(source, purpose, expires_after, options, Progress(0, None))

    async def _create(
        self,
        source: FileSource,
        purpose: str,
        expires_after: FileExpirationParam | None,
        options: Options,
        progress: Progress,
    ) -> FileObject:
        form: list[tuple[str, Any]] = [("purpose", purpose)]
        for key, value in (expires_after or {}).items():
            form.append((f"expires_after[{key}]", str(value)))
        form.append(("file", source.piece(0, source.size, progress.of_part(0))))
        guard = CreateFileGuard(FileLookup(source.filename, source.size, purpose))
        call = self._call(
            "create", FileObject, "POST", FILES_PATH, options, guard=guard, form=tuple(form)
        )
        return await self._runner.run(call)

    async def retrieve(
        self,
        file_id: str,
        *,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> FileObject:
        """Get a file's description by id (``GET /files/{id}``).

        Raises:
            NotFoundError: no such file.
        """
        options = Options(timeout, extra_headers, extra_query)
        return await self._request("retrieve", FileObject, "GET", file_path(file_id), options)

    def list(
        self,
        *,
        purpose: str | None = None,
        order: str | None = None,
        limit: int | None = None,
        after: str | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[FileObject, ListFilesResponse]:
        """List files across all pages (``GET /files``).

        Args:
            purpose: only files with this purpose.
            order: ``"desc"`` (newest first, the API's default) or ``"asc"``.
            limit: page size (1 to 10,000).
            after: start after this file id.

        Raises:
            InvalidParameterError: ``order`` not ``asc``/``desc``, at the call.
        """
        if order is not None and order not in ORDERS:
            raise InvalidParameterError("order", f"must be 'asc' or 'desc', got {order!r}")
        if purpose is not None:
            text(purpose, "purpose")
        return self._paginate(
            "list",
            ListFilesResponse,
            FILES_PATH,
            {"purpose": purpose, "order": order, "limit": limit},
            Options(timeout, extra_headers, extra_query),
            after=after,
        )

    async def delete(
        self,
        file_id: str,
        *,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> FileDeleted:
        """Delete a file (``DELETE /files/{id}``); a lost answer then a 404 counts as deleted."""
        path = file_path(file_id)
        options = Options(timeout, extra_headers, extra_query)
        guard = DeleteFileGuard(file_id)
        return await self._request("delete", FileDeleted, "DELETE", path, options, guard=guard)

    async def content(
        self,
        file_id: str,
        *,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> bytes:
        """A file's bytes (``GET /files/{id}/content``), at most the client's
        ``max_response_bytes``; use :meth:`download` for a large file."""
        path = file_path(file_id, "content")
        options = Options(timeout, extra_headers, extra_query)
        call = self._call("content", bytes, "GET", path, options, decode=_body)
        return await self._runner.run(call)

    async def download(
        self,
        file_id: str,
        path: str | os.PathLike[str],
        *,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> pathlib.Path:
        """Stream a file's bytes to ``path`` (``GET /files/{id}/content``), never whole in
        memory. They go to ``<path>.part`` first and replace ``path`` only when complete, so
        a failed download leaves no half file.

        Returns:
            ``path``, as a :class:`pathlib.Path`.

        Raises:
            InvalidParameterError: ``path`` is a directory or its folder does not exist.
        """
        target, partial = _download_paths(path)
        api_path = file_path(file_id, "content")
        options = Options(timeout, extra_headers, extra_query)
        sink = _PartialFile(partial)
        call = self._call("download", bytes, "GET", api_path, options, sink=sink, decode=_body)
        try:
            await self._runner.run(call)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    async def wait_processed(
        self, file_id: str, *, poll_interval: float = 1.0, timeout: float | None = None
    ) -> FileObject:
        """Poll a file until the service has processed it; return it.

        Returns on ``processed`` (usable), ``error`` or ``failed`` (check ``status`` and
        ``status_details``), or at once for a server that reports no status.

        Raises:
            WaitTimeoutError: ``timeout`` seconds passed; ``.last`` is the last file seen.
        """
        interval = seconds(poll_interval, "poll_interval")
        limit = math.inf if timeout is None else seconds(timeout, "timeout")
        runner = self._runner
        deadline = runner.clock() + limit
        while True:
            file = await self.retrieve(file_id)
            if file.status is None or file.status in DONE_STATUSES:
                return file
            if runner.clock() + interval > deadline:
                raise WaitTimeoutError(
                    f"file {file_id} still {file.status!r} after {limit:g}s", last=file
                )
            await runner.pause(interval)


def _download_paths(path: str | os.PathLike[str]) -> tuple[pathlib.Path, pathlib.Path]:
    """The target and its ``.part`` file, checked before anything is sent."""
    target = pathlib.Path(path)
    if target.is_dir() or not target.parent.is_dir():
        raise InvalidParameterError("path", f"{target} is not a file in an existing folder")
    return target, target.with_name(target.name + ".part")


class _PartialFile:
    """The download's sink: every attempt starts ``path`` afresh."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path

    def open(self) -> IO[bytes]:
        return self.path.open("wb")


def _body(response: Response) -> bytes:
    return response.body
