"""The fleet scenario: four processes submit overlapping shards of N specs; one dies half-way.

``python -m benchmarks.fleet --specs 2000 --workers 4``: the emulator (``benchmarks.fleet_server``,
its own process) is limited to ``--rate`` requests/s and ``--max-active`` jobs active at once.
Worker ``w`` submits the ``2N/W`` specs from ``w*N/W`` on (wrapping), so every spec is in two
shards. Worker 0 is killed (SIGKILL) once it has settled half its shard, and started again on the
same shard; the jobs' clock stands still from the kill until the new worker has scanned the
list (see ``fleet_server.HoldableClock``: a restart is short next to a real job). Figures: live
jobs and keys at the end (goal: exactly N, none with two), failed submissions, duplicates
cancelled, limit refusals, 429s, requests, wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from benchmarks.run import ROOT, BenchmarkError, _process, _readline

__all__ = ["run_fleet"]


def _worker(url: str, first: int, count: int, total: int) -> subprocess.Popen[str]:
    task = {"url": url, "first": first, "count": count, "total": total}
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.fleet_child", json.dumps(task)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc`` if it still runs, and close its pipe."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    assert proc.stdout is not None
    proc.stdout.close()


def _tell(server: subprocess.Popen[str], command: str) -> dict[str, Any]:
    """Send the fleet server one command; its answer."""
    assert server.stdin is not None
    server.stdin.write(command + "\n")
    server.stdin.flush()
    answer: dict[str, Any] = json.loads(_readline(server, 30))
    return answer


def _finish(proc: subprocess.Popen[str], timeout: float, read: list[str]) -> dict[str, Any]:
    """The worker's summary (its last line); ``read``: lines already read from it."""
    out, _ = proc.communicate(timeout=timeout)
    lines = [json.loads(line) for line in [*read, *out.splitlines()] if line.strip()]
    if proc.returncode != 0 or not lines or not lines[-1].get("done"):
        raise BenchmarkError(f"a fleet worker failed (status {proc.returncode})")
    summary: dict[str, Any] = lines[-1]
    return summary


def run_fleet(
    specs: int, workers: int, *, rate: float, max_active: int, speed: float, timeout: float = 600
) -> dict[str, Any]:
    """Run the scenario once; return its figures (raises BenchmarkError on a wrong result)."""
    shard = 2 * specs // workers
    args = ["benchmarks.fleet_server", f"--rate={rate}", f"--max-active={max_active}"]
    with _process([*args, f"--speed={speed}"]) as (server, ready):
        url = ready["url"]
        started = time.perf_counter()
        procs = [_worker(url, w * specs // workers, shard, specs) for w in range(workers)]
        try:
            settled = 0
            while settled < shard // 2:  # worker 0: killed half-way through its shard
                json.loads(_readline(procs[0], timeout))
                settled += 1
            _tell(server, "hold")
            _stop(procs[0])  # what it printed before dying is not read
            procs[0] = _worker(url, 0, shard, specs)
            first = [_readline(procs[0], timeout)]  # printed once its scan is done
            _tell(server, "release")
            summaries = [_finish(p, timeout, first if p is procs[0] else []) for p in procs]
        finally:
            for proc in procs:
                _stop(proc)
        seconds = time.perf_counter() - started
        census = _tell(server, "census")
    failed = sum(s["failed"] for s in summaries)
    result = {
        "specs": specs,
        "workers": workers,
        "killed_after": settled,
        "failed": failed,
        "existing": sum(s["existing"] for s in summaries),
        "seconds": round(seconds, 1),
        **census,
    }
    if census["live_jobs"] != specs or census["keys_with_two_live"] or failed:
        raise BenchmarkError(f"the fleet did not end with one live job per spec: {result}")
    return result


def main() -> None:
    """Parse the options, run once, print the figures as JSON."""
    parser = argparse.ArgumentParser(description="the fleet scenario (127.0.0.1 only)")
    parser.add_argument("--specs", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", type=float, default=400.0)
    parser.add_argument("--max-active", type=int, default=100)
    parser.add_argument("--speed", type=float, default=10.0)
    args = parser.parse_args()
    print(json.dumps(run_fleet(args.specs, args.workers, rate=args.rate,
                               max_active=args.max_active, speed=args.speed)))  # fmt: skip


if __name__ == "__main__":
    main()
