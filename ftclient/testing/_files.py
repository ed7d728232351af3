"""The emulator's Files: stored bytes with the ``OpenAIFile`` view, and what jobs need of them.

Facts from the Files document (``ftclient/_spec/files.openapi.json``) and the live service:

- a file may hold up to 512 MB; fine-tuning takes only ``.jsonl`` files with purpose
  ``fine-tune`` (an upload of another name answers 400 ``Invalid file format for Fine-Tuning
  API. Must be .jsonl``, as a CLI's tests against the service show);
- ``status`` is ``uploaded`` and then ``processed`` (deprecated in the document, still what says
  whether a file is usable); the service now answers the create with ``processed`` already
  (openai-python output of 2024-12), so :attr:`FileRules.processing` defaults to 0;
- an unknown id is a 404 ``No such File object: <id>`` with ``param: "id"`` (openai-dotnet's
  test against the service);
- a job given an unknown file answers 400 ``invalid training_file: <id>`` (``param:
  "training_file"``, ``code: null``; command-line clients' tests run against the service
  assert ``invalid training_file: foobar``); one given a file still being processed answers 400
  ``File '<id>' is still being processed and is not ready to be used for fine-tuning. Please
  try again later.``;
- a job's results file has purpose ``fine-tune-results`` and holds the CSV ``step, train_loss,
  train_accuracy, valid_loss, valid_mean_token_accuracy``, served base64-encoded (the OpenAI
  cookbook decodes it with ``base64.b64decode``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._datarules import job_file_error, made_up_id_error
from ._errors import EmulatorError, bad_request
from ._ids import IdFactory
from ._paging import paginate

if TYPE_CHECKING:
    from ._jobspec import JobRequest
    from ._lifecycle import Job

__all__ = ["FILE_PURPOSES", "FileRules", "FileStore", "StoredFile"]

MiB = 1024**2
FILE_PURPOSES = (
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "fine-tune",
    "fine-tune-results",
    "vision",
    "user_data",
)
"""``OpenAIFile.purpose`` values (what a seeded file may have)."""
_BATCH_EXPIRY = 30 * 24 * 3600  # "files with purpose=batch expire after 30 days" by default
_RESULTS_COLUMNS = ("train_loss", "train_mean_token_accuracy", "valid_loss")


def _at_least(minimum: float) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= minimum:
            raise ValueError(f"{attribute.name} must be a number >= {minimum:g}, got {value!r}")

    return check


@attrs.frozen(kw_only=True)
class FileRules:
    """Limits and timings of Files and Uploads (simulated seconds, bytes).

    Attributes:
        processing: seconds from a file's creation to ``status: "processed"``; 0 (the service
            today) answers the create with ``processed`` already.
        upload_expiry: seconds an Upload stays ``pending`` (an hour, as documented).
        max_part_bytes: the most a Part may hold (64 MB, as documented).
        max_upload_bytes: the most an Upload may hold (8 GB, as documented).
        max_file_bytes: the most createFile takes (512 MB, as documented).
    """

    processing: float = attrs.field(default=0.0, validator=_at_least(0))
    upload_expiry: float = attrs.field(default=3600.0, validator=_at_least(0))
    max_part_bytes: int = attrs.field(default=64 * MiB, validator=_at_least(1))
    max_upload_bytes: int = attrs.field(default=8 * 1024 * MiB, validator=_at_least(1))
    max_file_bytes: int = attrs.field(default=512 * MiB, validator=_at_least(1))


@attrs.define(kw_only=True)
class StoredFile:
    """One file: its bytes and when it was made."""

    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: float
    processed_at: float
    expires_at: float | None = None

    def status(self, now: float) -> str:
        """``uploaded`` until processing ends, then ``processed``."""
        return "processed" if now >= self.processed_at else "uploaded"

    def to_json(self, now: float) -> dict[str, Any]:
        """The ``OpenAIFile`` document at ``now``."""
        document: dict[str, Any] = {
            "object": "file",
            "id": self.id,
            "purpose": self.purpose,
            "filename": self.filename,
            "bytes": len(self.content),
            "created_at": int(self.created_at),
            "status": self.status(now),
            "status_details": None,
        }
        if self.expires_at is not None:
            document["expires_at"] = int(self.expires_at)
        return document


def _no_such_file(file_id: str) -> EmulatorError:
    return EmulatorError(404, f"No such File object: {file_id}", param="id")


def results_csv(job: Job) -> bytes:
    """The results file of a job, as the service serves it: its step CSV, base64-encoded."""
    rows = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
    for event in job.events:
        if event["type"] != "metrics":
            continue
        data = event["data"]
        cells = [str(data["step"]), *(str(data.get(k, "")) for k in _RESULTS_COLUMNS)]
        cells.append(str(data.get("valid_mean_token_accuracy", "")))
        rows.append(",".join(cells))
    return base64.b64encode(("\n".join(rows) + "\n").encode())


class FileStore:
    """Every file, oldest first, with the checks jobs make of them."""

    def __init__(self, ids: IdFactory, rules: FileRules) -> None:
        self.rules = rules
        self._ids = ids
        self._items: list[StoredFile] = []
        self._index: dict[str, int] = {}
        self._deleted: set[str] = set()
        self._verdicts: dict[tuple[str, str, str], dict[str, Any] | None] = {}

    def __len__(self) -> int:
        return len(self._items) - len(self._deleted)

    def add(
        self,
        content: bytes,
        *,
        filename: str,
        purpose: str,
        now: float,
        expires_after: float | None = None,
        file_id: str | None = None,
        processed: bool = False,
    ) -> StoredFile:
        """Store a new file created at ``now``.

        Args:
            content: its bytes.
            filename: its name.
            purpose: its purpose.
            now: creation time.
            expires_after: seconds until it expires (``batch`` files default to 30 days).
            file_id: the id to use instead of a generated ``file-...`` one.
            processed: skip :attr:`FileRules.processing` (seed data, results files).

        Raises:
            ValueError: ``file_id`` is already taken.
        """
        if file_id is not None and file_id in self._index:
            raise ValueError(f"a file with id {file_id!r} exists already")
        if expires_after is None and purpose == "batch":
            expires_after = _BATCH_EXPIRY
        stored = StoredFile(
            id=file_id or self._ids.make("file-"),
            filename=filename,
            purpose=purpose,
            content=content,
            created_at=now,
            processed_at=now if processed else now + self.rules.processing,
            expires_at=None if expires_after is None else now + expires_after,
        )
        # Kept in creation order: a results file is stored when its job is next looked at, which
        # can be after files created later than the job finished.
        position = len(self._items)
        while position and self._items[position - 1].created_at > now:
            position -= 1
        self._items.insert(position, stored)
        if position == len(self._items) - 1:
            self._index[stored.id] = position
        else:
            self._index = {item.id: number for number, item in enumerate(self._items)}
        return stored

    def check_fine_tune_name(self, filename: str, purpose: str, param: str) -> None:
        """Refuse a ``fine-tune`` file whose name does not end in ``.jsonl``, as the service does.

        Raises:
            EmulatorError: 400 naming ``param``.
        """
        if purpose == "fine-tune" and not filename.lower().endswith(".jsonl"):
            raise bad_request("Invalid file format for Fine-Tuning API. Must be .jsonl", param)

    def _live(self, file_id: str, now: float) -> StoredFile | None:
        position = self._index.get(file_id)
        if position is None or file_id in self._deleted:
            return None
        stored = self._items[position]
        if stored.expires_at is not None and now >= stored.expires_at:
            return None
        return stored

    def get(self, file_id: str, now: float) -> StoredFile:
        """Return a live file.

        Raises:
            EmulatorError: 404 ``No such File object`` for an unknown, deleted or expired id.
        """
        stored = self._live(file_id, now)
        if stored is None:
            raise _no_such_file(file_id)
        return stored

    def delete(self, file_id: str, now: float) -> dict[str, Any]:
        """Delete a file (it stays in place as a tombstone so a cursor naming it still works).

        Raises:
            EmulatorError: 404 for an unknown or already deleted file.
        """
        self.get(file_id, now)
        self._deleted.add(file_id)
        # Free the bytes now: only the position in the list has to stay.
        self._items[self._index[file_id]].content = b""
        return {"object": "file", "id": file_id, "deleted": True}

    def list(
        self,
        now: float,
        *,
        purpose: str | None,
        descending: bool,
        after: str | None,
        limit: int,
    ) -> tuple[list[StoredFile], bool]:
        """A page of live files, optionally of one purpose.

        Raises:
            EmulatorError: 404 naming ``after`` for an unknown cursor.
        """

        def keep(stored: StoredFile) -> bool:
            alive = self._live(stored.id, now) is stored
            return alive and (purpose is None or stored.purpose == purpose)

        return paginate(
            self._items, self._index, after=after, limit=limit, descending=descending, keep=keep
        )

    # -- jobs -----------------------------------------------------------------------------------

    def require_for_job(self, file_id: str, param: str, now: float) -> None:
        """Refuse a job's file the way the service does at create time.

        Raises:
            EmulatorError: 400 naming ``param`` for an unknown or deleted file, one whose
                purpose is not ``fine-tune``, or one still being processed.
        """
        stored = self._live(file_id, now)
        if stored is None or stored.purpose != "fine-tune":
            message = f"invalid {param}: {file_id}"
            if stored is not None:  # the emulator's own addition to the service's words
                message += f" (its purpose is {stored.purpose!r}; fine-tuning needs 'fine-tune')"
            raise EmulatorError(400, message, param=param)
        if stored.status(now) != "processed":
            raise EmulatorError(
                400,
                f"File '{file_id}' is still being processed and is not ready to be used for "
                "fine-tuning. Please try again later.",
                param=param,
            )

    def job_error(self, request: JobRequest, now: float) -> dict[str, Any] | None:
        """The error a job on these files fails validation with (``None``: it passes).

        A known file is held to the data rules (``ftclient.data``); an id that names no file
        (allowed with ``require_files=False`` and for seed jobs) to the made-up-id rule.
        """
        for param, file_id in (
            ("training_file", request.training_file),
            ("validation_file", request.validation_file),
        ):
            if not file_id:
                continue
            stored = self._live(file_id, now)
            if stored is None:
                error = made_up_id_error(file_id, param)
            else:
                key = (file_id, request.method_type, param)
                if key not in self._verdicts:
                    content = stored.content
                    self._verdicts[key] = job_file_error(content, request.method_type, param)
                error = self._verdicts[key]
            if error is not None:
                return error
        return None

    def add_results(self, job: Job, at: float) -> None:
        """Store the results file of a job that succeeded at ``at`` under its first result id."""
        self.add(
            results_csv(job),
            filename="step_metrics.csv",
            purpose="fine-tune-results",
            now=at,
            file_id=job.result_files[0],
            processed=True,
        )


def seed_fields(purpose: str, filename: str) -> None:
    """Check the fields of a seeded file.

    Raises:
        ValueError: an unknown purpose or an empty filename.
    """
    if purpose not in FILE_PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(FILE_PURPOSES)}; got {purpose!r}")
    if not filename.strip():
        raise ValueError("filename must not be empty")


def form_limits(rules: FileRules) -> Mapping[str, Mapping[str, int]]:
    """The parts read as bytes, and their limits, of each multipart operation."""
    return {
        "createFile": {"file": rules.max_file_bytes},
        "addUploadPart": {"data": rules.max_part_bytes},
    }
