"""One measured pass over a JSONL file, in a fresh interpreter so that its peak RSS is its own.

``python -m benchmarks.data_child '{"mode": "bare" | "check", "path": ...}'`` prints one JSON
line: wall and CPU seconds of the pass (imports excluded), peak RSS of the process (imports
included), and what the pass found, for ``benchmarks.data_check`` to verify.

- ``bare``: the floor any checker pays, ``json.loads`` of every line of the file read in binary
  (a failing line is counted, as a checker would have to).
- ``check``: ``ftclient.data.check(path)``, defaults (supervised, no model: estimated tokens).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any


def _bare(path: str) -> dict[str, Any]:
    lines = bad = 0
    with open(path, "rb") as handle:
        for line in handle:
            lines += 1
            try:
                json.loads(line)
            except ValueError:
                bad += 1
    return {"lines": lines, "bad": bad}


def _check(path: str) -> dict[str, Any]:
    from ftclient.data import check

    report = check(path)
    return {
        "lines": report.lines,
        "examples": report.examples,
        "tokens": report.tokens,
        "problems": [[p.line, p.code] for p in report.problems],
        "omitted": report.omitted_problems,
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    if spec["mode"] == "check":
        import ftclient.data  # noqa: F401  (imported before the clock starts)
    run = _check if spec["mode"] == "check" else _bare
    wall, cpu = time.perf_counter(), time.process_time()
    found = run(spec["path"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_rss_mib": rss_mib, "found": found}))


if __name__ == "__main__":
    main()
