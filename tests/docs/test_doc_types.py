"""tools/doc_types.py (CI's type check of the docs' examples) checks every Python block."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from .test_readme import ALL

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("doc_types", ROOT / "tools" / "doc_types.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("doc_types", module)
    spec.loader.exec_module(module)
    return module


def test_every_python_block_is_in_a_checked_module() -> None:
    modules = _tool().modules()
    text = "\n".join(modules.values())
    blocks = [b for b in ALL if b.kind == "python"]
    assert blocks
    for block in blocks:
        for line in block.code.splitlines():
            assert line.strip() in text, (block.id, line)


def test_a_snippet_becomes_the_body_of_a_typed_coroutine() -> None:
    modules = _tool().modules()
    snippets = [code for code in modules.values() if "async def _example() -> None:" in code]
    assert snippets
    for code in snippets:
        head, _, body = code.partition("async def _example() -> None:")
        assert all(line.startswith("    ") or not line.strip() for line in body.splitlines()[1:])
        assert "await" not in head
