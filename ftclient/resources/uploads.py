"""``client.uploads``: the Uploads API (create, add parts, complete, cancel), for callers who
drive a multi-part upload themselves; ``client.files.upload`` drives it for everyone else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._checks import identifiers, positive_int, text
from .._core.body import FileSlice
from .._core.paths import UPLOADS_PATH, upload_path
from ..errors import InvalidParameterError
from ..models import Upload, UploadPart
from ._base import Options, Resource, TimeoutArg
from ._file_guards import CompleteUploadGuard, FileLookup
from ._sources import MAX_PART_SIZE, MAX_UPLOAD_SIZE

if TYPE_CHECKING:
    from ..params import FileExpirationParam

__all__ = ["Uploads"]


class Uploads(Resource):
    """Multi-part Uploads: at most 8 GB in parts of at most 64 MB, completed within an hour.

    Every method takes the keyword-only options ``timeout=``, ``extra_headers=``,
    ``extra_query=`` and ``extra_body=`` (JSON bodies only), as ``client.jobs`` does.
    """

    __slots__ = ()
    _name = "uploads"

    async def create(
        self,
        *,
        filename: str,
        purpose: str,
        bytes: int,
        mime_type: str = "text/jsonl",
        expires_after: FileExpirationParam | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Upload:
        """Start an Upload (``POST /uploads``).

        A create whose answer is lost is sent again: an Upload that is never completed makes no
        file and expires after an hour.

        Args:
            filename: the name the file will have.
            purpose: e.g. ``"fine-tune"``.
            bytes: the file's exact size (at most 8 GB).
            mime_type: the file's type (``text/jsonl`` for fine-tuning).
            expires_after: ``{"anchor": "created_at", "seconds": N}`` for the made file.

        Raises:
            InvalidParameterError: a bad argument, named, before anything is sent.
        """
        size = positive_int(bytes, "bytes")
        if size > MAX_UPLOAD_SIZE:
            raise InvalidParameterError("bytes", f"must be at most {MAX_UPLOAD_SIZE} (8 GB)")
        body: dict[str, Any] = {
            "filename": text(filename, "filename"),
            "purpose": text(purpose, "purpose"),
            "bytes": size,
            "mime_type": text(mime_type, "mime_type"),
        }
        if expires_after is not None:
            body["expires_after"] = dict(expires_after)
        options = Options(timeout, extra_headers, extra_query, extra_body)
        return await self._request("create", Upload, "POST", UPLOADS_PATH, options, body=body)

    async def add_part(
        self,
        upload_id: str,
        *,
        data: bytes | bytearray | memoryview,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> UploadPart:
        """Add one part of at most 64 MB (``POST /uploads/{id}/parts``, multipart ``data``).

        Parts may be added in parallel; ``complete`` names them in order. A part whose answer
        is lost is sent again: the part the lost attempt may have added is simply never named.

        Raises:
            InvalidParameterError: ``data`` empty or over 64 MB, before anything is sent.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise InvalidParameterError("data", f"must be bytes, got {type(data).__name__}")
        view = memoryview(data).cast("B")
        if not 0 < view.nbytes <= MAX_PART_SIZE:
            raise InvalidParameterError(
                "data", f"a part holds 1 to {MAX_PART_SIZE} bytes (64 MB), got {view.nbytes}"
            )
        piece = FileSlice(source=bytes(view), offset=0, length=view.nbytes, filename="blob")
        options = Options(timeout, extra_headers, extra_query)
        return await self.send_part(upload_id, piece, options)

    async def send_part(self, upload_id: str, piece: FileSlice, options: Options) -> UploadPart:
        """Add ``piece`` as a part (read from its source as it is sent)."""
        path = upload_path(upload_id, "parts")
        call = self._call("add_part", UploadPart, "POST", path, options, form=(("data", piece),))
        return await self._runner.run(call)

    async def complete(
        self,
        upload_id: str,
        *,
        part_ids: Sequence[str],
        md5: str | None = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Upload:
        """Complete an Upload (``POST /uploads/{id}/complete``); ``file`` of the answer is the
        file made.

        Args:
            upload_id: the Upload.
            part_ids: the parts, in the order their bytes go.
            md5: the hex MD5 of the whole file, checked by the service.

        Raises:
            InvalidParameterError: ``part_ids`` empty or not ids, before anything is sent.
        """
        return await self.finish(
            upload_id,
            part_ids,
            md5,
            Options(timeout, extra_headers, extra_query, extra_body),
        )

    async def finish(
        self,
        upload_id: str,
        part_ids: Sequence[str],
        md5: str | None,
        options: Options,
        *,
        upload: Upload | None = None,
    ) -> Upload:
        """``complete``, guarded by the file list when the ``upload`` it completes is known."""
        ids = identifiers(part_ids, "part_ids")
        if not ids:
            raise InvalidParameterError("part_ids", "must name at least one part")
        body: dict[str, Any] = {"part_ids": ids}
        if md5 is not None:
            body["md5"] = text(md5, "md5")
        guard = None
        if upload is not None and upload.filename and upload.bytes and upload.purpose:
            lookup = FileLookup(upload.filename, upload.bytes, upload.purpose)
            guard = CompleteUploadGuard(upload, lookup)
        path = upload_path(upload_id, "complete")
        return await self._request(
            "complete", Upload, "POST", path, options, body=body, guard=guard
        )

    async def cancel(
        self,
        upload_id: str,
        *,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Upload:
        """Cancel an Upload (``POST /uploads/{id}/cancel``); no part of it becomes a file."""
        options = Options(timeout, extra_headers, extra_query, extra_body)
        path = upload_path(upload_id, "cancel")
        return await self._request("cancel", Upload, "POST", path, options)
