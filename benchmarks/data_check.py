"""The ``data`` scenario: ``ftclient.data.check`` of a large training file next to a bare
``json.loads`` loop over the same bytes, and its peak RSS on a small and a large file.

Two files are generated at run time in a temporary directory (never committed): 10 MiB and
``--data-size`` (default 1 GiB; a size of 10 MiB or less is paired with a quarter of itself).
Their lines are a fixed mix of supervised chat examples (``random.Random(18)``): 80% system,
user and assistant; 12% two user/assistant rounds; 8% a tool round (``tools``, an assistant's
``tool_calls``, the tool's answer and a final answer), with texts of 8 to 60 words. At fixed
positions a line is cut short (not JSON) or repeats the line before it, so the check has
problems to find; every child's findings are verified against them and a mismatch aborts the
run. Each pass is a fresh interpreter (``benchmarks.data_child``); each round runs the two
modes on each file, in rotated order. Figures are medians over the rounds.

Goals (issue 18): on the large file, the check's rate is at least 0.5x the bare loop's; the
check's peak RSS on the large file is within 16 MiB of its peak RSS on the small one.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.run import BenchmarkError, rotate, run_child

__all__ = ["data_table", "generate", "parse_size", "run_data"]

MIB = 1 << 20
SMALL = 10 * MIB
MIN_RATE_RATIO = 0.5
MAX_RSS_GROWTH_MIB = 16.0
CHILD_TIMEOUT = 900.0
_UNITS = {"K": 1 << 10, "M": MIB, "G": 1 << 30}
_WORDS = [
    "the",
    "order",
    "invoice",
    "refund",
    "shipping",
    "account",
    "billing",
    "address",
    "payment",
    "card",
    "delivery",
    "status",
    "customer",
    "support",
    "agent",
    "please",
    "thanks",
    "sorry",
    "delay",
    "tracking",
    "number",
    "return",
    "policy",
    "days",
    "week",
    "label",
    "package",
    "warehouse",
    "credit",
    "balance",
    "update",
    "email",
    "phone",
    "verify",
    "request",
    "reply",
]
_SYSTEM = "You are a helpful support agent for an online shop. Answer briefly and politely."
_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Find an order by its number",
            "parameters": {"type": "object", "properties": {"order": {"type": "integer"}}},
        },
    }
]


def parse_size(text: str) -> int:
    """``"1G"``, ``"10M"``, ``"512K"`` (binary units) or a number of bytes."""
    unit = _UNITS.get(text[-1:].upper())
    return int(float(text[:-1]) * unit) if unit else int(text)


def _example(n: int, rnd: random.Random, pool: list[str]) -> dict[str, Any]:
    def say() -> str:
        return pool[rnd.randrange(len(pool))]

    system = {"role": "system", "content": _SYSTEM}
    ask = {"role": "user", "content": f"#{n} {say()}?"}  # the number keeps every line distinct
    kind = rnd.random()
    if kind < 0.80:
        return {"messages": [system, ask, {"role": "assistant", "content": say()}]}
    if kind < 0.92:
        return {
            "messages": [
                system,
                ask,
                {"role": "assistant", "content": say()},
                {"role": "user", "content": say() + "?"},
                {"role": "assistant", "content": say()},
            ]
        }
    call = {
        "id": f"call_{n}",
        "type": "function",
        "function": {"name": "lookup_order", "arguments": json.dumps({"order": n})},
    }
    return {
        "messages": [
            system,
            ask,
            {"role": "assistant", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"call_{n}", "content": say()},
            {"role": "assistant", "content": say()},
        ],
        "tools": _TOOLS,
    }


def generate(path: Path, size: int) -> dict[str, Any]:
    """Write about ``size`` bytes of examples to ``path``; return what a check must find."""
    rnd = random.Random(18)
    pool = [" ".join(rnd.choices(_WORDS, k=rnd.randint(8, 60))) for _ in range(2048)]
    period = max(7, min(5_003, size // 560 // 8))  # about 8 of each problem, at most 1,000
    invalid: list[int] = []
    repeats: list[int] = []
    written = n = 0
    previous = b""
    with path.open("wb") as out:
        while written < size:
            n += 1
            if n % period == period // 2:
                line = b'{"messages": [{"role": "user", "content": "cut sh\n'
                invalid.append(n)
            elif n % period == period - 1:
                line = previous
                repeats.append(n)
            else:
                line = json.dumps(_example(n, rnd, pool)).encode() + b"\n"
            out.write(line)
            written += len(line)
            previous = line
    return {"bytes": written, "lines": n, "invalid": invalid, "repeats": repeats}


def _child(mode: str, path: Path) -> dict[str, Any]:
    spec = {"mode": mode, "path": str(path)}
    label = f"data {mode} {path.name}"
    return run_child(spec, "benchmarks.data_child", CHILD_TIMEOUT, label)


def _verify(mode: str, found: dict[str, Any], expected: dict[str, Any]) -> None:
    lines, invalid, repeats = expected["lines"], expected["invalid"], expected["repeats"]
    if mode == "bare":
        wanted: dict[str, Any] = {"lines": lines, "bad": len(invalid)}
        got = found
    else:
        problems = sorted(
            [[n, "invalid_json"] for n in invalid] + [[n, "duplicate_example"] for n in repeats]
        )
        wanted = {
            "lines": lines,
            "examples": lines - len(invalid),  # a repeat is an example (and a problem)
            "problems": problems,
            "omitted": 0,
        }
        got = {key: found[key] for key in wanted}
    if got != wanted:
        raise BenchmarkError(f"data {mode}: found {str(got)[:300]}, expected {str(wanted)[:300]}")


def run_data(size: int, rounds: int) -> dict[str, Any]:
    """Generate the two files, run both modes on each for ``rounds`` rounds; the summary."""
    sizes = [SMALL if size > SMALL else max(1, size // 4), size]
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ftclient-data-bench-") as tmp:
        files = {s: Path(tmp) / f"train-{s}.jsonl" for s in sizes}
        expected = {s: generate(files[s], s) for s in sizes}
        for r in range(rounds):
            print(f"data round {r + 1}/{rounds}", file=sys.stderr, flush=True)
            for s in sizes:
                for mode in rotate(["bare", "check"], r):
                    result = _child(mode, files[s])
                    _verify(mode, result.pop("found"), expected[s])
                    runs.append({"mode": mode, "size": s, "round": r, **result})
    return {"runs": runs, "files": expected, "summary": _summarise(runs, expected)}


def _summarise(runs: list[dict[str, Any]], files: dict[int, dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for size, info in files.items():
        row: dict[str, Any] = {"size": size, "bytes": info["bytes"], "lines": info["lines"]}
        for mode in ("bare", "check"):
            mine = [run for run in runs if run["size"] == size and run["mode"] == mode]
            for key in ("wall", "cpu", "peak_rss_mib"):
                row[f"{mode}_{key}"] = statistics.median(run[key] for run in mine)
            row[f"{mode}_mib_s"] = info["bytes"] / MIB / row[f"{mode}_wall"]
        row["rate_ratio"] = row["bare_wall"] / row["check_wall"]
        row["cpu_ratio"] = row["bare_cpu"] / row["check_cpu"]
        rows.append(row)
    small, large = rows[0], rows[-1]
    growth = large["check_peak_rss_mib"] - small["check_peak_rss_mib"]
    return {
        "rows": rows,
        "rss_growth_mib": growth,
        "verdicts": [
            {
                "metric": f"check rate >= {MIN_RATE_RATIO}x bare json.loads ({_mib(large)} file)",
                "value": f"{large['rate_ratio']:.2f}x",
                "met": large["rate_ratio"] >= MIN_RATE_RATIO,
            },
            {
                "metric": f"check peak RSS {_mib(large)} - {_mib(small)} <= "
                f"{MAX_RSS_GROWTH_MIB:g} MiB",
                "value": f"{growth:+.1f} MiB",
                "met": growth <= MAX_RSS_GROWTH_MIB,
            },
        ],
    }


def _mib(row: dict[str, Any]) -> str:
    size = row["size"]
    return f"{size / (1 << 30):g} GiB" if size >= 1 << 30 else f"{size / MIB:g} MiB"


def data_table(summary: dict[str, Any]) -> str:
    """A markdown table of the medians, then each goal's verdict."""
    lines = [
        "| file | lines | bare json.loads MiB/s | data check MiB/s | rate ratio | CPU ratio "
        "| peak RSS MiB bare / check |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary["rows"]:
        lines.append(
            f"| {_mib(row)} | {row['lines']:,} | {row['bare_mib_s']:.1f} | "
            f"{row['check_mib_s']:.1f} | {row['rate_ratio']:.2f}x | {row['cpu_ratio']:.2f}x | "
            f"{row['bare_peak_rss_mib']:.1f} / {row['check_peak_rss_mib']:.1f} |"
        )
    lines.append("")
    for verdict in summary["verdicts"]:
        state = "met" if verdict["met"] else "MISSED"
        lines.append(f"- {verdict['metric']}: {verdict['value']} {state}")
    return "\n".join(lines)
