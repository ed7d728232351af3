"""Run every scenario, variants interleaved, and report ratios to the raw aiohttp floor.

Run: ``.venv/bin/python -m benchmarks`` (``--quick`` for a short smoke run; ``--help``).

The servers run in their own processes on 127.0.0.1 (``benchmarks.server`` for the plain
scenarios, ``benchmarks.emulator_proc`` for the rate-limited one); every measured run is a
fresh child process (``benchmarks.child``) so that peak RSS and CPU time belong to one variant.
Rounds interleave the variants (A B C, then B C A...) so drift hits them alike; medians over
rounds are reported. Results go to stdout as a table and to ``benchmarks/results/*.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.report import summarise, table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CHILD_TIMEOUT = 120.0
SERVER_TIMEOUT = 30.0


class BenchmarkError(RuntimeError):
    """A child failed or returned a wrong result: the run is aborted."""


# CPUs for the servers and for the measured clients (None: wherever the scheduler likes). With
# two or more CPUs the servers get the last one and the clients the rest: where the scheduler
# puts a client relative to its server otherwise moves a run's CPU time by +-30%.
_PINNING: dict[str, set[int] | None] = {"server": None, "client": None}


def _pin(pin: bool) -> None:
    cpus = sorted(os.sched_getaffinity(0)) if pin and hasattr(os, "sched_getaffinity") else []
    if len(cpus) >= 2:
        _PINNING.update(server={cpus[-1]}, client=set(cpus[:-1]))


def _on(role: str) -> Callable[[], None] | None:
    cpus = _PINNING[role]
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


@contextlib.contextmanager
def _process(args: list[str]) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    """Start a server module; yield it and the JSON line it prints when ready; always kill it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_on("server"),
    )
    try:
        assert proc.stdout is not None
        line = _readline(proc, SERVER_TIMEOUT)
        yield proc, json.loads(line)
    finally:
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    """The next line ``proc`` prints, read byte by byte from the pipe.

    Nothing is held in a Python buffer, so a later ``proc.communicate()`` (or the next call)
    sees every line after this one: ``proc.stdout.readline()`` read ahead, and the lines it
    buffered were lost to ``communicate`` and invisible to the next ``select``.
    """
    import selectors

    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    line = bytearray()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            if not sel.select(max(deadline - time.monotonic(), 0)):
                raise BenchmarkError(f"{proc.args!r} did not answer within {timeout:.0f}s")
            byte = os.read(fd, 1)
            if not byte:
                raise BenchmarkError(f"{proc.args!r} exited (status {proc.poll()})")
            line += byte
    return line.decode()


def run_child(
    spec: dict[str, Any],
    module: str = "benchmarks.child",
    timeout: float = CHILD_TIMEOUT,
    label: str | None = None,
) -> dict[str, Any]:
    """One measured run of ``module`` in a fresh interpreter; raises on any failure."""
    label = label or f"{spec['variant']} {spec['scenario']}"
    try:
        done = subprocess.run(
            [sys.executable, "-m", module, json.dumps(spec)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            preexec_fn=_on("client"),
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchmarkError(f"{label} timed out") from exc
    if done.returncode != 0:
        raise BenchmarkError(f"{label} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# What ``import`` measures: the reference a user already pays (aiohttp and json), the SDKs, and
# each ``--baseline`` checkout's ftclient (run from that directory, so its ftclient comes first).
IMPORT_STATEMENTS = {
    "pass": "pass",
    "aiohttp, json": "import aiohttp, json",
    "ftclient": "import ftclient",
    "openai": "import openai",
}
_WHERE = "\nimport sys\nm = sys.modules.get('ftclient')\nprint(m.__file__ if m else '')"


def import_times(runs: int, checkouts: dict[str, str] | None = None) -> dict[str, list[float]]:
    """Milliseconds to run each import statement in a fresh interpreter, minus an empty one.

    Every statement first runs once untimed with bytecode writing allowed: this machine sets
    PYTHONDONTWRITEBYTECODE, so a source checkout would otherwise be compiled on every timed
    run, while pip byte-compiles what it installs (aiohttp's .pyc are there). A warm-up rather
    than ``compileall``: it writes exactly what the statement imports, wherever it comes from,
    and it checks that a checkout's statement imports that checkout's ftclient. The timed runs
    rotate the statements (drift hits them alike); each is net of the median of ``pass``.
    """
    import time

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    statements = {name: (s, ROOT) for name, s in IMPORT_STATEMENTS.items()}
    if importlib.util.find_spec("openai") is None:
        del statements["openai"]
    for name, path in (checkouts or {}).items():
        statements[name] = ("import ftclient", Path(path).resolve())

    def run(statement: str, cwd: Path) -> str:
        done = subprocess.run(
            [sys.executable, "-c", statement],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            preexec_fn=_on("client"),
        )
        return done.stdout

    for name, (statement, cwd) in statements.items():
        where = run(statement + _WHERE, cwd).strip()
        if "ftclient" in statement and not Path(where).resolve().is_relative_to(cwd):
            raise BenchmarkError(f"{name}: ftclient came from {where}, not from {cwd}")
    raw: dict[str, list[float]] = {name: [] for name in statements}
    for r in range(runs):
        for name in rotate(list(statements), r):
            start = time.perf_counter()
            run(*statements[name])
            raw[name].append((time.perf_counter() - start) * 1000)
    base = statistics.median(raw.pop("pass"))
    return {name: [t - base for t in times] for name, times in raw.items()}


def rotate(items: list[str], k: int) -> list[str]:
    k %= len(items)
    return items[k:] + items[:k]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts, one round (smoke)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5; quick: 1)")
    parser.add_argument("--variants", default="ftclient,raw,openai")
    parser.add_argument(
        "--scenarios", default="fanout,pagination,sequential,metrics,ratelimited,nohint,import"
    )
    parser.add_argument(
        "--decoders", default="stdlib,orjson", help="stdlib hides orjson; orjson uses it"
    )
    parser.add_argument("--rate", type=float, help="emulator rate limit R (default 400)")
    parser.add_argument(
        "--nohint-rate", type=float, default=100.0, help="hint-less limiter's rate (default 100)"
    )
    parser.add_argument(
        "--nohint-window", action="store_true", help="hint-less limiter: fixed 1 s windows"
    )
    parser.add_argument("--output", type=Path, help="JSON result file (default: results/)")
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        help="also run ftclient from this checkout (variant 'at:<dir name>'; repeatable): "
        "before and after in one run",
    )
    parser.add_argument(
        "--before",
        default="df10dd7",
        help="git revision of ftclient run side by side in the watch scenario ('' for none)",
    )
    parser.add_argument(
        "--upload-mib",
        type=int,
        help="file size of the upload scenario in MiB (default 1024; quick: 16)",
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin servers and clients to separate CPUs"
    )
    parser.add_argument(
        "--data-size", help="the data scenario's large file: 1G (default), 4M (quick), bytes"
    )
    args = parser.parse_args(argv)
    _pin(not args.no_pin)

    quick = args.quick
    counts = {
        "fanout": 200 if quick else 5_000,
        "pagination": 1_000 if quick else 20_000,
        "sequential": 100 if quick else 2_000,
        "ratelimited": 200 if quick else 2_000,
        "nohint": 200 if quick else 2_000,
        "metrics": 1_000 if quick else 10_000,
    }
    concurrency = 50 if quick else 200
    rate = args.rate or (100.0 if quick else 400.0)
    rounds = args.rounds or (1 if quick else 5)
    variants = [v for v in args.variants.split(",") if v]
    checkouts = {f"at:{path.name}": str(path) for path in args.baseline}
    variants += checkouts
    notes: list[str] = []
    if "openai" in variants and importlib.util.find_spec("openai") is None:
        variants.remove("openai")
        notes.append("openai is not installed: skipped (pip install 'ftclient[bench]')")
    decoders = [d for d in args.decoders.split(",") if d]
    if "orjson" in decoders and importlib.util.find_spec("orjson") is None:
        decoders.remove("orjson")
        notes.append("orjson is not installed: only the stdlib json path was measured")
    scenarios = [s for s in args.scenarios.split(",") if s]
    plain = [s for s in ("fanout", "pagination", "sequential", "metrics") if s in scenarios]
    # jobs.metrics is ftclient's alone: the floor is raw aiohttp reading the same pages.
    metrics_variants = [v for v in ("ftclient", "raw") if v in variants]

    runs: list[dict[str, Any]] = []
    import_ms: dict[str, list[float]] = {}
    server = ["benchmarks.server", "--events", str(counts["pagination"])]
    server += ["--metrics-steps", str(counts["metrics"])]
    with _process(server) as (_, srv):
        for r in range(rounds):
            print(f"round {r + 1}/{rounds}", file=sys.stderr, flush=True)
            for decoder in decoders:
                for name in plain:
                    for variant in rotate(metrics_variants if name == "metrics" else variants, r):
                        spec = {
                            "variant": variant,
                            "scenario": name,
                            "url": srv["url"],
                            "n": counts[name],
                            "concurrency": concurrency,
                            "decoder": decoder,
                            "checkout": checkouts.get(variant),
                        }
                        runs.append({**spec, **run_child(spec)})
            limited = [v for v in variants if v not in checkouts]  # checkouts: plain ones only
            if "ratelimited" in scenarios:
                for variant in rotate(limited, r):
                    runs.append(_rate_limited(variant, counts["ratelimited"], concurrency, rate))
            if "nohint" in scenarios:  # the rate gate before and after: checkouts too
                for variant in rotate(variants, r):
                    runs.append(
                        _rate_limited(
                            variant,
                            counts["nohint"],
                            concurrency,
                            args.nohint_rate,
                            "nohint",
                            checkout=checkouts.get(variant),
                            window=args.nohint_window,
                        )
                    )
            if "import" in scenarios:
                for name, times in import_times(3 if quick else 5, checkouts).items():
                    import_ms.setdefault(name, []).extend(times)

    watched = _watch_scenarios(scenarios, quick, rounds, rate, args.before)
    summary = summarise(runs, import_ms, rate, args.nohint_rate)
    meta = _metadata(args, counts, concurrency, rate, rounds, notes)
    print(table(summary, meta))
    if watched["table"]:
        print("\nwait_many\n" + watched.pop("table"))
    data = None
    if "data" in scenarios:  # not a default: the large file takes a minute to write
        from benchmarks.data_check import data_table, parse_size, run_data

        data = run_data(parse_size(args.data_size or ("4M" if quick else "1G")), rounds)
        print("\ndata check\n" + data_table(data["summary"]))
    uploaded = None
    if "upload" in scenarios:
        from benchmarks.upload import run_upload, upload_table

        mib = args.upload_mib or (16 if quick else 1024)
        uploaded = run_upload(mib, min(rounds, 1 if quick else 3))
        print("\n" + upload_table(uploaded))
    out = args.output or RESULTS / f"bench-{meta['date'].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        **meta,
        "summary": summary,
        "runs": runs,
        "watch": watched,
        "data": data,
        "upload": uploaded,
    }
    out.write_text(json.dumps(document, indent=1))
    print(f"\nresults: {out}")
    return 0


def _watch_scenarios(
    scenarios: list[str], quick: bool, rounds: int, rate: float, before: str
) -> dict[str, Any]:
    """The wait_many scenarios (``watch``, ``watchlimited``), see ``benchmarks.watch``."""
    from benchmarks.watch import run_watch, run_watch_limited, watch_table

    runs: list[dict[str, Any]] = []
    limited = None
    if "watch" in scenarios:
        n, over = (100, 2.0) if quick else (2_000, 20.0)
        runs = run_watch(n, over, min(rounds, 1 if quick else 3), before or None)
    if "watchlimited" in scenarios:
        limited = run_watch_limited(25 if quick else 500, 4, rate)
    table = watch_table(runs, limited) if runs or limited else ""
    return {"runs": runs, "limited": limited, "table": table}


def _rate_limited(
    variant: str,
    n: int,
    concurrency: int,
    rate: float,
    scenario: str = "ratelimited",
    *,
    checkout: str | None = None,
    window: bool = False,
) -> dict[str, Any]:
    """One run against a fresh rate-limited server; its own counters give the 429 fraction.

    ``ratelimited``: the emulator (429s with ``Retry-After`` and ``x-ratelimit-*``); ``nohint``:
    ``benchmarks.limiter``, whose 429s carry no hint at all.
    """
    module = "benchmarks.emulator_proc" if scenario == "ratelimited" else "benchmarks.limiter"
    with _process([module, "--rate", str(rate), *(["--window"] if window else [])]) as (proc, emu):
        spec = {
            "variant": variant,
            "scenario": scenario,
            "url": emu["url"],
            "n": n,
            "concurrency": concurrency,
            "decoder": "default",
            "job_ids": emu["jobs"],
            "checkout": checkout,
        }
        result = run_child(spec)
        assert proc.stdin is not None
        proc.stdin.write("stats\n")
        proc.stdin.flush()
        stats = json.loads(_readline(proc, SERVER_TIMEOUT))
    spec.pop("job_ids")
    return {**spec, **result, "server": stats, "rate": rate, "burst": emu["burst"]}


def _metadata(
    args: argparse.Namespace,
    counts: dict[str, int],
    concurrency: int,
    rate: float,
    rounds: int,
    notes: list[str],
) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {"python": platform.python_version()}
    for dist in ("ftclient", "aiohttp", "openai", "orjson", "cattrs"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = None
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "versions": versions,
        "machine": {
            "nproc": os.cpu_count(),
            "platform": platform.platform(),
            "server_cpus": sorted(_PINNING["server"] or []),
            "client_cpus": sorted(_PINNING["client"] or []),
        },
        "config": {
            "quick": args.quick,
            "rounds": rounds,
            "counts": counts,
            "concurrency": concurrency,
            "rate_limit": rate,
        },
        "notes": notes,
    }


if __name__ == "__main__":
    raise SystemExit(main())
