"""The benchmark harness runs end to end and checks what it measures (never how fast)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.run import main


def test_quick_benchmark_runs_and_verifies_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "result.json"
    status = main(
        [
            "--quick",
            "--variants=ftclient,raw",
            "--decoders=stdlib",
            "--scenarios=fanout,pagination,sequential,ratelimited",
            f"--output={out}",
        ]
    )
    assert status == 0
    result = json.loads(out.read_text())
    # Each child checked ids/event order itself and would have aborted the run on a mismatch.
    runs = {(r["variant"], r["scenario"]): r for r in result["runs"]}
    assert set(runs) == {
        (v, s)
        for v in ("ftclient", "raw")
        for s in ("fanout", "pagination", "sequential", "ratelimited")
    }
    assert runs["ftclient", "pagination"]["n"] == 1_000
    assert runs["ftclient", "fanout"]["n"] == 200
    assert len(runs["ftclient", "sequential"]["latencies"]) == 100
    assert not runs["ftclient", "fanout"]["orjson_loaded"]  # the stdlib path was measured
    limited = runs["ftclient", "ratelimited"]
    assert limited["failed"] == 0
    assert limited["server"]["requests"] >= 200
    assert result["versions"]["ftclient"]
    assert "| fanout |" in capsys.readouterr().out


def test_the_wait_many_scenarios_run_and_check_what_they_measure() -> None:
    from benchmarks.watch import run_watch, run_watch_limited, watch_table

    [run] = run_watch(30, 0.3, 1, None, delay=0.2)
    # the child verified that every job was reported once; each has a lag, the server counted
    assert len(run["lags"]) == 30
    assert run["failed"] == 0
    assert run["statuses"] == ["succeeded"]
    assert sum(run["requests"].values()) >= 1
    limited = run_watch_limited(5, 2, 100.0, speed=200.0)
    assert limited["failed"] == 0
    assert limited["server"]["requests"] >= 2
    assert "| ftclient |" in watch_table([run], limited)
