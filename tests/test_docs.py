"""The Python in README.md and docs/ stays true: it parses, and the ftclient names it uses exist."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from ftclient import resources

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_blocks() -> list[tuple[str, int, str]]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            found.append((path.name, line, match.group(1)))
    return found


BLOCKS = python_blocks()
RESOURCES = {
    "jobs": resources.Jobs,
    "checkpoints": resources.Checkpoints,
    "permissions": resources.Permissions,
    "graders": resources.Graders,
}


def test_the_docs_have_python_examples() -> None:
    assert len([b for b in BLOCKS if b[0] == "README.md"]) >= 8


@pytest.mark.parametrize(("name", "line", "code"), BLOCKS, ids=[f"{b[0]}:{b[1]}" for b in BLOCKS])
def test_example_parses_and_names_exist(name: str, line: int, code: str) -> None:
    tree = compile(
        code, f"{name}:{line}", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )
    assert isinstance(tree, ast.Module)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ftclient"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{name}:{line}: {node.module}.{alias.name}"
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ftclient"
        ):
            assert hasattr(importlib.import_module("ftclient"), node.attr), (
                f"{name}:{line}: ftclient.{node.attr}"
            )
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "client"
        ):
            resource = RESOURCES.get(node.value.attr)
            assert resource is not None, f"{name}:{line}: client.{node.value.attr}"
            assert hasattr(resource, node.attr), (
                f"{name}:{line}: client.{node.value.attr}.{node.attr}"
            )


async def test_the_readme_emulator_example_runs_as_written() -> None:
    [code] = [c for name, _, c in BLOCKS if name == "README.md" and "FineTuningEmulator()" in c]
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    namespace: dict[str, object] = {}
    result = eval(compile(code, "README.md", "exec", flags=flags), namespace)
    if result is not None:
        await result
    client = namespace["client"]
    assert getattr(client, "closed", False)
