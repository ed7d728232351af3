"""No duplicate side effects: what a retry does when an earlier attempt may have acted.

A failure is *ambiguous* when the server may have acted before it went wrong: the connection
dropped or timed out after the request could have been sent, or a 5xx came back. Before retrying
such a failure, each side-effecting operation first asks the API whether the earlier attempt took
effect, and if it did, answers with that result instead of acting again:

* ``jobs.create`` tags the job with a unique key in ``metadata`` (``ftclient_idempotency_key``)
  and looks it up through the ``metadata[...]`` list filter. After a *timeout* the server may
  still be working on the create, so a lookup that finds nothing cannot tell "not made" from
  "not made yet": the create is then not sent again (the caller gets the timeout and can call
  again with the same ``idempotency_key``, which looks the job up before sending).
* ``jobs.cancel``/``pause``/``resume`` retrieve the job: already in the target state means done.
* ``permissions.create`` lists the checkpoint's permissions: every project granted means done.
* ``permissions.delete`` lists them too: the permission gone means done.

Failures the server did not act on (429, 408, a refused connection) are simply sent again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import aiohttp

from . import _convert, _meta
from ._config import TimeoutArg
from ._decode import decode
from ._pagination import AsyncPaginator
from ._transport import GiveUp, Recover, Transport
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InvalidParameterError,
)
from .models import (
    FineTuningCheckpointPermission,
    FineTuningJob,
    ListFineTuningCheckpointPermissionResponse,
    ListPaginatedFineTuningJobsResponse,
)

__all__ = [
    "IDEMPOTENCY_METADATA_KEY",
    "find_tagged_job",
    "is_ambiguous",
    "recover_job_create",
    "recover_permission_create",
    "recover_permission_delete",
    "recover_transition",
    "refuse",
    "with_idempotency_key",
]

IDEMPOTENCY_METADATA_KEY = "ftclient_idempotency_key"
MAX_METADATA_KEYS = 16

Raw = tuple[int, dict[str, str], bytes]


def is_ambiguous(exc: BaseException | None) -> bool:
    """Whether the server may have acted on the request whose attempt raised ``exc``."""
    if isinstance(exc, APIStatusError):
        return exc.status >= 500
    if isinstance(exc, APIConnectionError):
        # A refused or unresolvable connection never delivered the request.
        return not isinstance(exc.__cause__, aiohttp.ClientConnectorError)
    return exc is not None


def new_key() -> str:
    """A fresh idempotency key."""
    return f"ftc-{uuid.uuid4().hex}"


def with_idempotency_key(metadata: dict[str, str] | None, key: str) -> dict[str, str] | None:
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


async def refuse(exc: BaseException | None) -> Raw | None:
    """A recover hook for calls that cannot check: retry only failures the server did not act on.

    Raises:
        BaseException: the previous, ambiguous failure itself; the retry loop gives up on it.
    """
    if is_ambiguous(exc) and exc is not None:
        raise GiveUp(exc)
    return None


def _as_raw(status: int, headers: dict[str, str], document: Any) -> Raw:
    return status, headers, json.dumps(document, separators=(",", ":")).encode()


def may_still_act(exc: BaseException | None) -> bool:
    """Whether the attempt timed out after its request went out (the server may be busy on it)."""
    return isinstance(exc, APITimeoutError) and not isinstance(
        exc.__cause__, aiohttp.ConnectionTimeoutError
    )


async def find_tagged_job(
    transport: Transport,
    key: str,
    *,
    timeout: TimeoutArg = ...,
    extra_headers: Mapping[str, str] | None = None,
) -> FineTuningJob | None:
    """The job whose metadata carries idempotency key ``key``, or None.

    Raises:
        APIResponseValidationError: the answer cannot say; nothing is sent again.
    """
    path = "/fine_tuning/jobs"
    response = await transport.request(
        "GET",
        path,
        params={"limit": 1, "metadata": {IDEMPOTENCY_METADATA_KEY: key}},
        timeout=timeout,
        extra_headers=extra_headers,
    )
    page = decode(response, ListPaginatedFineTuningJobsResponse, method="GET", url=path)
    if not page.data:
        return None
    _meta.remember(page.data[0], response.info)
    return page.data[0]


def recover_job_create(transport: Transport, key: str) -> Recover:
    """Before a retried create: return the job tagged with ``key`` if the server made it.

    After a timeout that finds no job, stop: the server may still make it, and a second send
    would make two.
    """

    async def recover(exc: BaseException | None) -> Raw | None:
        if not is_ambiguous(exc):
            return None
        found = await find_tagged_job(transport, key)
        if found is not None:
            info = _meta.response_info(found)
            return _as_raw(200, dict(info.headers) if info else {}, _convert.unstructure(found))
        if exc is not None and may_still_act(exc):
            exc.add_note(
                "The server may still create this job. To get it without making a second one, "
                f"call jobs.create again with idempotency_key={key!r}."
            )
            raise GiveUp(exc)
        return None

    return recover


def recover_transition(transport: Transport, job_path: str, done: Collection[str]) -> Recover:
    """Before a retried cancel/pause/resume: return the job if it already is in ``done``."""

    async def recover(exc: BaseException | None) -> Raw | None:
        if not is_ambiguous(exc):
            return None
        response = await transport.request("GET", job_path)
        job = decode(response, FineTuningJob, method="GET", url=job_path)
        if job.status in done:
            return 200, dict(response.info.headers), response.body
        return None

    return recover


async def _all_permissions(transport: Transport, path: str) -> list[FineTuningCheckpointPermission]:
    async def fetch(cursor: str | None) -> ListFineTuningCheckpointPermissionResponse:
        response = await transport.request("GET", path, params={"limit": 100, "after": cursor})
        return decode(response, ListFineTuningCheckpointPermissionResponse, method="GET", url=path)

    # The shared paginator: a server repeating a cursor raises PaginationError, never loops.
    found: list[FineTuningCheckpointPermission] = await AsyncPaginator(fetch).to_list()
    return found


def recover_permission_create(
    transport: Transport, path: str, project_ids: Sequence[str]
) -> Recover:
    """Before a retried grant: return the permissions if every project already has one."""

    async def recover(exc: BaseException | None) -> Raw | None:
        if not is_ambiguous(exc):
            return None
        existing = {p.project_id: p for p in await _all_permissions(transport, path)}
        if not all(project in existing for project in project_ids):
            return None
        data = [_convert.unstructure(existing[project]) for project in dict.fromkeys(project_ids)]
        page = {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"],
            "last_id": data[-1]["id"],
            "has_more": False,
        }
        return _as_raw(200, {}, page)

    return recover


def recover_permission_delete(transport: Transport, path: str, permission_id: str) -> Recover:
    """Before a retried revoke: report it deleted if the permission is already gone."""

    async def recover(exc: BaseException | None) -> Raw | None:
        if not is_ambiguous(exc):
            return None
        if any(p.id == permission_id for p in await _all_permissions(transport, path)):
            return None
        return _as_raw(
            200, {}, {"object": "checkpoint.permission", "id": permission_id, "deleted": True}
        )

    return recover
