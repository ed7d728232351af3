"""Turn the runs of ``benchmarks.run`` into medians, ratios to the raw floor, and a table."""

from __future__ import annotations

import statistics
from typing import Any

# (scenario, metric, target ratio to raw, lower is better)
TARGETS: list[tuple[str, str, float]] = [
    ("fanout", "cpu_ms_per_1k", 1.25),
    ("fanout", "peak_rss_mb", 1.2),
    ("pagination", "cpu_ms_per_1k", 1.6),
    ("metrics", "cpu_ms_per_1k", 1.6),
    ("sequential", "median_ms", 1.2),
]
# `import ftclient` net of the interpreter, against what a user of aiohttp already imports.
IMPORT_REFERENCE = "aiohttp, json"
IMPORT_TARGET = 1.25
MAX_429_FRACTION = 0.05
# Worst-run throughput floor per rate-limited scenario (the hint-less one: issue 8's goal).
MIN_THROUGHPUT_PCT = {"ratelimited": 85.0, "nohint": 90.0}
LIMITED_TITLES = {
    "ratelimited": "Rate-limited fan-out (emulator: 429 with Retry-After and x-ratelimit-*",
    "nohint": "Hint-less limiter (bare 429s, burst R",
}

_LABELS = {
    "rate": "throughput /s",
    "cpu_ms_per_1k": "CPU ms / 1k",
    "peak_rss_mb": "peak RSS MB",
    "median_ms": "median ms",
    "p99_ms": "p99 ms",
    "requests": "requests",
}
_UNIT = {
    "fanout": "requests",
    "pagination": "events",
    "sequential": "requests",
    "metrics": "points",
}
CHECKPOINT_PAGES = 1  # the metrics job's 3 checkpoints fit one page of 100


def _metrics(run: dict[str, Any]) -> dict[str, float]:
    n, wall, cpu = run["n"], run["wall"], run["cpu"]
    out = {"rate": n / wall, "cpu_ms_per_1k": cpu / n * 1e6, "peak_rss_mb": run["peak_rss_mb"]}
    if run["scenario"] == "metrics":
        out["requests"] = sum(run["requests"].values())
    if run["scenario"] == "sequential":
        lat = sorted(run["latencies"])
        out["median_ms"] = statistics.median(lat) * 1000
        out["p99_ms"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    return out


def _rate_limited(run: dict[str, Any]) -> dict[str, float]:
    server = run["server"]
    # Polls beyond the bucket's initial burst, per second: 100% means the client kept the server
    # busy at exactly R from start to end. Failed polls do not count.
    sustained = (run["n"] - run["failed"] - run["burst"]) / run["wall"]
    return {
        "failed": run["failed"],
        "fraction_429": server["rate_limited"] / max(1, server["requests"]),
        "server_requests": server["requests"],
        "throughput_pct_of_R": 100 * sustained / run["rate"],
        "wall": run["wall"],
    }


def _median(values: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(v[k] for v in values) for k in values[0]}


def summarise(
    runs: list[dict[str, Any]],
    import_ms: dict[str, list[float]],
    rate: float,
    nohint_rate: float = 100.0,
) -> Any:
    """Medians per (decoder, scenario, variant), ratios to ``raw``, target verdicts."""
    grouped: dict[tuple[str, str, str], list[dict[str, float]]] = {}
    limited: dict[str, dict[str, list[dict[str, float]]]] = {s: {} for s in LIMITED_TITLES}
    for run in runs:
        if run["scenario"] in limited:
            limited[run["scenario"]].setdefault(run["variant"], []).append(_rate_limited(run))
        else:
            key = (run["decoder"], run["scenario"], run["variant"])
            grouped.setdefault(key, []).append(_metrics(run))
    plain: dict[str, Any] = {}
    for (decoder, scenario, variant), values in grouped.items():
        plain.setdefault(decoder, {}).setdefault(scenario, {})[variant] = {
            "median": _median(values),
            "runs": len(values),
        }
    for scenarios in plain.values():
        for variants in scenarios.values():
            floor = variants.get("raw", {}).get("median")
            for entry in variants.values():
                if floor:
                    entry["ratio_to_raw"] = {
                        k: v / floor[k] for k, v in entry["median"].items() if floor.get(k)
                    }
    verdicts = []
    for decoder, scenarios in plain.items():
        for scenario, metric, target in TARGETS:
            ratio = scenarios.get(scenario, {}).get("ftclient", {}).get("ratio_to_raw", {})
            if metric in ratio:
                verdicts.append(
                    {
                        "decoder": decoder,
                        "scenario": scenario,
                        "metric": metric,
                        "ratio": ratio[metric],
                        "target": target,
                        "met": ratio[metric] <= target,
                    }
                )
    budgets = [run for run in runs if run["scenario"] == "metrics" and run["variant"] == "ftclient"]
    if budgets:
        worst = max(sum(run["requests"].values()) for run in budgets)
        allowed = -(-budgets[0]["n"] // 100) + CHECKPOINT_PAGES
        verdicts.append(
            {
                "scenario": "metrics",
                "metric": f"requests <= one per 100 points + {CHECKPOINT_PAGES} checkpoint page"
                f" ({allowed}); worst run {worst}",
                "met": worst <= allowed,
            }
        )
    out: dict[str, Any] = {}
    for scenario, by_variant in limited.items():
        rl: dict[str, Any] = {}
        for variant, values in by_variant.items():
            worst = {
                "failed": max(v["failed"] for v in values),
                "fraction_429": max(v["fraction_429"] for v in values),
                "throughput_pct_of_R": min(v["throughput_pct_of_R"] for v in values),
            }
            rl[variant] = {"median": _median(values), "worst": worst, "runs": len(values)}
        out[scenario] = rl
        ft = rl.get("ftclient", {}).get("worst")
        floor = MIN_THROUGHPUT_PCT[scenario]
        if ft:
            verdicts.append(
                {
                    "scenario": scenario,
                    "metric": f"failed=0, 429<=5%, throughput>={floor:.0f}% of R (worst run)",
                    "met": ft["failed"] == 0
                    and ft["fraction_429"] <= MAX_429_FRACTION
                    and ft["throughput_pct_of_R"] >= floor,
                }
            )
    imports = {name: statistics.median(times) for name, times in import_ms.items()}
    reference = imports.get(IMPORT_REFERENCE)
    import_ratio = {
        name: ms / reference
        for name, ms in imports.items()
        if reference and name != IMPORT_REFERENCE
    }
    if "ftclient" in import_ratio:
        verdicts.append(
            {
                "scenario": "import",
                "metric": f"import ftclient <= {IMPORT_TARGET}x import {IMPORT_REFERENCE}",
                "ratio": import_ratio["ftclient"],
                "target": IMPORT_TARGET,
                "met": import_ratio["ftclient"] <= IMPORT_TARGET,
            }
        )
    return {
        "plain": plain,
        **out,
        "rate_limit": rate,
        "nohint_rate": nohint_rate,
        "import_ms": imports,
        "import_ratio": import_ratio,
        "verdicts": verdicts,
    }


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def table(summary: dict[str, Any], meta: dict[str, Any]) -> str:
    """A markdown table: absolute medians, and ratios to the raw aiohttp floor in brackets."""
    v = meta["versions"]
    lines = [
        f"{meta['date']}  Python {v['python']}, aiohttp {v['aiohttp']}, ftclient {v['ftclient']},"
        f" openai {v['openai']}, orjson {v['orjson']}; nproc {meta['machine']['nproc']};"
        f" medians of {meta['config']['rounds']} interleaved rounds",
        "",
    ]
    for decoder, scenarios in summary["plain"].items():
        variants = sorted({vr for s in scenarios.values() for vr in s}, key=_order)
        lines.append(f"JSON decoder: {decoder}")
        lines.append("")
        lines.append("| scenario | metric | " + " | ".join(variants) + " |")
        lines.append("|---|---|" + "---:|" * len(variants))
        for scenario, entries in scenarios.items():
            for metric in entries[variants[0]]["median"]:
                if metric == "peak_rss_mb" and scenario != "fanout":
                    continue
                cells = []
                for variant in variants:
                    e = entries.get(variant)
                    if e is None:
                        cells.append("")
                        continue
                    ratio = e.get("ratio_to_raw", {}).get(metric)
                    cell = _fmt(e["median"][metric])
                    cells.append(cell if ratio is None else f"{cell} ({ratio:.2f}x)")
                label = _LABELS[metric].replace("1k", "1k " + _UNIT[scenario])
                lines.append(f"| {scenario} | {label} | " + " | ".join(cells) + " |")
        lines.append("")
    for scenario, title in LIMITED_TITLES.items():
        if not summary.get(scenario):
            continue
        r = summary["rate_limit" if scenario == "ratelimited" else "nohint_rate"]
        lines.append(f"{title}, R = {r:g}/s; worst run)")
        lines.append("")
        lines.append("| variant | failed polls | 429 share | throughput % of R | wall s |")
        lines.append("|---|---:|---:|---:|---:|")
        for variant, entry in sorted(summary[scenario].items(), key=lambda kv: _order(kv[0])):
            w, m = entry["worst"], entry["median"]
            lines.append(
                f"| {variant} | {w['failed']} | {100 * w['fraction_429']:.1f}% |"
                f" {w['throughput_pct_of_R']:.0f}% | {m['wall']:.2f} |"
            )
        lines.append("")
    if summary["import_ms"]:
        ratios = summary.get("import_ratio", {})
        timings = ", ".join(
            f"{k} {ms:.0f} ms" + (f" ({ratios[k]:.2f}x)" if k in ratios else "")
            for k, ms in summary["import_ms"].items()
        )
        lines.append(
            "Import time (fresh interpreter with bytecode, minus `python -c pass`, median;"
            f" ratio to `import {IMPORT_REFERENCE}`): {timings}"
        )
        lines.append("")
    lines.append("Targets (ftclient / raw unless named):")
    for verdict in summary["verdicts"]:
        mark = "met" if verdict["met"] else "MISSED"
        if "decoder" in verdict:
            lines.append(
                f"- {verdict['decoder']} {verdict['scenario']} {verdict['metric']}: "
                f"{verdict['ratio']:.2f}x (target <= {verdict['target']}x) {mark}"
            )
        elif "ratio" in verdict:
            lines.append(f"- {verdict['metric']}: {verdict['ratio']:.2f}x {mark}")
        else:
            lines.append(f"- {verdict['scenario']} {verdict['metric']}: {mark}")
    for note in meta["notes"]:
        lines.append(f"Note: {note}")
    return "\n".join(lines)


def _order(variant: str) -> int:
    return {"ftclient": 0, "raw": 1, "openai": 2}.get(variant, 3)
