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


def test_the_import_scenario_times_each_statement_from_where_it_should(tmp_path: Path) -> None:
    from benchmarks.run import ROOT, BenchmarkError, import_times

    times = import_times(1, {"at:same": str(ROOT)})
    assert {"aiohttp, json", "ftclient", "at:same"} <= set(times)
    assert "pass" not in times  # subtracted from the others
    assert all(len(runs) == 1 for runs in times.values())
    # A checkout without ftclient would time the installed one: refused, not measured.
    with pytest.raises(BenchmarkError, match="ftclient came from"):
        import_times(1, {"at:empty": str(tmp_path)})


def test_the_import_target_is_the_ratio_to_aiohttp_and_json() -> None:
    from benchmarks.report import summarise, table

    imports = {"aiohttp, json": [100.0, 110.0, 90.0], "ftclient": [124.0, 130.0, 120.0]}
    summary = summarise([], imports, 100.0)
    assert summary["import_ratio"] == {"ftclient": pytest.approx(1.24)}
    [verdict] = summary["verdicts"]
    assert verdict["met"]
    assert verdict["metric"] == "import ftclient <= 1.25x import aiohttp, json"
    missed = summarise([], {**imports, "ftclient": [126.0]}, 100.0)
    assert not missed["verdicts"][0]["met"]
    meta = {
        "date": "d",
        "versions": dict.fromkeys(("python", "aiohttp", "ftclient", "openai", "orjson")),
        "machine": {"nproc": 2},
        "config": {"rounds": 1},
        "notes": [],
    }
    text = table(missed, meta)
    assert "ftclient 126 ms (1.26x)" in text
    assert "- import ftclient <= 1.25x import aiohttp, json: 1.26x MISSED" in text


def test_the_fleet_scenario_ends_with_one_live_job_per_spec() -> None:
    from benchmarks.fleet import run_fleet

    result = run_fleet(24, 4, rate=200.0, max_active=8, speed=10.0, timeout=120)
    # run_fleet raises unless every spec has exactly one live job and none failed
    assert result["live_jobs"] == result["live_keys"] == 24
    assert result["keys_with_two_live"] == 0
    assert result["failed"] == 0
    assert result["killed_after"] == 6  # worker 0 died half-way and was started again


def test_the_metrics_scenario_counts_the_requests_of_jobs_metrics(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    argv = ["--quick", "--variants=ftclient,raw", "--decoders=stdlib", "--scenarios=metrics"]
    assert main([*argv, f"--output={out}"]) == 0
    result = json.loads(out.read_text())
    runs = {r["variant"]: r for r in result["runs"]}
    assert set(runs) == {"ftclient", "raw"}  # the child checked every step and checkpoint
    # 1,000 points: 10 event pages of 100, and the 3 checkpoints' one page
    assert runs["ftclient"]["requests"] == {"events": 10, "checkpoints": 1}
    assert runs["raw"]["requests"] == {"events": 10, "checkpoints": 1}
    [budget] = [v for v in result["summary"]["verdicts"] if "requests" in v["metric"]]
    assert budget["met"]
