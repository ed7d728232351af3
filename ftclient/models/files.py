"""Files and Uploads (``files.openapi.yaml``): an uploaded file, a multi-part Upload, a part.

``purpose`` is a plain string (providers add values: ``fine-tune-results``, Azure's
``assistants_output``...). A file's and an Upload's ``status`` are typed by the ``Literal``
aliases :data:`~ftclient.models.FileStatus` / :data:`~ftclient.models.UploadStatus`, so a
misspelt comparison is a type error, but any string a server sends decodes (as that string).

Required, as the document requires them and OpenAI's and Azure's answers carry them: a file's
``id``, ``object``, ``bytes``, ``created_at``, ``filename``, ``purpose``; an Upload's every field
but ``file``; a part's every field; a delete's ``id``, ``object``, ``deleted``. Optional: a
file's ``expires_at`` (optional in the document) and ``status``/``status_details`` (deprecated
there, so a server may stop sending them), an Upload's ``file`` (only once completed).
"""

from __future__ import annotations

import attrs

from ._base import Model
from ._enums import FileStatus, UploadStatus
from ._page import Page

__all__ = ["FileDeleted", "FileObject", "ListFilesResponse", "Upload", "UploadPart"]


@attrs.frozen(kw_only=True)
class FileObject(Model):
    """A file stored by the service (``OpenAIFile``); ``status`` says whether it is usable."""

    id: str
    bytes: int
    created_at: int
    expires_at: int | None = None
    filename: str
    purpose: str
    status: FileStatus | None = None
    status_details: str | None = None
    object: str


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
    deleted: bool
    object: str


@attrs.frozen(kw_only=True)
class Upload(Model):
    """A multi-part Upload; once ``completed``, ``file`` is the file it made."""

    id: str
    bytes: int
    created_at: int
    expires_at: int
    filename: str
    purpose: str
    status: UploadStatus
    file: FileObject | None = None
    object: str


@attrs.frozen(kw_only=True)
class UploadPart(Model):
    """One part added to an Upload; ``complete`` names parts by ``id``."""

    id: str
    created_at: int
    upload_id: str
    object: str
