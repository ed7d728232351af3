"""Uploads: a large file sent in Parts, assembled into a File on complete.

As documented (``ftclient/_spec/files.openapi.json``): an Upload is ``pending`` when created and
``expired`` an hour later (:attr:`FileRules.upload_expiry`, on the emulator's clock); each Part
holds at most 64 MB and an Upload at most 8 GB; Parts may arrive in any order, and complete
assembles them in the order of ``part_ids``; the byte count must match what create declared, and
an ``md5`` given to complete must match the assembled bytes; the File made is in the returned
Upload's ``file``; no Part may be added after complete or cancel. There is no operation to read
an Upload back. The wording of the refusals is the emulator's own (the service's is not
documented); their shape is the API's.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from ftclient._wire.schema import SchemaViolation, component, validate

from ._errors import EmulatorError, bad_request, from_violation
from ._files import FileStore, StoredFile
from ._ids import IdFactory
from ._multipart import Form

__all__ = ["Upload", "UploadStore"]


def _assemble(parts: dict[str, bytes], part_ids: list[str]) -> bytes:
    """Join the Parts in order, dropping each once copied.

    Memory peaks at the file plus one Part, where ``b"".join`` holds every Part and the file
    (``ftclient serve``, two 30 MiB Parts: the peak over the Parts' 60 MiB fell from 59 MiB
    with a join to 29 MiB). The buffer grows in place and ``getvalue()`` hands it over
    without a copy; a single Part is the file as it is.
    """
    if len(part_ids) == 1:
        return parts.pop(part_ids[0])
    buffer = io.BytesIO()
    for part_id in part_ids:
        buffer.write(parts.pop(part_id))
    return buffer.getvalue()


class Upload:
    """One Upload and the Parts it holds until it completes, is cancelled or expires."""

    def __init__(self, upload_id: str, body: dict[str, Any], now: float, expiry: float) -> None:
        self.id = upload_id
        self.filename: str = body["filename"]
        self.purpose: str = body["purpose"]
        self.bytes: int = body["bytes"]
        self.mime_type: str = body["mime_type"]
        expires_after = body.get("expires_after")
        self.file_expires_after: float | None = expires_after["seconds"] if expires_after else None
        self.created_at = now
        self.expires_at = now + expiry
        self.parts: dict[str, bytes] = {}
        self.received = 0
        self.file: StoredFile | None = None
        self._status = "pending"

    def status(self, now: float) -> str:
        """``pending``, ``completed``, ``cancelled`` or ``expired`` at ``now``."""
        if self._status == "pending" and now >= self.expires_at:
            self.finish("expired")
        return self._status

    def finish(self, status: str) -> None:
        """Move to a final status and drop the Parts' bytes."""
        self._status = status
        self.parts = {}  # the bytes are not needed any more

    def to_json(self, now: float) -> dict[str, Any]:
        """The ``Upload`` document; ``file`` only once completed, as in the document's examples."""
        document: dict[str, Any] = {
            "object": "upload",
            "id": self.id,
            "purpose": self.purpose,
            "filename": self.filename,
            "bytes": self.bytes,
            "created_at": int(self.created_at),
            "expires_at": int(self.expires_at),
            "status": self.status(now),
        }
        if self.file is not None:
            document["file"] = self.file.to_json(now)
        return document

    def require_pending(self, now: float, action: str) -> None:
        """Raises EmulatorError: 400 ``invalid_state`` unless the Upload is still pending."""
        status = self.status(now)
        if status != "pending":
            raise EmulatorError(
                400,
                f"Cannot {action} Upload {self.id} because its status is {status!r}.",
                code="invalid_state",
            )


class UploadStore:
    """Every Upload by id; completing one adds its File to ``files``."""

    def __init__(self, ids: IdFactory, files: FileStore) -> None:
        self._ids = ids
        self._files = files
        self.uploads: dict[str, Upload] = {}

    def _get(self, upload_id: str) -> Upload:
        try:
            return self.uploads[upload_id]
        except KeyError:
            raise EmulatorError(404, f"No such Upload object: {upload_id}", param="id") from None

    def create(self, body: Any, now: float) -> dict[str, Any]:
        """createUpload.

        Raises:
            EmulatorError: 400 for a body the document refuses, ``bytes`` below 0 or above the
                Upload maximum, or a ``fine-tune`` filename that is not ``.jsonl``.
        """
        try:
            validate(body, component("CreateUploadRequest"))
        except SchemaViolation as exc:
            raise from_violation(exc) from None
        rules = self._files.rules
        if not 0 <= body["bytes"] <= rules.max_upload_bytes:
            raise bad_request(
                f"Invalid 'bytes': an Upload holds from 0 to {rules.max_upload_bytes} bytes, "
                f"got {body['bytes']}.",
                "bytes",
            )
        self._files.check_fine_tune_name(body["filename"], body["purpose"], "filename")
        upload = Upload(self._ids.make("upload_"), body, now, rules.upload_expiry)
        self.uploads[upload.id] = upload
        return upload.to_json(now)

    def add_part(self, upload_id: str, form: Form, now: float) -> dict[str, Any]:
        """addUploadPart (the 64 MB limit is applied while the part is read).

        Raises:
            EmulatorError: 404 for an unknown Upload; 400 when it is not pending, the form
                lacks ``data`` or has another part, or the Upload would pass its maximum.
        """
        upload = self._get(upload_id)
        extra = [name for name in form.names() if name != "data"]
        if extra:
            raise bad_request(f"Unknown form field {extra[0]!r} (expected only 'data').", extra[0])
        if "data" not in form.files:
            raise bad_request("Missing required form field 'data'.", "data")
        upload.require_pending(now, "add a Part to")
        data = form.files["data"].data
        limit = self._files.rules.max_upload_bytes
        if upload.received + len(data) > limit:
            raise bad_request(f"An Upload holds at most {limit} bytes.", "data")
        part_id = self._ids.make("part_")
        upload.parts[part_id] = data
        upload.received += len(data)
        return {
            "object": "upload.part",
            "id": part_id,
            "created_at": int(now),
            "upload_id": upload.id,
        }

    def complete(self, upload_id: str, body: Any, now: float) -> dict[str, Any]:
        """completeUpload: assemble the Parts in the order of ``part_ids`` into a File.

        Raises:
            EmulatorError: 404 for an unknown Upload; 400 when it is not pending, a part id is
                not one of its Parts or is repeated, the byte count differs from the one
                declared, or ``md5`` does not match.
        """
        upload = self._get(upload_id)
        try:
            validate(body, component("CompleteUploadRequest"))
        except SchemaViolation as exc:
            raise from_violation(exc) from None
        upload.require_pending(now, "complete")
        part_ids: list[str] = body["part_ids"]
        for position, part_id in enumerate(part_ids):
            if part_id not in upload.parts:
                raise bad_request(
                    f"Part {part_id!r} is not a Part of Upload {upload.id}.",
                    f"part_ids[{position}]",
                )
            if part_id in part_ids[:position]:
                raise bad_request(f"Part {part_id!r} is listed twice.", f"part_ids[{position}]")
        size = sum(len(upload.parts[part_id]) for part_id in part_ids)
        if size != upload.bytes:
            raise bad_request(
                f"The Parts hold {size} bytes, but the Upload was created for {upload.bytes}.",
                "part_ids",
            )
        md5 = body.get("md5")
        if md5 is not None:
            # Hashed part by part, before anything is assembled: a mismatch leaves the Upload
            # pending with its Parts.
            hashed = hashlib.md5()
            for part_id in part_ids:
                hashed.update(upload.parts[part_id])
            digest = hashed.hexdigest()
            if digest != md5.strip().lower():
                raise bad_request(
                    f"The md5 of the assembled bytes is {digest}, not {md5!r}.", "md5"
                )
        upload.file = self._files.add(
            _assemble(upload.parts, part_ids),
            filename=upload.filename,
            purpose=upload.purpose,
            now=now,
            expires_after=upload.file_expires_after,
        )
        upload.finish("completed")
        return upload.to_json(now)

    def cancel(self, upload_id: str, now: float) -> dict[str, Any]:
        """cancelUpload.

        Raises:
            EmulatorError: 404 for an unknown Upload, 400 when it is not pending.
        """
        upload = self._get(upload_id)
        upload.require_pending(now, "cancel")
        upload.finish("cancelled")
        return upload.to_json(now)
