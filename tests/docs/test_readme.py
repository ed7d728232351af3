"""Every Python block of README.md and docs/*.md runs as written, against the emulator.

A block is one of:

- a **script** (it calls ``asyncio.run``) or a **snippet** (top-level ``await``, as in
  ``python -m asyncio``), run with ``OPENAI_BASE_URL``/``OPENAI_API_KEY`` pointing at an
  emulator on a looptime loop, so code that waits with the library's defaults takes no real
  time (``asyncio.run`` runs its coroutine on that loop). A snippet whose first line is
  ``# Continues the "<heading>" example.`` runs after the first block under that heading of the
  same file, in its namespace; otherwise it starts from nothing. A block whose last line is
  ``# <ExceptionName>: <message>`` must raise that exception with that message.
- a **file** of a pytest project: its first line names it (``# tests/test_pipeline.py``). A
  project is a ````toml`` block starting ``# pyproject.toml`` and the file blocks after it, up to
  the next such block; it runs in a fresh directory, in a pytest process of its own.

No block may reach beyond loopback: name lookups and connections to other hosts fail.
"""

from __future__ import annotations

import ast
import asyncio
import ipaddress
import os
import re
import socket
import subprocess
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, NamedTuple

import looptime
import pytest

import ftclient
from ftclient.testing import FineTuningEmulator

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(python|toml)\n(.*?)^```", re.DOTALL | re.MULTILINE)
HEADING = re.compile(r"^#+ (.+)$", re.MULTILINE)
CONTINUES = re.compile(r'^# Continues the "(.+?)" example\.')
RAISES = re.compile(r"^# ([\w.]*(?:Error|Exception)): (.+)$")
FILE = re.compile(r"^# ([\w/.-]+\.(?:py|toml))$")


class Block(NamedTuple):
    doc: str
    line: int
    heading: str
    kind: str  # python or toml
    code: str

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def file(self) -> str | None:
        match = FILE.match(self.code.splitlines()[0]) if self.code else None
        return match.group(1) if match else None


def blocks_of(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1).strip()) for m in HEADING.finditer(text)]
    found = []
    for match in FENCE.finditer(text):
        heading = next((h for at, h in reversed(headings) if at < match.start()), "")
        line = text.count("\n", 0, match.start()) + 2
        found.append(Block(path.name, line, heading, match.group(1), match.group(2)))
    return found


ALL = [block for path in DOCS for block in blocks_of(path)]
SNIPPETS = [b for b in ALL if b.kind == "python" and b.file is None]
# (file name, line, code) of every Python block, for tests that check one example's results.
BLOCKS = [(b.doc, b.line, b.code) for b in ALL if b.kind == "python"]


def projects() -> list[tuple[str, list[Block]]]:
    found: list[tuple[str, list[Block]]] = []
    for block in ALL:
        if block.file == "pyproject.toml":
            found.append((block.id, [block]))
        elif block.file is not None and block.kind == "python":
            assert found, f"{block.id}: no pyproject.toml block before it"
            assert found[-1][1][0].doc == block.doc, f"{block.id}: no pyproject.toml before it"
            found[-1][1].append(block)
    return found


def chain(block: Block) -> list[Block]:
    """The blocks to run for ``block``: the ones it continues, then itself."""
    match = CONTINUES.match(block.code)
    if match is None:
        return [block]
    heading = match.group(1)
    earlier = [b for b in SNIPPETS if b.doc == block.doc and b.heading == heading]
    assert earlier, f'{block.id}: no block under "{heading}" to continue'
    assert earlier[0].line < block.line, f"{block.id}: continues a later block"
    return [*chain(earlier[0]), block]


def ends_its_story(block: Block) -> bool:
    """True for the last snippet of a chain: no later snippet continues the same first block."""
    root = chain(block)[0]
    return not any(
        chain(other)[0] is root and other.line > block.line
        for other in SNIPPETS
        if other.doc == block.doc
    )


def _is_loopback(host: object) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).strip("[]")).is_loopback
    except ValueError:
        return False


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Name lookups and connections beyond loopback fail instead of leaving the machine."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"docs test: no lookups of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"docs test: no connections to {address[0]}")
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


def _expected_error(code: str) -> tuple[str, str] | None:
    last = code.rstrip().splitlines()[-1]
    match = RAISES.match(last)
    return (match.group(1), match.group(2)) if match else None


async def _run_one(
    block: Block, namespace: dict[str, Any], pending: list[asyncio.Future[Any]]
) -> None:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    code = compile(block.code, block.id, "exec", flags=flags)
    expected = _expected_error(block.code)
    raised: Exception | None = None
    try:
        result = eval(code, namespace)
        if result is not None:
            await result
        while pending:
            await pending.pop(0)
    except Exception as exc:
        if expected is None:
            raise
        raised = exc
    if expected is None:
        return
    name, message = expected
    assert raised is not None, f"{block.id}: did not raise {name}"
    assert type(raised).__name__ == name.rsplit(".", 1)[-1], f"{block.id}: raised {raised!r}"
    assert message in str(raised), f"{block.id}: {raised}"


def test_the_docs_have_python_examples() -> None:
    assert len([b for b in SNIPPETS if b.doc == "README.md"]) >= 8
    assert projects(), "docs/emulator.md shows pytest projects"


@pytest.mark.usefixtures("loopback_only")
@pytest.mark.parametrize("block", SNIPPETS, ids=[b.id for b in SNIPPETS])
def test_block_runs(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = chain(block)
    loop = looptime.new_event_loop(start=0)
    pending: list[asyncio.Future[Any]] = []

    def run(main: Coroutine[Any, Any, Any], **_: Any) -> None:
        # The reader's asyncio.run: here the coroutine runs on the test's loop, by the emulator.
        pending.append(asyncio.ensure_future(main, loop=loop))

    async def everything() -> None:
        # README's examples pass the file ids a reader got from the service: the harness takes
        # any id (docs/emulator.md's own examples upload or seed real files).
        async with FineTuningEmulator(require_files=False) as emu:
            monkeypatch.setenv("OPENAI_BASE_URL", emu.url)
            monkeypatch.setenv("OPENAI_API_KEY", "sk-docs-example")
            namespace: dict[str, Any] = {"__name__": "__docs__"}
            monkeypatch.setattr(asyncio, "run", run)
            try:
                for one in blocks:
                    await _run_one(one, namespace, pending)
                if ends_its_story(block):
                    # Run as a script, the story must close what it opened: a client left
                    # open ends with aiohttp's "Unclosed client session" at exit.
                    open_clients = [
                        name
                        for name, value in namespace.items()
                        if isinstance(value, ftclient.FineTuningClient) and not value.closed
                    ]
                    assert not open_clients, f"{block.id}: never closes {open_clients}"
            finally:
                for value in list(namespace.values()):
                    if isinstance(value, ftclient.FineTuningClient):
                        await value.aclose()
                    elif isinstance(value, FineTuningEmulator):
                        await value.stop()

    try:
        loop.run_until_complete(everything())
    finally:
        monkeypatch.undo()
        loop.close()


@pytest.mark.parametrize(
    "project", [p for _, p in projects()], ids=[name for name, _ in projects()]
)
def test_pytest_project_runs(project: list[Block], tmp_path: Path) -> None:
    tests = 0
    for block in project:
        assert block.file is not None
        target = tmp_path / block.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.code, encoding="utf-8")
        tests += len(re.findall(r"^(?:async )?def test_", block.code, re.MULTILINE))
    # The project imports ftclient from this checkout, not from wherever it is installed.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert output.splitlines()[-1].startswith(f"{tests} passed"), output
