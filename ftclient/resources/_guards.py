"""No duplicate side effects: the guards of the calls that change something.

After an attempt that may have acted (a 5xx, a connection lost or timed out after sending), the
runner asks the call's guard before sending again. A guard does no I/O: its hooks are
generators (the protocol is in ``_core/call.py``) that yield :class:`Check` requests, calls
that carry the original call's headers (project, organization) and extra query and return
models, which the runner makes within the call's deadline and sends back; they return a
decision. The API's reads may lag behind its writes, so a check that finds nothing asks to be
probed again (``until``) for ``RetryPolicy.consistency_window`` (default 20 s) before the call
is sent again:

* ``jobs.create`` tags the job with ``metadata["ftclient_idempotency_key"]`` (also sent as the
  ``Idempotency-Key`` header) and looks the key up through the ``metadata[...]`` list filter;
  only a job that carries the key counts. After any resend it reconciles: once the list shows
  the job just made, every job carrying the key is visible, and all but the earliest are
  cancelled (they are still validating or queued, so nothing was trained); the earliest is
  returned, and ``response_info(job).recovery`` says what was done.
* ``jobs.cancel``/``pause``/``resume`` retrieve the job: already in the target state means done;
  a resend refused because of the job's state is checked again within the window.
* ``permissions.create`` lists the checkpoint's permissions and sends again only for the
  projects not yet granted.
* ``permissions.delete`` lists them: gone means done; a resend answered 404 means the lost
  attempt revoked it.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._checks import MAX_METADATA_KEYS, MAX_PAGE_SIZE
from .._core.call import Call, Check, Guard, Hook, Note, Recovered
from .._core.paths import JOBS_PATH, job_path
from .._wire.decode import decoder
from ..errors import (
    APIError,
    APIStatusError,
    InvalidParameterError,
    NotFoundError,
    PaginationError,
)
from ..models import (
    DeleteFineTuningCheckpointPermissionResponse,
    FineTuningCheckpointPermission,
    FineTuningJob,
    ListFineTuningCheckpointPermissionResponse,
    ListPaginatedFineTuningJobsResponse,
)

__all__ = [
    "IDEMPOTENCY_METADATA_KEY",
    "CreateJobGuard",
    "GrantGuard",
    "NoResend",
    "RevokeGuard",
    "TransitionGuard",
    "create_advice",
    "new_key",
    "with_idempotency_key",
]

IDEMPOTENCY_METADATA_KEY = "ftclient_idempotency_key"
_LIST_PERMISSIONS = "list the permissions"
# A list that ignores the filter still shows a just-made job among its newest page.
_LOOKUP_PAGE = MAX_PAGE_SIZE


def new_key() -> str:
    """A fresh idempotency key (the one format, for creates and every other POST)."""
    return f"ftc-{uuid.uuid4().hex}"


def with_idempotency_key(metadata: Mapping[str, str] | None, key: str) -> dict[str, str] | None:
    """``metadata`` plus the idempotency key, or None when the 16-key limit leaves no room.

    Raises:
        InvalidParameterError: the caller's metadata already uses the reserved key differently.
    """
    merged = dict(metadata or {})
    existing = merged.get(IDEMPOTENCY_METADATA_KEY)
    if existing is not None and existing != key:
        raise InvalidParameterError(
            f"metadata[{IDEMPOTENCY_METADATA_KEY!r}]",
            "is reserved for ftclient's duplicate protection; pass idempotency_key= instead",
        )
    if existing is None and len(merged) >= MAX_METADATA_KEYS:
        return None
    merged[IDEMPOTENCY_METADATA_KEY] = key
    return merged


def _carries(job: FineTuningJob, key: str) -> bool:
    return isinstance(job.metadata, Mapping) and job.metadata.get(IDEMPOTENCY_METADATA_KEY) == key


def _give_up(failure: APIError, note: str) -> APIError:
    failure.add_note(note)
    return failure


class NoResend(Guard[Any]):
    """For a call that cannot be checked: a failure that may have acted is raised, not resent.

    Args:
        why: the note the raised failure gets.
        advice: what the caller can do about it (``if_maybe_acted``, ``if_timed_out``).
    """

    def __init__(self, why: str, advice: str | None = None) -> None:
        self.why = why
        if advice is not None:
            self.if_maybe_acted = f"the job may have been made: {advice}"
            self.if_timed_out = f"the job may still be created: {advice}"

    def after_ambiguous(self, call: Call[Any], failure: APIError) -> Hook[Any]:
        """Raise ``failure`` with the reason it is not sent again."""
        raise _give_up(failure, self.why) from failure.__cause__
        yield  # a generator that checks nothing


def create_advice(key: str) -> str:
    """How to collect a job whose create may have acted: send it again with its key."""
    return (
        f"call jobs.create again with idempotency_key={key!r} to get it without making a second one"
    )


class CreateJobGuard(Guard[FineTuningJob]):
    """``jobs.create``: find the job by its key, never make a second one (see module docs)."""

    def __init__(self, key: str, *, explicit: bool) -> None:
        self.key = key
        self.resend_before_first = explicit  # the caller's own retry of a call that failed
        self.advice = create_advice(key)
        self.if_maybe_acted = f"the job may have been made: {self.advice}"
        self.if_timed_out = f"the job may still be created: {self.advice}"

    def _lookup(self, call: Call[FineTuningJob]) -> Call[ListPaginatedFineTuningJobsResponse]:
        return call.derive(
            "look up its idempotency key",
            "GET",
            JOBS_PATH,
            decoder(ListPaginatedFineTuningJobsResponse, "GET", JOBS_PATH),
            query={"limit": _LOOKUP_PAGE, "metadata": {IDEMPOTENCY_METADATA_KEY: self.key}},
        )

    def _tagged(self, page: ListPaginatedFineTuningJobsResponse) -> list[FineTuningJob]:
        return [job for job in page.data if _carries(job, self.key)]

    def before_send(self, call: Call[FineTuningJob]) -> Hook[Recovered[FineTuningJob] | None]:
        """With an explicit key: the job already made with it, if any."""
        if not self.resend_before_first:
            return None
        found = self._tagged((yield Check(self._lookup(call))))
        if not found:
            return None
        return Recovered(_earliest(found), "found by its idempotency key; not sent again")

    def after_ambiguous(
        self, call: Call[FineTuningJob], failure: APIError
    ) -> Hook[Recovered[FineTuningJob] | Call[FineTuningJob]]:
        """Look the key up for the consistency window; the job if found, else send again."""
        try:
            page = yield Check(self._lookup(call), until=lambda page: bool(self._tagged(page)))
        except APIError as exc:
            raise _give_up(
                failure,
                "not sent again: ftclient could not check whether the job was made "
                f"({exc}); {self.advice}",
            ) from failure.__cause__
        found = self._tagged(page)
        if found:
            return Recovered(
                _earliest(found), "the answer was lost; found the job by its idempotency key"
            )
        return call

    def confirm(
        self, call: Call[FineTuningJob], outcome: FineTuningJob | APIStatusError
    ) -> Hook[FineTuningJob | Recovered[FineTuningJob]]:
        """After a resend: keep the earliest job carrying the key, cancel the others."""
        if isinstance(outcome, APIStatusError):
            raise outcome
        if not _carries(outcome, self.key):
            return Recovered(
                outcome, "the server did not keep the idempotency tag: duplicates unchecked"
            )

        def shows_it(page: ListPaginatedFineTuningJobsResponse) -> bool:
            return any(job.id == outcome.id for job in self._tagged(page))

        try:
            page = yield Check(self._lookup(call), until=shows_it)
        except APIError as exc:
            return Recovered(outcome, f"could not check for duplicates after the resend: {exc}")
        jobs = {job.id: job for job in self._tagged(page)}  # newest first, as listed
        if outcome.id not in jobs:
            jobs = {outcome.id: outcome, **jobs}  # just made: the newest
        if len(jobs) == 1:
            return outcome
        keep = _earliest(list(jobs.values()))
        for job in jobs.values():
            if job.id != keep.id:
                yield from _cancel_duplicate(call, job)
        return Recovered(keep, f"kept {keep.id}, the first job made with this key")


def _cancel_duplicate(call: Call[Any], job: FineTuningJob) -> Hook[None]:
    """Ask for the cancel of a duplicate job (a check that carries its own guard)."""
    # The id is the server's choice: encoded like any other, so that "../x" or "a/b" cannot
    # send the cancel to another job (the one kept, behind a proxy that folds "..").
    try:
        path, cancel_path = job_path(job.id), job_path(job.id, "cancel")
    except InvalidParameterError as exc:  # "" or a lone surrogate: no request can name it
        yield Note(
            f"could not cancel the duplicate job {job.id!r}: the server gave it an id that "
            f"cannot be sent in a path ({exc.message})"
        )
        return
    cancel = call.derive(
        "cancel a duplicate", "POST", cancel_path, decoder(FineTuningJob, "POST", path)
    )
    cancel = attrs.evolve(
        cancel,
        headers={**cancel.headers, "Idempotency-Key": new_key()},
        guard=TransitionGuard(path, frozenset({"cancelled"})),
    )
    try:
        yield Check(cancel)
    except APIError as exc:
        yield Note(f"could not cancel the duplicate job {job.id}: {exc}")
        return
    yield Note(f"cancelled the duplicate job {job.id} made by a resend")


def _earliest(jobs: Sequence[FineTuningJob]) -> FineTuningJob:
    """The first job made, of ``jobs`` in the list's order (newest first).

    ``created_at`` has whole seconds; within the earliest second the job listed last was made
    first. Every process racing on one key picks the same job this way (a tie broken by "not the
    one I just made" had two racing workers each keep the other's job and cancel their own).
    """
    made = [math.inf if job.created_at is None else job.created_at for job in jobs]
    first = min(made)
    return [job for job, at in zip(jobs, made, strict=True) if at == first][-1]


class TransitionGuard(Guard[FineTuningJob]):
    """``cancel``/``pause``/``resume``: done when the job already is in one of ``done``."""

    def __init__(self, job_path: str, done: frozenset[str]) -> None:
        self.job_path = job_path
        self.done = done

    def _retrieve(self, call: Call[FineTuningJob]) -> Call[FineTuningJob]:
        path = self.job_path
        return call.derive("retrieve the job", "GET", path, decoder(FineTuningJob, "GET", path))

    def after_ambiguous(
        self, call: Call[FineTuningJob], failure: APIError
    ) -> Hook[Recovered[FineTuningJob] | Call[FineTuningJob]]:
        """The job if it already is in the target state, else the call to send again."""
        try:
            job: FineTuningJob = yield Check(self._retrieve(call))
        except APIError:
            return call  # a transition sent twice acts once; confirm() explains a refusal
        if job.status in self.done:
            return Recovered(job, f"the answer was lost; the job is already {job.status}")
        return call

    def confirm(
        self, call: Call[FineTuningJob], outcome: FineTuningJob | APIStatusError
    ) -> Hook[FineTuningJob | Recovered[FineTuningJob]]:
        """A resend refused for the job's state: the lost attempt may have made it; check."""
        if not isinstance(outcome, APIStatusError):
            return outcome
        if outcome.status != 400:  # a refusal for the job's state; a 409 was retried already
            raise outcome
        try:
            job: FineTuningJob = yield Check(
                self._retrieve(call), until=lambda j: j.status in self.done
            )
        except APIError:
            raise outcome from None
        if job.status not in self.done:
            raise outcome
        return Recovered(job, f"the answer was lost; the job is {job.status}")


def _list_permissions(
    call: Call[Any], path: str
) -> Call[ListFineTuningCheckpointPermissionResponse]:
    """The check that lists every permission of the checkpoint at ``path`` (pages of 100)."""
    return call.derive(
        _LIST_PERMISSIONS,
        "GET",
        path,
        decoder(ListFineTuningCheckpointPermissionResponse, "GET", path),
        query={"limit": MAX_PAGE_SIZE},
    )


def _page(
    permissions: Sequence[FineTuningCheckpointPermission],
) -> ListFineTuningCheckpointPermissionResponse:
    return ListFineTuningCheckpointPermissionResponse(
        data=list(permissions),
        first_id=permissions[0].id if permissions else None,
        last_id=permissions[-1].id if permissions else None,
        has_more=False,
    )


Permissions = ListFineTuningCheckpointPermissionResponse


class GrantGuard(Guard[Permissions]):
    """``permissions.create``: grant again only the projects that have no permission yet."""

    def __init__(self, path: str, project_ids: Sequence[str]) -> None:
        self.path = path
        self.wanted = list(dict.fromkeys(project_ids))
        self.granted: dict[str, FineTuningCheckpointPermission] = {}

    def after_ambiguous(
        self, call: Call[Permissions], failure: APIError
    ) -> Hook[Recovered[Permissions] | Call[Permissions]]:
        """The permissions if all exist, else the call for the projects still missing."""

        def all_granted(found: list[FineTuningCheckpointPermission]) -> bool:
            return {p.project_id for p in found} >= set(self.wanted)

        listing = Check(_list_permissions(call, self.path), until=all_granted, pages=True)
        try:
            existing = {p.project_id: p for p in (yield listing)}
        except (APIError, PaginationError) as exc:
            raise _give_up(
                failure, f"not sent again: ftclient could not list the permissions ({exc})"
            ) from failure.__cause__
        self.granted = {p: existing[p] for p in self.wanted if p in existing}
        missing = [p for p in self.wanted if p not in self.granted]
        if not missing:
            page = _page([self.granted[p] for p in self.wanted])
            return Recovered(page, "the answer was lost; every project was already granted")
        yield Note(f"already granted: {', '.join(self.granted) or 'none'}")
        return attrs.evolve(call, body={**call.body, "project_ids": missing})

    def confirm(
        self, call: Call[Permissions], outcome: Permissions | APIStatusError
    ) -> Hook[Permissions | Recovered[Permissions]]:
        """The projects granted earlier plus those the resend granted."""
        if isinstance(outcome, APIStatusError):
            raise outcome
        if not self.granted:
            return outcome
        made = {p.project_id: p for p in outcome.data}
        merged = [
            self.granted.get(p) or made[p] for p in self.wanted if p in self.granted or p in made
        ]
        return Recovered(_page(merged), "granted only the projects still missing")
        yield  # a generator that checks nothing


Deleted = DeleteFineTuningCheckpointPermissionResponse


class RevokeGuard(Guard[Deleted]):
    """``permissions.delete``: done when the permission is gone."""

    def __init__(self, path: str, permission_id: str) -> None:
        self.path = path
        self.permission_id = permission_id

    def _deleted(self, how: str) -> Recovered[Deleted]:
        return Recovered(
            Deleted(id=self.permission_id, object="checkpoint.permission", deleted=True), how
        )

    def after_ambiguous(
        self, call: Call[Deleted], failure: APIError
    ) -> Hook[Recovered[Deleted] | Call[Deleted]]:
        """Deleted if the permission is gone, else the call to send again."""
        try:
            existing = yield Check(_list_permissions(call, self.path), pages=True)
        except (APIError, PaginationError):
            return call  # a revoke sent twice acts once; confirm() explains the 404
        if all(p.id != self.permission_id for p in existing):
            return self._deleted("the answer was lost; the permission is gone")
        return call

    def confirm(
        self, call: Call[Deleted], outcome: Deleted | APIStatusError
    ) -> Hook[Deleted | Recovered[Deleted]]:
        """A resend answered 404: the lost attempt revoked it."""
        if isinstance(outcome, NotFoundError):
            return self._deleted("the answer was lost; a resend found the permission gone")
        if isinstance(outcome, APIStatusError):
            raise outcome
        return outcome
        yield  # a generator that checks nothing
