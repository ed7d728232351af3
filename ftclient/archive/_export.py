"""``export``: copy every job of an account (or those matching a metadata filter) into a directory.

Incremental and resumable: a job already exported whose document has not changed and that has
finished is not read again beyond the jobs list; events are read newest first only down to the
newest one already kept; a file whose bytes are already there with the size its description
gives is not downloaded again. Each job's records are appended once it is read whole, and a
line is added to ``state.jsonl`` after each job, so a run stopped at any point resumes there.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .._client import FineTuningClient
from .._wire.decode import to_dict
from ..errors import APIError, APIStatusError, FTClientError, InvalidParameterError
from ._layout import FORMAT, Archive

__all__ = ["ExportSummary", "export"]

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})
OnProgress = Callable[[int, int], None]


@attrs.define
class ExportSummary:
    """What one export did."""

    jobs: int = 0
    """Jobs listed (matching the filter)."""
    jobs_changed: int = 0
    """Jobs new or changed since the last export (a line added to ``jobs.jsonl``)."""
    jobs_unchanged: int = 0
    """Finished jobs already exported whole: nothing read beyond the list."""
    events: int = 0
    checkpoints: int = 0
    permissions: int = 0
    files_downloaded: int = 0
    bytes_downloaded: int = 0
    files_kept: int = 0
    """Files already in the archive with their full size: not downloaded again."""
    problems: list[str] = attrs.Factory(list)
    """What could not be copied (unreadable permissions, no Files API, a size mismatch, a job
    whose reading failed: the next run tries that job again)."""

    def describe(self) -> str:
        """A one-paragraph summary for people."""
        text = (
            f"{self.jobs} jobs ({self.jobs_changed} new or changed, {self.jobs_unchanged} "
            f"unchanged); added {self.events} events, {self.checkpoints} checkpoints, "
            f"{self.permissions} permissions; downloaded {self.files_downloaded} files "
            f"({self.bytes_downloaded} bytes), kept {self.files_kept}"
        )
        return text + "".join(f"\n  note: {p}" for p in sorted(set(self.problems)))


async def export(
    client: FineTuningClient,
    directory: str | os.PathLike[str],
    *,
    metadata: Mapping[str, str] | None = None,
    concurrency: int = 8,
    on_progress: OnProgress | None = None,
) -> ExportSummary:
    """Copy the account's jobs with their events, checkpoints, permissions and files.

    Args:
        client: the client of the account to copy.
        directory: the archive (created if needed); see :class:`~ftclient.archive.Archive` for
            the layout.
        metadata: only the jobs whose metadata holds these pairs (the list's filter).
        concurrency: jobs read at once.
        on_progress: called with ``(jobs done, jobs listed)`` after each job.

    Returns:
        An :class:`ExportSummary`.

    Raises:
        InvalidParameterError: a bad argument, before anything is sent.
        APIError: the jobs list could not be read.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidParameterError("concurrency", f"must be an integer >= 1, got {concurrency!r}")
    archive = Archive(directory)
    archive.root.mkdir(parents=True, exist_ok=True)
    archive.write_json(
        archive.root / "manifest.json", {"format": FORMAT, "source": client.base_url}
    )
    # What earlier runs finished, one line per job read (the last line of a job wins): appended,
    # not rewritten, so that recording a job costs the same for the 1st and the 10,000th.
    state = {str(r["id"]): r for r in archive.read_lines(archive.state_file)}
    summary = ExportSummary()
    listed: dict[str, dict[str, Any]] = {}
    async for job in client.jobs.list(limit=100, metadata=metadata):
        listed.setdefault(job.id, to_dict(job))  # a page repeated by a lagging list: once
    summary.jobs = len(listed)
    gate = asyncio.Semaphore(concurrency)
    done = 0

    async def one(job_id: str, document: dict[str, Any]) -> None:
        nonlocal done
        async with gate:
            try:
                record = await _export_job(client, archive, state, job_id, document, summary)
            except APIError as exc:
                # One unreadable job does not stop the others; it is not marked as read, so
                # the next run tries it again.
                summary.problems.append(f"job {job_id} not finished: {exc}")
            else:
                if record is not None:
                    archive.append(archive.state_file, [record])
        done += 1
        if on_progress is not None:
            on_progress(done, summary.jobs)

    async with asyncio.TaskGroup() as group:
        for job_id, document in listed.items():
            group.create_task(one(job_id, document))
    return summary


def _digest(document: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


async def _export_job(
    client: FineTuningClient,
    archive: Archive,
    state: dict[str, Any],
    job_id: str,
    document: dict[str, Any],
    summary: ExportSummary,
) -> dict[str, Any] | None:
    """Read one job whole; returns its line for ``state.jsonl`` (None: nothing new)."""
    digest = _digest(document)
    known = state.get(job_id, {})
    if known.get("digest") == digest and known.get("complete"):
        summary.jobs_unchanged += 1
        return None
    if known.get("digest") != digest:
        summary.jobs_changed += 1
    folder = archive.job_dir(job_id)
    # Each count is added after its await: ``summary.x += await ...`` would read ``x`` before
    # the await and lose the other jobs' additions made meanwhile.
    events = await _events(client, archive, folder / "events.jsonl", job_id)
    summary.events += events
    names, checkpoints = await _checkpoints(client, archive, folder / "checkpoints.jsonl", job_id)
    summary.checkpoints += checkpoints
    path = folder / "permissions.jsonl"
    permissions = await _permissions(client, archive, path, names, summary)
    summary.permissions += permissions
    for file_id in _files_of(document):
        await _file(client, archive, file_id, summary)
    if known.get("digest") != digest:  # the job's line goes last: it marks the job as read
        archive.append(archive.jobs_file, [{"id": job_id, "job": document}])
    return {"id": job_id, "digest": digest, "complete": document.get("status") in TERMINAL}


async def _events(client: FineTuningClient, archive: Archive, path: Any, job_id: str) -> int:
    have = {record["id"] for record in archive.read_lines(path)}
    new: list[dict[str, Any]] = []
    async for event in client.jobs.list_events(job_id, limit=100):
        if event.id in have:
            break  # newest first: everything older is already kept
        if all(e["id"] != event.id for e in new):
            new.append(to_dict(event))
    return archive.append(path, reversed(new))


async def _checkpoints(
    client: FineTuningClient, archive: Archive, path: Any, job_id: str
) -> tuple[list[str], int]:
    records = list(archive.read_lines(path))
    have = {record["id"] for record in records}
    names = [str(r.get("fine_tuned_model_checkpoint")) for r in records]
    new: list[dict[str, Any]] = []
    async for checkpoint in client.checkpoints.list(job_id, limit=100):
        if checkpoint.id in have:
            continue
        have.add(checkpoint.id)
        new.append(to_dict(checkpoint))
        if checkpoint.fine_tuned_model_checkpoint:
            names.append(checkpoint.fine_tuned_model_checkpoint)
    return names, archive.append(path, reversed(new))


async def _permissions(
    client: FineTuningClient, archive: Archive, path: Any, names: list[str], summary: ExportSummary
) -> int:
    have = {(r["checkpoint"], r["permission"]["id"]) for r in archive.read_lines(path)}
    new: list[dict[str, Any]] = []
    for name in names:
        try:
            async for permission in client.permissions.list(name, limit=100):
                if (name, permission.id) not in have:
                    have.add((name, permission.id))
                    new.append({"checkpoint": name, "permission": to_dict(permission)})
        except InvalidParameterError as exc:  # the provider does not serve permissions
            summary.problems.append(f"permissions not copied: {exc.message}")
            break
        except APIStatusError as exc:
            if exc.status not in (401, 403, 404):
                raise
            # Reading permissions needs an admin key; the rest of the record is still worth it.
            summary.problems.append(f"permissions not readable ({exc.status})")
            break
    return archive.append(path, new)


def _files_of(document: Mapping[str, Any]) -> list[str]:
    found = [document.get("training_file"), document.get("validation_file")]
    found += list(document.get("result_files") or [])
    return [f for f in found if isinstance(f, str) and f]


async def _file(
    client: FineTuningClient, archive: Archive, file_id: str, summary: ExportSummary
) -> None:
    files = getattr(client, "files", None)
    target = archive.file_bytes(file_id)
    meta = archive.read_json(archive.file_meta(file_id))
    if isinstance(meta, dict) and target.exists() and target.stat().st_size == meta.get("bytes"):
        summary.files_kept += 1
        return
    if files is None:
        summary.problems.append("files not copied: this client has no Files API")
        return
    try:
        described = to_dict(await files.retrieve(file_id))
        target.parent.mkdir(parents=True, exist_ok=True)
        await files.download(file_id, target)
    except FTClientError as exc:
        summary.problems.append(f"file {file_id} not copied: {exc}")
        return
    size = target.stat().st_size
    if isinstance(described.get("bytes"), int) and size != described["bytes"]:
        target.unlink()
        summary.problems.append(f"file {file_id}: {size} bytes came, {described['bytes']} expected")
        return
    described.setdefault("bytes", size)
    described["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
    archive.write_json(archive.file_meta(file_id), described)
    summary.files_downloaded += 1
    summary.bytes_downloaded += size
