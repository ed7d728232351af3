"""Every path is built by ``ftclient._core.paths``: one encoded segment per id, and nowhere else."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

import ftclient
from ftclient._core.paths import JOBS_PATH, job_path, permission_path, permissions_path

PACKAGE = Path(ftclient.__file__).parent


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (job_path("ftjob-1"), "/fine_tuning/jobs/ftjob-1"),
        (job_path("ftjob-1", "cancel"), "/fine_tuning/jobs/ftjob-1/cancel"),
        (job_path("../jobs/x", "cancel"), "/fine_tuning/jobs/..%2Fjobs%2Fx/cancel"),
        (job_path("..", "events"), "/fine_tuning/jobs/%2E%2E/events"),
        (job_path("a?b#c"), "/fine_tuning/jobs/a%3Fb%23c"),
        (permissions_path("ft:m::x"), "/fine_tuning/checkpoints/ft:m::x/permissions"),
        (permissions_path("a/b"), "/fine_tuning/checkpoints/a%2Fb/permissions"),
        (permission_path("c", "cp/1"), "/fine_tuning/checkpoints/c/permissions/cp%2F1"),
        (permission_path("c", "."), "/fine_tuning/checkpoints/c/permissions/%2E"),
    ],
)
def test_each_id_is_one_encoded_segment(built: str, expected: str) -> None:
    assert built == expected
    assert built.startswith(JOBS_PATH) or built.startswith("/fine_tuning/checkpoints/")


@pytest.mark.parametrize(
    ("build", "param"),
    [
        (lambda: job_path(""), "job_id"),
        (lambda: job_path(None, "cancel"), "job_id"),
        (lambda: job_path("\ud800"), "job_id"),
        (lambda: permissions_path(" "), "checkpoint"),
        (lambda: permission_path("c", ""), "permission_id"),
        (lambda: permission_path("", "cp_1"), "checkpoint"),
        (lambda: permission_path("c", None), "permission_id"),
    ],
)
def test_an_id_no_path_can_carry_is_refused_by_name(build: object, param: str) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.param == param


def _path_literals(tree: ast.AST) -> list[str]:
    """API path literals, and f-strings that glue a path word onto a value (``f"{x}/cancel"``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith("/fine_tuning"):
                found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            parts = node.values
            for before, part in itertools.pairwise(parts):
                glued = isinstance(before, ast.FormattedValue) and isinstance(part, ast.Constant)
                if glued and str(part.value).startswith("/"):
                    found.append(ast.unparse(node))
    return found


def test_no_module_but_paths_builds_an_api_path() -> None:
    # The front end shows progress as "step 3/10": not a path, and it sends nothing itself.
    skipped = {PACKAGE / "_core" / "paths.py"}
    offenders = {
        str(file.relative_to(PACKAGE)): literals
        for file in sorted(PACKAGE.rglob("*.py"))
        if file not in skipped and not {"testing", "cli"} & set(file.relative_to(PACKAGE).parts)
        if (literals := _path_literals(ast.parse(file.read_text(encoding="utf-8"))))
    }
    assert offenders == {}
    # the scan does see the paths where they are built
    assert len(_path_literals(ast.parse((PACKAGE / "_core" / "paths.py").read_text("utf-8")))) >= 4
