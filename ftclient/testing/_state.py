"""The emulator's in-memory store: jobs, checkpoint permissions, files and uploads.

Every collection is kept oldest first with an ``id -> position`` index, so a page after any
cursor is found in O(1) and walked in either direction (``_paging``). Deleted permissions stay in
place as tombstones so that a cursor naming one still works.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._errors import bad_request, not_found
from ._files import FileRules, FileStore
from ._ids import IdFactory
from ._jobspec import JobRequest
from ._lifecycle import Job, JobTimings
from ._paging import paginate
from ._uploads import UploadStore

__all__ = ["EmulatorState", "paginate"]

_JOB_SEED_MAX = 2_147_483_647


class _Permissions:
    """The permissions of one checkpoint model."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.by_project: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()


class EmulatorState:
    """All the data the emulator holds; handlers call it with the current simulated time."""

    def __init__(
        self,
        *,
        seed: int | None,
        organization_id: str,
        timings: JobTimings,
        file_rules: FileRules | None = None,
        require_files: bool = True,
    ) -> None:
        """Create an empty store.

        Args:
            seed: seeds the ids (and through them job seeds and metrics).
            organization_id: the ``organization_id`` of every job.
            timings: durations of the simulated job phases.
            file_rules: limits and timings of Files and Uploads.
            require_files: a job's files must exist and be processed ``fine-tune`` files
                (as on the service); ``False`` accepts any id.
        """
        self.ids = IdFactory(seed)
        self.organization_id = organization_id
        self.timings = timings
        self.require_files = require_files
        self.files = FileStore(self.ids, file_rules or FileRules())
        self.uploads = UploadStore(self.ids, self.files)
        self.jobs: dict[str, Job] = {}
        self._job_list: list[Job] = []
        self._job_index: dict[str, int] = {}
        self._models: dict[str, Job] = {}
        self._permissions: dict[str, _Permissions] = {}

    # -- jobs -------------------------------------------------------------------------------

    def check_job_files(self, request: JobRequest, now: float) -> None:
        """Refuse a create whose files the service would refuse (with ``require_files``).

        Raises:
            EmulatorError: 400 naming ``training_file`` or ``validation_file``.
        """
        if not self.require_files:
            return
        self.files.require_for_job(request.training_file, "training_file", now)
        if request.validation_file:
            self.files.require_for_job(request.validation_file, "validation_file", now)

    def sync_jobs(self, now: float) -> None:
        """Bring every unfinished job up to ``now`` (so results files of finished jobs exist)."""
        for job in self._job_list:
            if not job.finished:
                job.sync(now)

    def create_job(self, request: JobRequest, now: float) -> Job:
        """Create a job in ``validating_files`` at ``now``; it fails validation if its files
        break the data rules (see ``FileStore.job_error``)."""
        job_id = self.ids.make("ftjob-")
        seed = request.seed if request.seed is not None else self.ids.integer(_JOB_SEED_MAX)
        job = Job(
            job_id=job_id,
            request=request,
            created_at=now,
            seed=seed,
            organization_id=self.organization_id,
            ids=self.ids,
            timings=self.timings,
            file_error=self.files.job_error(request, now),
            on_results=self.files.add_results,
        )
        self.jobs[job_id] = job
        self._job_index[job_id] = len(self._job_list)
        self._job_list.append(job)
        self._models[job.fine_tuned_model] = job
        return job

    def discard_last_job(self, job: Job) -> None:
        """Forget the job :meth:`create_job` has just made (a seed that turned out invalid)."""
        assert self._job_list[-1] is job
        self._job_list.pop()
        del self._job_index[job.id], self.jobs[job.id], self._models[job.fine_tuned_model]

    def job(self, job_id: str, now: float) -> Job:
        """Return the job brought up to ``now``.

        Raises:
            EmulatorError: 404 naming ``fine_tuning_job_id``.
        """
        try:
            job = self.jobs[job_id]
        except KeyError:
            raise not_found("fine-tuning job", job_id, "fine_tuning_job_id") from None
        job.sync(now)
        return job

    def list_jobs(
        self,
        now: float,
        *,
        after: str | None,
        limit: int,
        metadata: Mapping[str, str] | None,
        without_metadata: bool = False,
    ) -> tuple[list[Job], bool]:
        """A page of jobs, newest first, optionally filtered on metadata.

        Args:
            now: simulated time to bring the returned jobs up to.
            after: cursor (a job id).
            limit: page size.
            metadata: pairs that must all be present in a job's metadata.
            without_metadata: keep only jobs that have no metadata (``metadata=null``).
        """
        keep: Callable[[Job], bool] | None = None
        if without_metadata:
            keep = lambda job: not job.request.metadata  # noqa: E731
        elif metadata:
            wanted = metadata.items()

            def keep(job: Job) -> bool:
                return wanted <= (job.request.metadata or {}).items()

        page, has_more = paginate(
            self._job_list, self._job_index, after=after, limit=limit, keep=keep
        )
        for job in page:
            job.sync(now)
        return page, has_more

    # -- checkpoints and permissions ----------------------------------------------------------

    def _check_model(self, model: str, now: float) -> None:
        base, marker, _ = model.partition(":ckpt-step-")
        job = self._models.get(base)
        if job is not None:
            job.sync(now)
            if (marker and model in job.checkpoint_models) or (
                not marker and job.status == "succeeded"
            ):
                return
        raise not_found("fine-tuned model checkpoint", model, "fine_tuned_model_checkpoint")

    def create_permissions(
        self, model: str, project_ids: Sequence[str], now: float
    ) -> list[dict[str, Any]]:
        """Share ``model`` with projects; a project that already has access keeps its permission.

        Raises:
            EmulatorError: 404 for an unknown checkpoint, 400 for an empty or blank project list.
        """
        self._check_model(model, now)
        if not project_ids:
            raise bad_request("'project_ids' must contain at least one project id.", "project_ids")
        for position, project in enumerate(project_ids):
            if not project.strip():
                raise bad_request("Project ids must not be empty.", f"project_ids[{position}]")
        store = self._permissions.setdefault(model, _Permissions())
        created: list[dict[str, Any]] = []
        for project in dict.fromkeys(project_ids):
            permission = store.by_project.get(project)
            if permission is None:
                permission = {
                    "object": "checkpoint.permission",
                    "id": self.ids.make("cp_"),
                    "created_at": int(now),
                    "project_id": project,
                }
                store.index[permission["id"]] = len(store.items)
                store.items.append(permission)
                store.by_project[project] = permission
            created.append(permission)
        return created

    def list_permissions(
        self,
        model: str,
        now: float,
        *,
        project_id: str | None,
        after: str | None,
        limit: int,
        descending: bool,
    ) -> tuple[list[dict[str, Any]], bool]:
        """A page of ``model``'s permissions.

        Raises:
            EmulatorError: 404 for an unknown checkpoint or cursor.
        """
        self._check_model(model, now)
        store = self._permissions.get(model) or _Permissions()

        def keep(permission: dict[str, Any]) -> bool:
            if permission["id"] in store.deleted:
                return False
            return project_id is None or permission["project_id"] == project_id

        return paginate(
            store.items, store.index, after=after, limit=limit, descending=descending, keep=keep
        )

    def delete_permission(self, model: str, permission_id: str, now: float) -> dict[str, Any]:
        """Revoke a permission.

        Raises:
            EmulatorError: 404 for an unknown checkpoint or permission.
        """
        self._check_model(model, now)
        store = self._permissions.get(model)
        if store is None or permission_id not in store.index or permission_id in store.deleted:
            raise not_found("checkpoint permission", permission_id, "permission_id")
        store.deleted.add(permission_id)
        permission = store.items[store.index[permission_id]]
        del store.by_project[permission["project_id"]]
        return {"object": "checkpoint.permission", "id": permission_id, "deleted": True}

    def permission_count(self, model: str | None = None) -> int:
        """Number of live permissions, for one checkpoint model or overall."""
        stores = [self._permissions.get(model)] if model else list(self._permissions.values())
        return sum(len(s.items) - len(s.deleted) for s in stores if s is not None)
