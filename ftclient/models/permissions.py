"""Checkpoint permissions (sharing a fine-tuned checkpoint with other projects).

A permission's fields are all required, as in the spec. The answer to a delete requires ``id``
and ``object``; ``deleted`` is required too (it is the answer).
"""

from __future__ import annotations

import attrs

from ._base import Model
from ._page import Page

__all__ = [
    "CreateFineTuningCheckpointPermissionRequest",
    "DeleteFineTuningCheckpointPermissionResponse",
    "FineTuningCheckpointPermission",
    "ListFineTuningCheckpointPermissionResponse",
]


@attrs.frozen(kw_only=True)
class FineTuningCheckpointPermission(Model):
    """A project's permission to use a fine-tuned checkpoint."""

    id: str
    created_at: int
    project_id: str
    object: str


@attrs.frozen(kw_only=True)
class CreateFineTuningCheckpointPermissionRequest(Model):
    """Body of ``POST /fine_tuning/checkpoints/{checkpoint}/permissions``."""

    project_ids: list[str]


@attrs.frozen(kw_only=True)
class ListFineTuningCheckpointPermissionResponse(Page):
    """A page of checkpoint permissions (also the response of the create operation)."""

    data: list[FineTuningCheckpointPermission]
    object: str = "list"
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


@attrs.frozen(kw_only=True)
class DeleteFineTuningCheckpointPermissionResponse(Model):
    """Response of deleting a checkpoint permission."""

    id: str
    object: str
    deleted: bool
