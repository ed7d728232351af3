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

    # Speed 4: a job lives 8 s of real time, so that a duplicate made by two racing workers is
    # still cancellable when the slower one checks, on a loaded machine too (at speed 10, 3.3 s,
    # 4 runs in 26 left one trained to the end while the machine was busy).
    result = run_fleet(24, 4, rate=200.0, max_active=12, speed=4.0, timeout=120)
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


def test_the_data_scenario_checks_what_each_pass_found(tmp_path: Path) -> None:
    from benchmarks.data_check import data_table, generate, parse_size, run_data

    assert parse_size("1G") == 1 << 30
    assert parse_size("512K") == 512 << 10
    assert parse_size("1000") == 1000
    expected = generate(tmp_path / "t.jsonl", 64 << 10)
    # about 8 lines cut short and 8 repeats, at fixed places, among ~110 lines
    assert expected["invalid"]
    assert expected["repeats"]
    assert expected["bytes"] == (tmp_path / "t.jsonl").stat().st_size
    result = run_data(256 << 10, 1)  # each child's findings were verified, or this raised
    rows = result["summary"]["rows"]
    assert [row["size"] for row in rows] == [64 << 10, 256 << 10]
    assert {(run["mode"], run["size"]) for run in result["runs"]} == {
        (mode, size) for mode in ("bare", "check") for size in (64 << 10, 256 << 10)
    }
    assert all(row["rate_ratio"] > 0 and row["check_peak_rss_mib"] > 0 for row in rows)
    text = data_table(result["summary"])
    assert "| 0.25 MiB | " in text
    assert "check rate >= 0.5x bare json.loads" in text


def test_a_wrong_finding_aborts_the_data_scenario() -> None:
    from benchmarks.data_check import _verify
    from benchmarks.run import BenchmarkError

    expected = {"lines": 10, "invalid": [3], "repeats": [6]}
    _verify("bare", {"lines": 10, "bad": 1}, expected)
    good = {"lines": 10, "examples": 9, "problems": [[3, "invalid_json"], [6, "duplicate_example"]]}
    _verify("check", {**good, "omitted": 0, "tokens": 5}, expected)
    with pytest.raises(BenchmarkError, match="data check"):
        _verify("check", {**good, "problems": [[3, "invalid_json"]], "omitted": 0}, expected)
    with pytest.raises(BenchmarkError, match="data bare"):
        _verify("bare", {"lines": 10, "bad": 0}, expected)


def test_the_upload_scenario_checks_every_byte_and_reports_rss() -> None:
    from benchmarks.upload import run_upload, upload_table

    result = run_upload(4, 1)  # 4 MiB in four parts of 1 MiB
    assert result["part_size"] == 1024 * 1024
    assert sorted(r["variant"] for r in result["runs"]) == ["ftclient", "raw"]
    # each run was checked against the server's byte count and the file's MD5, or it raised
    for run in result["runs"]:
        assert run["wall"] > 0
        assert run["rss_peak"] >= run["rss_before"] > 0
    assert "| ftclient |" in upload_table(result)
