"""No second file and no half file: the guards of ``files.create``, ``files.delete`` and
``uploads.complete`` (see docs/reliability.md, "Files and uploads").

The service gives no key to look a file up by, so the evidence is its list: a file with the
name, size and purpose sent, created no earlier than the request (by the server's clock). For a
create that is the time of the first send, moved onto the server's clock by the ``Date`` header
of the check's own answer; for a ``complete`` it is the Upload's ``created_at``, the server's own
figure. The list may lag, so a check that finds nothing keeps looking for
``RetryPolicy.consistency_window`` before the call is sent again; after a resend, any other
matching file (made by the lost attempt, shown late) is deleted.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Generator
from typing import Any

import attrs

from .._core.call import Call, Check, Guard, Hook, Note, Recovered
from .._core.paths import FILES_PATH, file_path
from .._core.response import carried_info
from .._wire.decode import decoder
from ..errors import APIError, APIStatusError, InvalidParameterError, NotFoundError
from ..models import FileDeleted, FileObject, ListFilesResponse, Upload
from ._guards import _give_up

__all__ = ["CompleteUploadGuard", "CreateFileGuard", "DeleteFileGuard", "FileLookup"]

# Date has whole seconds and created_at is floored: allow this much either side.
_SLACK = 2
_LOOKUP_PAGE = 100


@attrs.frozen
class FileLookup:
    """What identifies the file a call makes: its name, size and purpose."""

    filename: str
    size: int
    purpose: str

    def matches(self, file: FileObject, since: float) -> bool:
        """Whether ``file`` is one this call made, if created no earlier than ``since``."""
        return (
            file.filename == self.filename
            and file.bytes == self.size
            and (file.purpose is None or file.purpose == self.purpose)
            and file.created_at is not None
            and file.created_at >= since
        )

    def newest(self, call: Call[Any]) -> Call[ListFilesResponse]:
        """The check that reads the newest page of files of this purpose."""
        return call.derive(
            "look for the file",
            "GET",
            FILES_PATH,
            decoder(ListFilesResponse, "GET", FILES_PATH),
            query={"purpose": self.purpose, "order": "desc", "limit": _LOOKUP_PAGE},
        )


def _skew(page: ListFilesResponse) -> float:
    """The server's clock minus ours, from the answer's ``Date`` (0 without a usable one)."""
    info = carried_info(page)
    stamp = info.headers.get("date") if info is not None else None
    try:
        server = email.utils.parsedate_to_datetime(stamp).timestamp() if stamp else None
    except (TypeError, ValueError):
        server = None
    return 0.0 if server is None else server - time.time()


def _first(files: list[FileObject]) -> FileObject:
    """The earliest of the matching files (ties: the lowest id)."""
    return min(files, key=lambda f: (f.created_at or 0, f.id))


class CreateFileGuard(Guard[FileObject]):
    """``files.create``: find the file a lost attempt made; delete an extra after a resend."""

    def __init__(self, lookup: FileLookup, wall: Callable[[], float] = time.time) -> None:
        self.lookup = lookup
        self.wall = wall
        self.sent_at = 0.0  # our wall clock at the first send

    def before_send(self, call: Call[FileObject]) -> Hook[Recovered[FileObject] | None]:
        """Note when the first attempt leaves."""
        self.sent_at = self.wall()
        return None
        yield  # a generator that checks nothing

    def _ours(self, page: ListFilesResponse) -> list[FileObject]:
        since = self.sent_at + _skew(page) - _SLACK
        return [f for f in page.data if self.lookup.matches(f, since)]

    def after_ambiguous(
        self, call: Call[FileObject], failure: APIError
    ) -> Hook[Recovered[FileObject] | Call[FileObject]]:
        """The file if the list shows it within the consistency window, else send again."""
        try:
            page = yield Check(self.lookup.newest(call), until=lambda p: bool(self._ours(p)))
        except APIError as exc:
            raise _give_up(
                failure,
                f"not sent again: ftclient could not check whether the file was made "
                f"({exc}); look for {self.lookup.filename!r} with files.list before retrying",
            ) from failure.__cause__
        found = self._ours(page)
        if not found:
            return call
        keep = _first(found)
        for extra in found:  # after several lost attempts, each may have made one
            if extra.id != keep.id:
                yield from _delete_extra(call, extra)
        return Recovered(keep, "the answer was lost; found the file in the list")

    def confirm(
        self, call: Call[FileObject], outcome: FileObject | APIStatusError
    ) -> Hook[FileObject | Recovered[FileObject]]:
        """After a resend: once the list shows the new file, delete any other one just made."""
        if isinstance(outcome, APIStatusError):
            raise outcome
        made = outcome

        def shows_it(page: ListFilesResponse) -> bool:
            return any(f.id == made.id for f in self._ours(page))

        try:
            page = yield Check(self.lookup.newest(call), until=shows_it)
        except APIError as exc:
            return Recovered(made, f"could not check for an extra file: {exc}")
        extras = [extra for extra in self._ours(page) if extra.id != made.id]
        if not extras:
            return made
        for extra in extras:
            yield from _delete_extra(call, extra)
        return Recovered(made, f"kept {made.id}, the file the resend made")


def _delete_extra(call: Call[Any], extra: FileObject) -> Generator[Check | Note, Any, None]:
    """Delete ``extra``, a file this call made twice; say in the call's notes what happened."""
    try:
        path = file_path(extra.id)
    except InvalidParameterError as exc:
        yield Note(f"could not delete the extra file {extra.id!r}: {exc.message}")
        return
    delete = call.derive("delete an extra", "DELETE", path, decoder(FileDeleted, "DELETE", path))
    try:
        yield Check(attrs.evolve(delete, guard=DeleteFileGuard(extra.id)))
    except APIError as exc:
        yield Note(f"could not delete the extra file {extra.id}: {exc}")
        return
    yield Note(f"deleted the extra file {extra.id} made by the lost attempt")


class DeleteFileGuard(Guard[FileDeleted]):
    """``files.delete``: a resend answered 404 means the lost attempt deleted it."""

    def __init__(self, file_id: str) -> None:
        self.file_id = file_id

    def confirm(
        self, call: Call[FileDeleted], outcome: FileDeleted | APIStatusError
    ) -> Hook[FileDeleted | Recovered[FileDeleted]]:
        """The file if deleted; a 404 after a possibly acted attempt counts as deleted."""
        if isinstance(outcome, NotFoundError):
            deleted = FileDeleted(id=self.file_id, object="file", deleted=True)
            return Recovered(deleted, "the answer was lost; a resend found the file gone")
        if isinstance(outcome, APIStatusError):
            raise outcome
        return outcome
        yield  # a generator that checks nothing


class CompleteUploadGuard(Guard[Upload]):
    """``uploads.complete``: the file a lost attempt made is in the list; never complete twice.

    An Upload makes at most one file, so a resend cannot duplicate; what it must not do is
    report a failure for an Upload that did complete (the resend is refused as already
    completed) and leave the caller to cancel or re-upload.
    """

    def __init__(self, upload: Upload, lookup: FileLookup) -> None:
        self.upload = upload
        self.lookup = lookup

    def _made(self, page: ListFilesResponse) -> list[FileObject]:
        since = (self.upload.created_at or 0) - _SLACK
        return [f for f in page.data if self.lookup.matches(f, since)]

    def _completed(self, files: list[FileObject], how: str) -> Recovered[Upload]:
        return Recovered(attrs.evolve(self.upload, status="completed", file=_first(files)), how)

    def after_ambiguous(
        self, call: Call[Upload], failure: APIError
    ) -> Hook[Recovered[Upload] | Call[Upload]]:
        """The completed Upload if its file is listed within the window, else send again."""
        try:
            page = yield Check(self.lookup.newest(call), until=lambda p: bool(self._made(p)))
        except APIError:
            return call  # complete sent twice makes one file; confirm() explains a refusal
        found = self._made(page)
        if found:
            return self._completed(found, "the answer was lost; found the file it made")
        return call

    def confirm(
        self, call: Call[Upload], outcome: Upload | APIStatusError
    ) -> Hook[Upload | Recovered[Upload]]:
        """A resend refused (already completed): find the file the lost attempt made."""
        if not isinstance(outcome, APIStatusError):
            return outcome
        if outcome.status not in (400, 404, 409):
            raise outcome
        try:
            page = yield Check(self.lookup.newest(call), until=lambda p: bool(self._made(p)))
        except APIError:
            raise outcome from None
        found = self._made(page)
        if not found:
            raise outcome
        return self._completed(found, "the answer was lost; the Upload had completed")
