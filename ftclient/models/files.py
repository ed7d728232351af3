"""Files and Uploads (``files.openapi.yaml``): an uploaded file, a multi-part Upload, a part.

Plain string fields where the document has enums (``purpose``, ``status``): providers add
values (Azure's ``pending``/``running``, ``fine-tune-results``...) and a value this SDK does not
know must never fail a response.
"""

from __future__ import annotations

import attrs

from ._base import Model
from ._page import Page

__all__ = ["FileDeleted", "FileObject", "ListFilesResponse", "Upload", "UploadPart"]


@attrs.frozen(kw_only=True)
class FileObject(Model):
    """A file stored by the service (``OpenAIFile``); ``status`` says whether it is usable."""

    id: str
    bytes: int | None = None
    created_at: int | None = None
    expires_at: int | None = None
    filename: str | None = None
    purpose: str | None = None
    status: str | None = None
    status_details: str | None = None
    object: str = "file"


@attrs.frozen(kw_only=True)
class ListFilesResponse(Page):
    """A page of files."""

    data: list[FileObject]
    object: str = "list"
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


@attrs.frozen(kw_only=True)
class FileDeleted(Model):
    """The answer to deleting a file."""

    id: str
    deleted: bool | None = None
    object: str = "file"


@attrs.frozen(kw_only=True)
class Upload(Model):
    """A multi-part Upload; once ``completed``, ``file`` is the file it made."""

    id: str
    bytes: int | None = None
    created_at: int | None = None
    expires_at: int | None = None
    filename: str | None = None
    purpose: str | None = None
    status: str | None = None
    file: FileObject | None = None
    object: str = "upload"


@attrs.frozen(kw_only=True)
class UploadPart(Model):
    """One part added to an Upload; ``complete`` names parts by ``id``."""

    id: str
    created_at: int | None = None
    upload_id: str | None = None
    object: str = "upload.part"
