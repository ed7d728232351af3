"""Type-check every Python example of README.md and docs/*.md under ``mypy --strict`` (CI runs it).

The docs test (tests/docs/test_readme.py) runs each block; this checks that the code a user copies
type-checks as written, with no cast or ignore. A snippet (top-level ``await``) becomes the body
of ``async def _example() -> None`` with its imports kept at module level; a block that says
``# Continues the "<heading>" example.`` is appended to the example it continues; a script (it
calls ``asyncio.run``) and a pytest project's file are checked as they are (a project's
top-level module under its own name, so that its tests' imports find it).

    python tools/doc_types.py       writes the modules to a temporary directory, runs mypy on them
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "docs"))

from test_readme import ALL, CONTINUES  # noqa: E402  (the docs test's own reading of the blocks)


def _import_lines(code: str) -> set[int]:
    """The line numbers of the snippet's top-level imports (one may span several lines)."""
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(code, "<snippet>", "exec", flags=flags)
    lines: set[int] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def modules() -> dict[str, str]:
    """Module name -> source, one per example (continuations joined to what they continue)."""
    python = [b for b in ALL if b.kind == "python"]
    first: dict[tuple[str, str], str] = {}
    for block in python:
        first.setdefault((block.doc, block.heading), block.id)
    owner: dict[str, str] = {}  # block -> the example it is part of (continuations chain)
    bodies: dict[str, list[str]] = {}
    for block in python:
        match = CONTINUES.match(block.code)
        owner[block.id] = owner[first[(block.doc, match.group(1))]] if match else block.id
        bodies.setdefault(owner[block.id], []).append(block.code)
    out: dict[str, str] = {}
    for block in python:
        if block.id not in bodies:
            continue
        code = "\n".join(bodies[block.id])
        name = f"{block.doc.removesuffix('.md').lower()}_line_{block.line}"
        if block.file is not None and "/" not in block.file:  # a project's module, imported
            name = block.file.removesuffix(".py")  # by that name from its tests
        if block.file is None and "asyncio.run(" not in code:
            lines = code.splitlines()
            imports = _import_lines(code)
            head = [line for n, line in enumerate(lines, 1) if n in imports]
            body = [line for n, line in enumerate(lines, 1) if n not in imports]
            example = ["async def _example() -> None:", textwrap.indent("\n".join(body), "    ")]
            code = "\n".join([*head, "", "", *example])
        out[name] = code + "\n"
    return out


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for name, code in modules().items():
            (Path(tmp) / f"{name}.py").write_text(code, encoding="utf-8")
        command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", tmp]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        print(done.stdout.replace(tmp + "/", ""), end="")
        print(done.stderr, end="", file=sys.stderr)
        return done.returncode


if __name__ == "__main__":
    sys.exit(main())
