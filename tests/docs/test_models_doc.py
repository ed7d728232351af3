"""The README's "Models and JSON" example runs as written (a web handler returning a job)."""

from __future__ import annotations

import ast
import contextlib
import io
import json

from tests.docs.test_readme import BLOCKS


async def test_the_readme_web_handler_example_runs_as_written() -> None:
    [code] = [c for name, _, c in BLOCKS if name == "README.md" and "TestServer(app)" in c]
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = eval(  # the example itself, top-level await and all
            compile(code, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), namespace
        )
        if result is not None:
            await result
    served = namespace["served"]
    assert isinstance(served, dict)
    training_file = namespace["training_file"]  # seeded by the example: a real file id
    assert isinstance(training_file, str)
    assert training_file.startswith("file-")
    assert (served["training_file"], served["model"]) == (training_file, "gpt-4o-mini")
    assert json.loads(printed.getvalue())["graders"]["exact"]["operation"] == "eq"
