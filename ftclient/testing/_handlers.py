"""One function per operation: ``(state, now, path params, query, body) -> JSON document``.

Handlers are synchronous and never await, so each runs atomically on the event loop and the
store needs no locks. They raise :class:`EmulatorError` for error answers.

Query conventions: ``limit`` must be an integer (the document's only rule); a page holds at most
100 items (larger limits are served 100 at a time) and a limit below 1 gives an empty page;
``after`` must name an existing object of the listed collection (otherwise 404,
``param: "after"``); unknown query parameters are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ftclient._checks import MAX_PAGE_SIZE
from ftclient._wire.schema import SchemaViolation, component, validate

from ._errors import bad_request, from_violation
from ._graders import run_grader, validate_grader
from ._jobspec import parse_create_request
from ._state import EmulatorState, paginate

__all__ = ["HANDLERS", "MAX_LIMIT", "Handler", "query_value", "requested_limit"]

MAX_LIMIT = MAX_PAGE_SIZE
Query = Sequence[tuple[str, str]]
Handler = Callable[[EmulatorState, float, dict[str, str], Query, Any], Any]


def query_value(query: Query, name: str) -> str | None:
    """The first value of the query parameter ``name``, or ``None`` when absent."""
    for key, value in query:
        if key == name:
            return value
    return None


def requested_limit(query: Query) -> int | None:
    """The ``limit`` query parameter as an integer, or ``None`` when absent.

    Raises:
        EmulatorError: 400 naming ``limit`` when it is not an integer.
    """
    raw = query_value(query, "limit")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"Invalid 'limit': expected an integer, got {raw!r}.", "limit") from None


def _limit(query: Query, default: int) -> int:
    limit = requested_limit(query)
    return default if limit is None else max(0, min(limit, MAX_LIMIT))


def _list(data: list[dict[str, Any]], has_more: bool, *, ids: bool) -> dict[str, Any]:
    document: dict[str, Any] = {"object": "list", "data": data, "has_more": has_more}
    if ids:
        document["first_id"] = data[0]["id"] if data else None
        document["last_id"] = data[-1]["id"] if data else None
    return document


def create_job(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """createFineTuningJob; with ``require_files`` its files must be processed fine-tune files."""
    request = parse_create_request(body)
    state.check_job_files(request, now)
    return state.create_job(request, now).to_json()


def list_jobs(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """listPaginatedFineTuningJobs, with the ``metadata[k]=v`` / ``metadata=null`` filter."""
    metadata: dict[str, str] = {}
    without = False
    for key, value in query:
        if key == "metadata":
            if value != "null":
                raise bad_request(
                    "Invalid 'metadata': use metadata[key]=value or metadata=null.", "metadata"
                )
            without = True
        elif key.startswith("metadata[") and key.endswith("]") and len(key) > 10:
            metadata[key[9:-1]] = value
    if without and metadata:
        raise bad_request(
            "Invalid 'metadata': metadata=null cannot be combined with metadata[k].", "metadata"
        )
    jobs, has_more = state.list_jobs(
        now,
        after=query_value(query, "after"),
        limit=_limit(query, 20),
        metadata=metadata,
        without_metadata=without,
    )
    return _list([job.to_json() for job in jobs], has_more, ids=False)


def retrieve_job(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """retrieveFineTuningJob."""
    return state.job(params["fine_tuning_job_id"], now).to_json()


def _transition(name: str) -> Handler:
    def handler(
        state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
    ) -> Any:
        job = state.job(params["fine_tuning_job_id"], now)
        getattr(job, name)(now)
        return job.to_json()

    handler.__doc__ = f"{name} a job."
    return handler


def list_events(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """listFineTuningEvents, newest first."""
    job = state.job(params["fine_tuning_job_id"], now)
    page, has_more = _page(job.events, job.event_index, query, 20)
    return _list(page, has_more, ids=False)


def list_checkpoints(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """listFineTuningJobCheckpoints, newest first."""
    job = state.job(params["fine_tuning_job_id"], now)
    page, has_more = _page(job.checkpoints, job.checkpoint_index, query, 10)
    return _list(page, has_more, ids=True)


def _page(
    items: list[dict[str, Any]], index: dict[str, int], query: Query, default: int
) -> tuple[list[dict[str, Any]], bool]:
    return paginate(items, index, after=query_value(query, "after"), limit=_limit(query, default))


def list_permissions(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """listFineTuningCheckpointPermissions."""
    order = query_value(query, "order") or "descending"
    if order not in ("ascending", "descending"):
        raise bad_request(
            f"Invalid 'order': must be one of 'ascending', 'descending', got {order!r}.", "order"
        )
    page, has_more = state.list_permissions(
        params["fine_tuned_model_checkpoint"],
        now,
        project_id=query_value(query, "project_id"),
        after=query_value(query, "after"),
        limit=_limit(query, 10),
        descending=order == "descending",
    )
    return _list(page, has_more, ids=True)


def create_permission(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """createFineTuningCheckpointPermission; idempotent per (checkpoint, project)."""
    try:
        validate(body, component("CreateFineTuningCheckpointPermissionRequest"))
    except SchemaViolation as exc:
        raise from_violation(exc) from None
    created = state.create_permissions(
        params["fine_tuned_model_checkpoint"], body["project_ids"], now
    )
    return _list(created, False, ids=True)


def delete_permission(
    state: EmulatorState, now: float, params: dict[str, str], query: Query, body: Any
) -> Any:
    """deleteFineTuningCheckpointPermission."""
    return state.delete_permission(
        params["fine_tuned_model_checkpoint"], params["permission_id"], now
    )


HANDLERS: dict[str, Handler] = {
    "createFineTuningJob": create_job,
    "listPaginatedFineTuningJobs": list_jobs,
    "retrieveFineTuningJob": retrieve_job,
    "cancelFineTuningJob": _transition("cancel"),
    "pauseFineTuningJob": _transition("pause"),
    "resumeFineTuningJob": _transition("resume"),
    "listFineTuningEvents": list_events,
    "listFineTuningJobCheckpoints": list_checkpoints,
    "listFineTuningCheckpointPermissions": list_permissions,
    "createFineTuningCheckpointPermission": create_permission,
    "deleteFineTuningCheckpointPermission": delete_permission,
    "runGrader": lambda state, now, params, query, body: run_grader(body),
    "validateGrader": lambda state, now, params, query, body: validate_grader(body),
}
