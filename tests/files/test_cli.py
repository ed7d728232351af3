"""``ftclient files ...`` against a Files service of the tests' own, served from a thread."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ftclient.cli import main
from ftclient.cli._files import UploadProgress, format_bytes
from ftclient.cli._output import Output
from tests.hostile.fake_api import SimClock

from .fake_files import FakeFiles

KEY = "sk-test-cli-files-0123456789"


class Threaded:
    """A :class:`FakeFiles` on its own loop in a thread (``main`` runs ``asyncio.run``)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.service = FakeFiles(SimClock())
        self._running = self.service.running()
        asyncio.run_coroutine_threadsafe(self._running.__aenter__(), self.loop).result(10)

    def close(self) -> None:
        done = self._running.__aexit__(None, None, None)
        asyncio.run_coroutine_threadsafe(done, self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def served() -> Iterator[FakeFiles]:
    server = Threaded()
    try:
        yield server.service
    finally:
        server.close()


def run(capsys: pytest.CaptureFixture[str], service: FakeFiles, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--base-url", service.url, "--api-key", KEY, *argv])
    out = capsys.readouterr()
    assert KEY not in out.out + out.err
    return code, out.out + out.err


def test_upload_list_get_download_delete(
    served: FakeFiles, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"a": 1}\n' * 5000)
    code, text = run(capsys, served, "files", "upload", str(path))
    assert code == 0, text
    [file] = served.files
    lines = text.splitlines()
    # not a terminal: plain lines (the last at 100 %), then the result
    assert lines[-2].startswith("train.jsonl [████████████████████] 43.9 KiB / 43.9 KiB")
    assert lines[-1] == f"Uploaded train.jsonl as {file['id']} (43.9 KiB)"
    assert "\r" not in text
    assert "\x1b" not in text

    code, text = run(capsys, served, "files", "list", "--purpose", "fine-tune")
    assert code == 0
    header, row = text.splitlines()[:2]
    assert header.split() == ["ID", "FILENAME", "SIZE", "PURPOSE", "STATUS", "CREATED"]
    assert row.split()[:2] == [file["id"], "train.jsonl"]
    assert served.sent("list")[-1].query == {"purpose": "fine-tune", "limit": "20"}

    code, text = run(capsys, served, "--json", "files", "get", file["id"])
    assert json.loads(text)["id"] == file["id"]

    target = tmp_path / "copy.jsonl"
    code, text = run(capsys, served, "files", "download", file["id"], str(target))
    assert (code, text) == (0, f"Saved {file['id']} to {target}\n")
    assert target.read_bytes() == path.read_bytes()

    code, text = run(capsys, served, "files", "delete", file["id"])
    assert (code, text) == (0, f"Deleted {file['id']}\n")
    assert served.live() == []


def test_a_bad_file_is_a_usage_error_and_nothing_is_sent(
    served: FakeFiles, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "train.csv"
    path.write_bytes(b"a,b\n")
    code, text = run(capsys, served, "files", "upload", str(path))
    assert code == 2
    assert ".jsonl" in text
    assert served.seen == []


class FakeTerminal:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_the_terminal_bar_is_redrawn_in_place_with_rate_and_eta() -> None:
    terminal = FakeTerminal()
    now = [100.0]
    bar = UploadProgress(Output(stream=terminal), "big.jsonl", clock=lambda: now[0])  # type: ignore[arg-type]
    now[0] = 102.0
    bar(64 * 1024**2, 256 * 1024**2)
    now[0] = 104.0
    bar(128 * 1024**2, 256 * 1024**2)
    bar.done()
    frames = terminal.text.split("\r")[1:]
    assert frames[0] == (
        "\x1b[2Kbig.jsonl [█████░░░░░░░░░░░░░░░] 64.0 MiB / 256.0 MiB  32.0 MiB/s  ETA 6s"
    )
    assert frames[1] == (
        "\x1b[2Kbig.jsonl [██████████░░░░░░░░░░] 128.0 MiB / 256.0 MiB  32.0 MiB/s  ETA 4s\n"
    )


def test_a_pipe_gets_a_line_per_tenth() -> None:
    pipe = FakeTerminal()
    pipe.isatty = lambda: False  # type: ignore[method-assign]
    bar = UploadProgress(Output(stream=pipe), "f", clock=lambda: 1.0)  # type: ignore[arg-type]
    for sent in range(0, 1001, 7):
        bar(sent, 1000)
    bar(1000, 1000)
    assert len(pipe.text.splitlines()) == 11  # 0 %, 10 % ... 100 %


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, "-"),
        (0, "0 B"),
        (1023, "1023 B"),
        (1536, "1.5 KiB"),
        (64 * 1024**2, "64.0 MiB"),
        (3 * 1024**3 // 2, "1.50 GiB"),
    ],
)
def test_format_bytes(size: int | None, text: str) -> None:
    assert format_bytes(size) == text
