"""The upload scenario: ``files.upload`` of a large file through parts, against raw aiohttp.

A file of ``--upload-mib`` MiB (JSONL lines, written once to a temporary directory, its MD5
computed while written) is uploaded by ``benchmarks.upload_child`` in a fresh process per run,
variants rotated per round, to ``benchmarks.upload_server`` (its own process, pinned apart).
Both variants send the same requests: parts of 64 MiB, 4 at a time, and ``complete`` with the
MD5. After each run the server reports the bytes it received and the MD5 it was given; a
mismatch aborts the benchmark. Figures: throughput (MiB/s, median over rounds), the client's
CPU seconds, and its peak RSS growth (peak RSS minus RSS just before the upload).

Targets: ftclient's throughput >= 0.9x raw's; its RSS growth <= 64 MiB whatever the size.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.run import ROOT, SERVER_TIMEOUT, BenchmarkError, _on, _process, _readline

__all__ = ["run_upload", "upload_table", "write_file"]

MIB = 1024 * 1024
PART = 64 * MIB
CONCURRENCY = 4
VARIANTS = ("ftclient", "raw")


def write_file(path: Path, size: int) -> str:
    """Write ``size`` bytes of JSONL to ``path``; return their MD5."""
    line = b'{"messages": [{"role": "user", "content": "' + b"x" * 180 + b'"}]}\n'
    block = line * (MIB // len(line) + 1)
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("wb") as out:
        left = size
        while left:
            chunk = block[: min(left, MIB)]
            out.write(chunk)
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.upload_child", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=_on("client"),
    )
    if done.returncode != 0:
        raise BenchmarkError(f"upload {spec['variant']} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_upload(size_mib: int, rounds: int) -> dict[str, Any]:
    """Upload a ``size_mib`` MiB file ``rounds`` times per variant; every run checked."""
    size = size_mib * MIB
    # A small file (CI's) still goes through parts: four of them.
    part = PART if size > PART else -(-size // CONCURRENCY)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.jsonl"
        md5 = write_file(path, size)
        with _process(["benchmarks.upload_server"]) as (server, info):
            assert server.stdin is not None
            seen = 0
            for r in range(rounds):
                for variant in VARIANTS[r % 2 :] + VARIANTS[: r % 2]:
                    spec = {
                        "variant": variant,
                        "url": info["url"],
                        "path": str(path),
                        "part_size": part,
                        "concurrency": CONCURRENCY,
                    }
                    result = _child(spec)
                    server.stdin.write("\n")
                    server.stdin.flush()
                    stats = json.loads(_readline(server, SERVER_TIMEOUT))
                    if stats["bytes"] - seen != size or stats["md5"][-1] != md5:
                        raise BenchmarkError(f"upload {variant}: the server got other bytes")
                    seen = stats["bytes"]
                    runs.append({"variant": variant, "size": size, **result})
    return {
        "size_mib": size_mib,
        "part_size": part,
        "runs": runs,
        "summary": _summary(runs, size),
    }


def _summary(runs: list[dict[str, Any]], size: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for variant in VARIANTS:
        mine = [r for r in runs if r["variant"] == variant]
        out[variant] = {
            "mib_per_s": statistics.median(size / MIB / r["wall"] for r in mine),
            "cpu_s": statistics.median(r["cpu"] for r in mine),
            "rss_growth_mib": max((r["rss_peak"] - r["rss_before"]) / MIB for r in mine),
        }
    return out


def upload_table(result: dict[str, Any]) -> str:
    """The scenario's table and verdicts."""
    summary = result["summary"]
    ft, raw = summary["ftclient"], summary["raw"]
    ratio = ft["mib_per_s"] / raw["mib_per_s"]
    lines = [
        f"upload of {result['size_mib']} MiB, parts of {result['part_size'] / MIB:g} MiB, "
        f"{CONCURRENCY} in flight "
        f"(medians of {len(result['runs']) // 2}; RSS growth: the worst)",
        "| variant | MiB/s | CPU s | peak RSS growth MiB |",
        "|---|---:|---:|---:|",
        f"| ftclient | {ft['mib_per_s']:.0f} ({ratio:.2f}x) | {ft['cpu_s']:.2f} | "
        f"{ft['rss_growth_mib']:.1f} |",
        f"| raw aiohttp | {raw['mib_per_s']:.0f} | {raw['cpu_s']:.2f} | "
        f"{raw['rss_growth_mib']:.1f} |",
        f"throughput >= 0.9x raw: {'met' if ratio >= 0.9 else 'MISSED'} ({ratio:.2f}x); "
        f"RSS growth <= 64 MiB: {'met' if ft['rss_growth_mib'] <= 64 else 'MISSED'}",
    ]
    return "\n".join(lines)
