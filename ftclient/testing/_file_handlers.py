"""The Files and Uploads operations: ``(state, now, path params, query, body) -> document``.

Like the job handlers they are synchronous; the multipart body of createFile and addUploadPart
arrives already read (:class:`~ftclient.testing._multipart.Form`), and downloadFile answers
:class:`RawBody` instead of a JSON document.

listFiles follows its document: ``limit`` from 1 to 10,000 (default 10,000), ``order`` ``asc``
or ``desc`` (default ``desc``), ``purpose`` filters, ``after`` names a file of the list.
"""

from __future__ import annotations

from typing import Any

import attrs

from ftclient._wire.schema import SchemaViolation, component, validate

from ._errors import EmulatorError, bad_request, from_violation
from ._files import StoredFile
from ._handlers import Handler, Query, query_value, requested_limit
from ._multipart import Form
from ._state import EmulatorState

__all__ = ["FILE_HANDLERS", "MAX_FILES_LIMIT", "RawBody"]

MAX_FILES_LIMIT = 10_000
_CREATE_FIELDS = ("file", "purpose", "expires_after[anchor]", "expires_after[seconds]")


@attrs.frozen
class RawBody:
    """An answer that is bytes, not JSON (downloadFile)."""

    data: bytes
    content_type: str = "application/octet-stream"


def _stored(state: EmulatorState, file_id: str, now: float) -> StoredFile:
    try:
        return state.files.get(file_id, now)
    except EmulatorError:
        # A job's results file is stored when the job is next looked at: look at them all.
        state.sync_jobs(now)
        return state.files.get(file_id, now)


def _create_request(form: Form) -> dict[str, Any]:
    """The form as a ``CreateFileRequest`` instance, to check against its schema."""
    for name in form.names():
        if name not in _CREATE_FIELDS:
            raise bad_request(f"Unknown form field {name!r}.", name)
    instance: dict[str, Any] = {"file": "<binary>"} if "file" in form.files else {}
    if "purpose" in form.fields:
        instance["purpose"] = form.fields["purpose"]
    expires: dict[str, Any] = {}
    if "expires_after[anchor]" in form.fields:
        expires["anchor"] = form.fields["expires_after[anchor]"]
    if "expires_after[seconds]" in form.fields:
        seconds = form.fields["expires_after[seconds]"]
        expires["seconds"] = int(seconds) if seconds.strip().isdigit() else seconds
    if expires:
        instance["expires_after"] = expires
    return instance


def create_file(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Form
) -> Any:
    """createFile (multipart: ``file``, ``purpose``, optional ``expires_after[...]``)."""
    instance = _create_request(body)
    try:
        validate(instance, component("CreateFileRequest"))
    except SchemaViolation as exc:
        raise from_violation(exc) from None
    upload = body.files["file"]
    if not upload.filename:
        raise bad_request("'file' must be a file: a form part with a filename.", "file")
    state.files.check_fine_tune_name(upload.filename, instance["purpose"], "file")
    expires = instance.get("expires_after")
    stored = state.files.add(
        upload.data,
        filename=upload.filename,
        purpose=instance["purpose"],
        now=now,
        expires_after=expires["seconds"] if expires else None,
    )
    return stored.to_json(now)


def _files_limit(query: Query) -> int:
    limit = requested_limit(query)
    if limit is None:
        return MAX_FILES_LIMIT
    if not 1 <= limit <= MAX_FILES_LIMIT:
        raise bad_request(
            f"Invalid 'limit': must be from 1 to {MAX_FILES_LIMIT}, got {limit}.", "limit"
        )
    return limit


def list_files(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """listFiles: ``purpose``, ``limit``, ``order``, ``after``."""
    order = query_value(query, "order") or "desc"
    if order not in ("asc", "desc"):
        raise bad_request(f"Invalid 'order': must be 'asc' or 'desc', got {order!r}.", "order")
    limit = _files_limit(query)
    state.sync_jobs(now)
    page, has_more = state.files.list(
        now,
        purpose=query_value(query, "purpose"),
        descending=order == "desc",
        after=query_value(query, "after"),
        limit=limit,
    )
    return {
        "object": "list",
        "data": [stored.to_json(now) for stored in page],
        # null on an empty page, as the service's other lists do (the document says string)
        "first_id": page[0].id if page else None,
        "last_id": page[-1].id if page else None,
        "has_more": has_more,
    }


def retrieve_file(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """retrieveFile."""
    return _stored(state, params["file_id"], now).to_json(now)


def delete_file(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """deleteFile."""
    file_id = _stored(state, params["file_id"], now).id
    return state.files.delete(file_id, now)


def download_file(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """downloadFile: the stored bytes, exactly."""
    return RawBody(_stored(state, params["file_id"], now).content)


FILE_HANDLERS: dict[str, Handler] = {
    "createFile": create_file,
    "listFiles": list_files,
    "retrieveFile": retrieve_file,
    "deleteFile": delete_file,
    "downloadFile": download_file,
    "createUpload": lambda state, now, params, query, body: state.uploads.create(body, now),
    "addUploadPart": lambda state, now, params, query, body: state.uploads.add_part(
        params["upload_id"], body, now
    ),
    "completeUpload": lambda state, now, params, query, body: state.uploads.complete(
        params["upload_id"], body, now
    ),
    "cancelUpload": lambda state, now, params, query, body: state.uploads.cancel(
        params["upload_id"], now
    ),
}
