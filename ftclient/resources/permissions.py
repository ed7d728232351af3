"""``client.permissions``: share fine-tuned checkpoints with other projects (admin key)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._checks import identifiers
from .._core.pagination import AsyncPaginator
from .._core.paths import permission_path, permissions_path
from .._core.protocol import path_segment
from .._wire.requests import request_body
from ..errors import InvalidParameterError
from ..models import (
    DeleteFineTuningCheckpointPermissionResponse,
    FineTuningCheckpointPermission,
    ListFineTuningCheckpointPermissionResponse,
    PermissionOrder,
)
from ._base import Options, Resource, TimeoutArg
from ._guards import GrantGuard, RevokeGuard

__all__ = ["Permissions"]

ORDERS = frozenset(order.value for order in PermissionOrder)


class Permissions(Resource):
    """Checkpoint permissions. The API documents these as needing an admin API key."""

    __slots__ = ()
    _name = "permissions"

    async def create(
        self,
        checkpoint: str,
        *,
        project_ids: Sequence[str],
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ListFineTuningCheckpointPermissionResponse:
        """Grant projects access to a checkpoint (``POST .../permissions``).

        After an answer that was lost, the checkpoint's permissions are listed (for up to
        ``RetryPolicy.consistency_window``) and only the projects not yet granted are sent again.

        Args:
            checkpoint: the checkpoint's model name, e.g. ``ft:gpt-4o-mini:org::id:ckpt-step-10``.
            project_ids: one or more project ids.

        Returns:
            A page holding the created permissions.

        Raises:
            InvalidParameterError: ``project_ids`` empty, not a list, or holding a non-string.
        """
        projects = identifiers(project_ids, "project_ids")
        if not projects:
            # Granting none would be a no-op whose retry ftclient could not check.
            raise InvalidParameterError("project_ids", "must name at least one project")
        path = permissions_path(checkpoint)
        body = request_body(
            "CreateFineTuningCheckpointPermissionRequest", {"project_ids": projects}
        )
        return await self._request(
            "create",
            ListFineTuningCheckpointPermissionResponse,
            "POST",
            path,
            Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries),
            body=body,
            guard=GrantGuard(path, projects),
        )

    def list(
        self,
        checkpoint: str,
        *,
        project_id: str | None = None,
        order: str | None = None,
        limit: int | None = None,
        after: str | None = None,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncPaginator[FineTuningCheckpointPermission, ListFineTuningCheckpointPermissionResponse]:
        """List a checkpoint's permissions across all pages (``GET .../permissions``).

        Args:
            checkpoint: the fine-tuned model checkpoint.
            project_id: only this project's permission.
            order: ``"ascending"`` or ``"descending"`` (the API's default) by creation time.
            limit: page size (the API's default is 10).
            after: start after this permission id.
        """
        if order is not None and (not isinstance(order, str) or order not in ORDERS):
            raise InvalidParameterError(
                "order", f"must be 'ascending' or 'descending', got {order!r}"
            )
        if project_id is not None:
            path_segment(project_id, "project_id")
        return self._paginate(
            "list",
            ListFineTuningCheckpointPermissionResponse,
            permissions_path(checkpoint),
            {"project_id": project_id, "order": order, "limit": limit},
            Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries),
            after=after,
        )

    async def delete(
        self,
        checkpoint: str,
        permission_id: str,
        *,
        timeout: TimeoutArg = ...,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> DeleteFineTuningCheckpointPermissionResponse:
        """Revoke one permission (``DELETE .../permissions/{permission_id}``).

        After an answer that was lost, the permission being gone, or a resend answered 404,
        reports it deleted.

        Raises:
            NotFoundError: no such checkpoint or permission.
        """
        base = permissions_path(checkpoint)
        path = permission_path(checkpoint, permission_id)
        return await self._request(
            "delete",
            DeleteFineTuningCheckpointPermissionResponse,
            "DELETE",
            path,
            Options(timeout, extra_headers, extra_query, extra_body, max_retries=max_retries),
            guard=RevokeGuard(base, permission_id),
        )
