"""``rerun``: recreate archived jobs on another server, each exactly once.

Each job is created with its source's method (hyperparameters included), seed and metadata,
its model mapped through ``model_map``, and an idempotency key derived from the source job's id:
``jobs.create`` looks the key up before creating, so a rerun stopped half-way and started again,
or run twice, finds the jobs it made instead of making them again. Each training or validation
file is uploaded once per target, by the SHA-256 of its bytes (``rerun/<target>.json`` remembers
the uploads). Everything the target cannot take is found for every job before anything is sent.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, cast

import attrs

from .._client import FineTuningClient
from ..errors import InvalidParameterError
from ._layout import Archive

if TYPE_CHECKING:
    from ..params import FineTuneMethodParam

__all__ = ["RerunJob", "idempotency_key_for", "rerun"]

_TAG = "ftclient_idempotency_key"
_MAX_METADATA = 16


@attrs.define
class RerunJob:
    """One job of a rerun: what will be (or was) sent, and what stood in the way."""

    source_id: str
    model: str
    training_file: str
    validation_file: str | None
    method: dict[str, Any] | None
    seed: int | None
    metadata: dict[str, str] | None
    idempotency_key: str
    problems: list[str] = attrs.Factory(list)
    """Why the target cannot take this job; such a job is not sent."""
    target_id: str | None = None
    """The job on the target, once created (or found)."""

    def describe(self) -> str:
        """One line for people."""
        head = f"{self.source_id} -> {self.model} ({(self.method or {}).get('type', 'supervised')})"
        if self.problems:
            return f"{head}: NOT SENT: {'; '.join(self.problems)}"
        return f"{head}: {self.target_id}" if self.target_id else f"{head}: planned"


def idempotency_key_for(source_id: str) -> str:
    """The key a rerun of the source job ``source_id`` is created under (on any target)."""
    return "rerun-" + hashlib.sha256(source_id.encode()).hexdigest()[:32]


def _latest_jobs(archive: Archive) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for record in archive.read_lines(archive.jobs_file):
        if isinstance(record.get("job"), dict):
            latest[str(record["id"])] = record["job"]
    return latest


def _plan_one(
    target: FineTuningClient,
    archive: Archive,
    source: dict[str, Any],
    model_map: Mapping[str, str],
    files_api: bool,
) -> RerunJob:
    metadata = {k: v for k, v in (source.get("metadata") or {}).items() if k != _TAG}
    method = source.get("method") if isinstance(source.get("method"), dict) else None
    job = RerunJob(
        source_id=source["id"],
        model=model_map.get(source["model"], source["model"]),
        training_file=source["training_file"],
        validation_file=source.get("validation_file"),
        method=method,
        seed=source.get("seed"),
        metadata=metadata or None,
        idempotency_key=idempotency_key_for(source["id"]),
    )
    provider = target.provider
    try:
        provider.refuse("jobs.create", {"model": job.model, "method": method})
    except InvalidParameterError as exc:
        job.problems.append(f"{exc.param} {exc.message}")
    kind = (method or {}).get("type", "supervised")
    grader = ((method or {}).get(kind) or {}).get("grader") or {}
    if grader.get("type") == "lambda" and "grader:lambda" not in provider.additions:
        job.problems.append(f"{provider.title} has no lambda grader")
    if len(metadata) >= _MAX_METADATA:
        job.problems.append("metadata holds 16 keys: no room for the tag that makes it once-only")
    for file_id in filter(None, (job.training_file, job.validation_file)):
        path = archive.file_bytes(file_id)
        if files_api and not path.exists():
            job.problems.append(f"the bytes of {file_id} are not in the archive")
    rule = provider.data_rule(kind)
    path = archive.file_bytes(job.training_file)
    if rule is not None and path.exists():
        count = sum(1 for line in path.read_bytes().splitlines() if line.strip())
        low, high = rule.min_examples, rule.max_examples
        if (low is not None and count < low) or (high is not None and count > high):
            job.problems.append(
                f"{provider.title} needs {low} to {high} {kind} examples, the file has {count}"
            )
    return job


async def rerun(
    client: FineTuningClient,
    directory: str | os.PathLike[str],
    *,
    jobs: Collection[str] | None = None,
    model_map: Mapping[str, str] | None = None,
    dry_run: bool = False,
    on_job: Callable[[RerunJob], None] | None = None,
) -> list[RerunJob]:
    """Recreate the archive's jobs on ``client``'s server.

    Args:
        client: the target's client.
        directory: an archive made by :func:`~ftclient.archive.export`.
        jobs: the source job ids to rerun (default: every job of the archive, oldest first).
        model_map: source model -> target model (``{"gpt-4o-mini": "openai.gpt-oss-20b"}``);
            a model not in it is sent as it was.
        dry_run: only plan: check every job, send nothing.
        on_job: called with each job once it is created, found or refused.

    Returns:
        The plan, each :class:`RerunJob` with its ``target_id`` (or its ``problems``).

    Raises:
        InvalidParameterError: not an archive, or a job id it does not hold.
    """
    archive = Archive(directory)
    latest = _latest_jobs(archive)
    if not latest:
        raise InvalidParameterError("directory", f"holds no exported jobs: {archive.root}")
    chosen = sorted(latest.values(), key=lambda j: (j.get("created_at") or 0, j["id"]))
    if jobs is not None:
        missing = sorted(set(jobs) - set(latest))
        if missing:
            raise InvalidParameterError("jobs", f"not in the archive: {', '.join(missing)}")
        chosen = [j for j in chosen if j["id"] in set(jobs)]
    files = getattr(client, "files", None)
    plan = [_plan_one(client, archive, j, dict(model_map or {}), files is not None) for j in chosen]
    if dry_run:
        return plan
    uploads_path = archive.root / "rerun" / (_target_name(client.base_url) + ".json")
    uploads: dict[str, str] = archive.read_json(uploads_path) or {}
    for job in plan:
        if not job.problems:
            training = await _upload(client, archive, job.training_file, uploads, uploads_path)
            validation = (
                await _upload(client, archive, job.validation_file, uploads, uploads_path)
                if job.validation_file
                else None
            )
            created = await client.jobs.create(
                model=job.model,
                training_file=training,
                validation_file=validation,
                # The source job's method as its server sent it: checked against the
                # contract at the call, like any mapping.
                method=cast("FineTuneMethodParam | None", job.method),
                seed=job.seed,
                metadata=job.metadata,
                idempotency_key=job.idempotency_key,
            )
            job.target_id = created.id
        if on_job is not None:
            on_job(job)
    return plan


def _target_name(base_url: str) -> str:
    return hashlib.sha256(base_url.encode()).hexdigest()[:16]


async def _upload(
    client: FineTuningClient,
    archive: Archive,
    file_id: str,
    uploads: dict[str, str],
    uploads_path: Any,
) -> str:
    files = getattr(client, "files", None)
    path = archive.file_bytes(file_id)
    if files is None or not path.exists():
        return file_id  # a target without a Files API: the id is all there is to send
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest not in uploads:
        uploaded = await files.upload(path, purpose="fine-tune", filename=f"{digest}.jsonl")
        uploads[digest] = uploaded.id
        archive.write_json(uploads_path, uploads)  # before the job: a restart reuses it
    return uploads[digest]
