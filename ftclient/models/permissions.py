"""Checkpoint permissions (sharing a fine-tuned checkpoint with other projects)."""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "CreateFineTuningCheckpointPermissionRequest",
    "DeleteFineTuningCheckpointPermissionResponse",
    "FineTuningCheckpointPermission",
    "ListFineTuningCheckpointPermissionResponse",
]


@attrs.frozen(kw_only=True)
class FineTuningCheckpointPermission:
    """A project's permission to use a fine-tuned checkpoint."""

    id: str
    created_at: int
    project_id: str
    object: Literal["checkpoint.permission"] = "checkpoint.permission"


@attrs.frozen(kw_only=True)
class CreateFineTuningCheckpointPermissionRequest:
    """Body of ``POST /fine_tuning/checkpoints/{checkpoint}/permissions``."""

    project_ids: list[str]


@attrs.frozen(kw_only=True)
class ListFineTuningCheckpointPermissionResponse:
    """A page of checkpoint permissions (also the response of the create operation)."""

    data: list[FineTuningCheckpointPermission]
    object: Literal["list"] = "list"
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool


@attrs.frozen(kw_only=True)
class DeleteFineTuningCheckpointPermissionResponse:
    """Response of deleting a checkpoint permission."""

    id: str
    object: Literal["checkpoint.permission"] = "checkpoint.permission"
    deleted: bool
