"""The wait_many scenarios: many jobs finishing at random, and four processes under a rate limit.

``watch``: ``benchmarks.jobs_server`` (its own process, wall clock) holds N jobs that finish at
uniformly random times over S seconds beneath 500 older ones; a fresh client process watches
them with ``client.jobs.wait_many(ids)`` and default settings, in real time. Figures: requests
the server answered (list pages and retrieves), detection lag (the time the client reported a
job minus its finish time; median and p99), client CPU. The same run is made with an earlier
ftclient (``--before REV``, per-job polling) side by side, in alternating order.

``watchlimited``: the emulator limited to R requests/s (``benchmarks.emulator_proc``, speed 10:
jobs finish 4.5 to 16.5 s after they are created) holds 4 x 500 jobs; four client processes
each watch their 500 with ``wait_many`` at once. Figures: failed results (a job reported with
an error), share of requests answered 429 (the emulator's count), requests, wall time.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.run import ROOT, SERVER_TIMEOUT, BenchmarkError, _on, _process, _readline

__all__ = ["run_watch", "run_watch_limited", "watch_table"]

CHILD = ROOT / "benchmarks" / "watch_child.py"


def _before_tree(rev: str, into: Path) -> Path:
    """The ``ftclient`` package of ``rev`` and the child script, in a directory of their own."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "ftclient"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    shutil.copy(CHILD, into / "watch_child.py")
    return into / "watch_child.py"


def _child(script: Path, spec: dict[str, Any], timeout: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script), json.dumps(spec)],
        cwd=script.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_on("client"),
    )


def _result(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        raise BenchmarkError("a wait_many child timed out") from exc
    if proc.returncode != 0:
        raise BenchmarkError(f"a wait_many child failed:\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _stats(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdin is not None
    proc.stdin.write("stats\n")
    proc.stdin.flush()
    stats: dict[str, Any] = json.loads(_readline(proc, SERVER_TIMEOUT))
    return stats


def run_watch(
    n: int, over: float, rounds: int, before: str | None, *, delay: float = 2.0
) -> list[dict[str, Any]]:
    """``rounds`` runs of each variant (``ftclient``, and ``before`` if given), alternating."""
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {"ftclient": CHILD}
        if before:
            scripts[f"before ({before})"] = _before_tree(before, Path(tmp))
        names = list(scripts)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                args = ["benchmarks.jobs_server", "--jobs", str(n), "--over", str(over)]
                args += ["--delay", str(delay)]
                with _process([*args, "--seed", str(r)]) as (proc, srv):
                    spec = {**srv, "timeout": over + 120}
                    result = _result(_child(scripts[name], spec, over + 130), over + 130)
                    result["requests"] = _stats(proc)
                runs.append({"variant": name, "n": n, "over": over, **result})
                print(f"watch {name}: {_line(runs[-1])}", file=sys.stderr, flush=True)
    return runs


def run_watch_limited(
    per_process: int, processes: int, rate: float, *, speed: float = 10.0
) -> dict[str, Any]:
    """One run: ``processes`` clients at once, each watching its ``per_process`` jobs."""
    args = ["benchmarks.emulator_proc", "--rate", str(rate), "--speed", str(speed)]
    with _process([*args, "--jobs", str(per_process * processes)]) as (proc, emu):
        ids = emu["jobs"]
        children = [
            _child(
                CHILD,
                {
                    "url": emu["url"],
                    "jobs": ids[i * per_process : (i + 1) * per_process],
                    "finish": [None] * per_process,
                    "timeout": 120,
                },
                130,
            )
            for i in range(processes)
        ]
        results = [_result(child, 130) for child in children]
        server = _stats(proc)
    return {
        "processes": processes,
        "per_process": per_process,
        "rate": rate,
        "failed": sum(r["failed"] for r in results),
        "wall": max(r["wall"] for r in results),
        "cpu": [r["cpu"] for r in results],
        "server": server,
    }


def _summary(run: dict[str, Any]) -> dict[str, float]:
    lags = sorted(run["lags"])
    p99 = lags[min(len(lags) - 1, int(0.99 * len(lags)))]
    return {
        "requests": float(sum(run["requests"].values())),
        "lists": float(run["requests"].get("list", 0)),
        "retrieves": float(run["requests"].get("retrieve", 0)),
        "lag_median": statistics.median(lags),
        "lag_p99": p99,
        "cpu": run["cpu"],
    }


def _line(run: dict[str, Any]) -> str:
    s = _summary(run)
    return (
        f"{s['requests']:.0f} requests, lag median {s['lag_median']:.2f}s "
        f"p99 {s['lag_p99']:.2f}s, CPU {s['cpu']:.2f}s"
    )


def watch_table(runs: list[dict[str, Any]], limited: dict[str, Any] | None) -> str:
    """Markdown tables: medians over rounds per variant, then the rate-limited run."""
    lines = [
        "| variant | requests | list / retrieve | lag median s | lag p99 s | client CPU s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in dict.fromkeys(r["variant"] for r in runs):
        mine = [_summary(r) for r in runs if r["variant"] == name]
        m = {key: statistics.median(s[key] for s in mine) for key in mine[0]}
        lines.append(
            f"| {name} | {m['requests']:,.0f} | {m['lists']:,.0f} / {m['retrieves']:,.0f} "
            f"| {m['lag_median']:.2f} | {m['lag_p99']:.2f} | {m['cpu']:.2f} |"
        )
    if limited is not None:
        server = limited["server"]
        share = server["rate_limited"] / max(1, server["requests"])
        lines += [
            "",
            "| processes x jobs | R | failed results | 429 share | requests | wall s |",
            "|---|---:|---:|---:|---:|---:|",
            f"| {limited['processes']} x {limited['per_process']} | {limited['rate']:g} "
            f"| {limited['failed']} | {share:.1%} | {server['requests']:,} "
            f"| {limited['wall']:.1f} |",
        ]
    return "\n".join(lines)
