"""Every path ftclient sends, built here and nowhere else.

An id in a path comes from the caller (``jobs.retrieve(job_id)``) or from a server's answer (the
id of a duplicate job that a create's guard cancels, an id the caller got from a list and passes
back). Whoever chose it, it goes through :func:`~ftclient._core.protocol.path_segment` and
becomes one percent-encoded segment: no id can reach another endpoint, add a query or a
fragment, or be folded into a parent path by a proxy that normalises ``..``. Resources, guards
and polling all call these functions, so a path built any other way is a bug (a test scans the
package for one).
"""

from __future__ import annotations

from typing import Final

from .protocol import path_segment

__all__ = [
    "FILES_PATH",
    "GRADERS_RUN_PATH",
    "GRADERS_VALIDATE_PATH",
    "JOBS_PATH",
    "UPLOADS_PATH",
    "file_path",
    "job_path",
    "permission_path",
    "permissions_path",
    "upload_path",
]

JOBS_PATH: Final = "/fine_tuning/jobs"
GRADERS_RUN_PATH: Final = "/fine_tuning/alpha/graders/run"
GRADERS_VALIDATE_PATH: Final = "/fine_tuning/alpha/graders/validate"
FILES_PATH: Final = "/files"
UPLOADS_PATH: Final = "/uploads"


def job_path(job_id: object, *rest: str) -> str:
    """``/fine_tuning/jobs/{job_id}``, followed by the fixed words ``rest`` (``"cancel"``...).

    Args:
        job_id: the job's id, the caller's or a server's; encoded as one segment.
        rest: literal path words of ftclient's own, never an id.

    Returns:
        The percent-encoded path.

    Raises:
        InvalidParameterError: ``job_id`` is not a non-blank UTF-8 string (named ``job_id``).
    """
    return "/".join((JOBS_PATH, path_segment(job_id, "job_id"), *rest))


def permissions_path(checkpoint: object) -> str:
    """``/fine_tuning/checkpoints/{checkpoint}/permissions``.

    Raises:
        InvalidParameterError: ``checkpoint`` is not a non-blank UTF-8 string (named so).
    """
    return f"/fine_tuning/checkpoints/{path_segment(checkpoint, 'checkpoint')}/permissions"


def permission_path(checkpoint: object, permission_id: object) -> str:
    """``/fine_tuning/checkpoints/{checkpoint}/permissions/{permission_id}``.

    Raises:
        InvalidParameterError: ``checkpoint`` or ``permission_id`` is not a non-blank UTF-8
            string (named so).
    """
    return f"{permissions_path(checkpoint)}/{path_segment(permission_id, 'permission_id')}"


def file_path(file_id: object, *rest: str) -> str:
    """``/files/{file_id}``, followed by the fixed words ``rest`` (``"content"``).

    Raises:
        InvalidParameterError: ``file_id`` is not a non-blank UTF-8 string (named ``file_id``).
    """
    return "/".join((FILES_PATH, path_segment(file_id, "file_id"), *rest))


def upload_path(upload_id: object, *rest: str) -> str:
    """``/uploads/{upload_id}``, followed by the fixed words ``rest`` (``"parts"``...).

    Raises:
        InvalidParameterError: ``upload_id`` is not a non-blank UTF-8 string (named so).
    """
    return "/".join((UPLOADS_PATH, path_segment(upload_id, "upload_id"), *rest))
