"""The archive directory: where each record goes, JSON lines written and read back safely.

Every JSON-lines file is only ever appended to, one whole line per write. A line cut short by a
kill is dropped when the file is next read (and cut off before the next append), so an export
stopped at any moment can be started again.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["FORMAT", "Archive"]

FORMAT = "ftclient-archive/1"


class Archive:
    """Paths of one archive directory, and its append-only JSON-lines files.

    Layout::

        DIR/manifest.json                      format, source base URL
        DIR/jobs.jsonl                         a job document each time it changed
        DIR/jobs/<job_id>/events.jsonl         its events, oldest first, each once
        DIR/jobs/<job_id>/checkpoints.jsonl    its checkpoints, each once
        DIR/jobs/<job_id>/permissions.jsonl    {"checkpoint": ..., "permission": {...}}
        DIR/files/<file_id>                    a file's bytes
        DIR/files/<file_id>.json               its description (bytes, filename, purpose)
        DIR/state.jsonl                        a line per job an export finished reading
        DIR/rerun/<target>.json                files uploaded to a target, by content hash
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.root = pathlib.Path(directory)

    # -- paths -------------------------------------------------------------------------------

    @property
    def jobs_file(self) -> pathlib.Path:
        """``jobs.jsonl``."""
        return self.root / "jobs.jsonl"

    @property
    def state_file(self) -> pathlib.Path:
        """``state.jsonl``."""
        return self.root / "state.jsonl"

    def job_dir(self, job_id: str) -> pathlib.Path:
        """``jobs/<job_id>``; the id is made safe as a file name."""
        return self.root / "jobs" / _safe(job_id)

    def file_bytes(self, file_id: str) -> pathlib.Path:
        """``files/<file_id>``."""
        return self.root / "files" / _safe(file_id)

    def file_meta(self, file_id: str) -> pathlib.Path:
        """``files/<file_id>.json``."""
        return self.root / "files" / (_safe(file_id) + ".json")

    # -- JSON lines ---------------------------------------------------------------------------

    def read_lines(self, path: pathlib.Path) -> Iterator[dict[str, Any]]:
        """The records of ``path`` (none if it does not exist), a cut-short last line dropped."""
        if not path.exists():
            return
        with path.open("rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    return  # a write cut short by a kill
                record = json.loads(line)
                if isinstance(record, dict):
                    yield record

    def append(self, path: pathlib.Path, records: Iterable[dict[str, Any]]) -> int:
        """Append ``records`` as one write; returns how many."""
        lines = [json.dumps(r, separators=(",", ":"), sort_keys=True) + "\n" for r in records]
        if not lines:
            return 0
        path.parent.mkdir(parents=True, exist_ok=True)
        _cut_partial_line(path)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(lines))
        return len(lines)

    # -- whole JSON documents -------------------------------------------------------------------

    def read_json(self, path: pathlib.Path) -> Any:
        """``path``'s JSON, or None when it is absent or unreadable."""
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def write_json(self, path: pathlib.Path, value: Any) -> None:
        """Replace ``path`` with ``value``'s JSON at once (a temporary file, then a rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps(value, indent=1, sort_keys=True), "utf-8")
        os.replace(partial, path)


def _safe(name: str) -> str:
    # Ids are the server's choice: keep them from reaching another directory.
    cleaned = "".join(c if c.isalnum() or c in "-_.:" else "_" for c in name)
    return cleaned.lstrip(".") or "_"


def _cut_partial_line(path: pathlib.Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            return
        data = path.read_bytes()
        handle.truncate(data.rfind(b"\n") + 1)
