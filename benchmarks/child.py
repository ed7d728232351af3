"""One measured run of one client variant, in a fresh process: ``python -m benchmarks.child SPEC``.

``SPEC`` is a JSON object: ``variant`` (``ftclient``, ``raw``, ``openai``, or ``at:<name>``:
ftclient imported from the directory ``checkout``), ``scenario`` (``fanout``, ``pagination``,
``sequential``, ``ratelimited``, ``nohint``), ``url``, ``n``, ``concurrency``, ``decoder``
(``stdlib`` hides orjson from every import; ``orjson`` leaves it), ``job_ids`` for
``ratelimited`` and ``nohint``. ``metrics`` (ftclient and raw only): the whole training curve of
a job of ``n`` steps, ``client.jobs.metrics`` against reading the same event and checkpoint
pages with aiohttp and ``json.loads``; the server's request count goes with the result.
Prints one JSON line: wall and process CPU time of the measured
part, peak RSS of the process, latencies where relevant. Every result is checked (ids, event
count and order); a mismatch exits non-zero, so a wrong answer can never become a fast figure.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

WARMUP = 20
EVENTS_JOB = "ftjob-bench-events"
METRICS_JOB = "ftjob-bench-metrics"
MAX_RAW_ATTEMPTS = 50  # naive retry loop: bounded
LIMITED = ("ratelimited", "nohint")  # polls against a rate-limited server
# As long as a real project key (164 characters), so that every variant sends what users send
# and ftclient's scan of each answer for an echoed key costs what it costs them.
API_KEY = "sk-proj-" + "b" * 156


class Mismatch(Exception):
    """A response did not decode to what the server sent."""


def job_id(i: int) -> str:
    return f"ftjob-bench{i:06d}"


def event_ids(n: int) -> list[str]:
    return [f"ft-event-{i:06d}" for i in range(n)]


Retrieve = Callable[[str], Awaitable[str]]  # returns the decoded job's id
ListEvents = Callable[[str], Awaitable[list[str]]]  # returns the decoded event ids, in order
# The job's metrics points, oldest first: (step, train_loss) of each, and the checkpoint steps.
ReadMetrics = Callable[[str], Awaitable[tuple[list[tuple[int, float]], list[int]]]]


async def _ftclient(spec: dict[str, Any], run: Callable[..., Awaitable[dict[str, Any]]]) -> Any:
    from ftclient import FineTuningClient

    async with FineTuningClient(api_key=API_KEY, base_url=spec["url"]) as client:

        async def retrieve(jid: str) -> str:
            return (await client.jobs.retrieve(jid)).id

        async def list_events(jid: str) -> list[str]:
            return [e.id async for e in client.jobs.list_events(jid, limit=100)]

        async def read_metrics(jid: str) -> tuple[list[tuple[int, float]], list[int]]:
            series = await client.jobs.metrics(jid)
            steps = [c.step_number or 0 for c in series.checkpoints]
            return [(p.step, p.train_loss or 0.0) for p in series], steps

        result = await run(retrieve, list_events, read_metrics)
        result["throttled_client_side"] = client.rate_gate.throttled
        return result


async def _openai(spec: dict[str, Any], run: Callable[..., Awaitable[dict[str, Any]]]) -> Any:
    import openai

    async with openai.AsyncOpenAI(api_key=API_KEY, base_url=spec["url"]) as client:

        async def retrieve(jid: str) -> str:
            return (await client.fine_tuning.jobs.retrieve(jid)).id

        async def list_events(jid: str) -> list[str]:
            return [e.id async for e in client.fine_tuning.jobs.list_events(jid, limit=100)]

        return await run(retrieve, list_events)


async def _raw(spec: dict[str, Any], run: Callable[..., Awaitable[dict[str, Any]]]) -> Any:
    import aiohttp

    if spec["decoder"] == "orjson":
        import orjson

        loads: Callable[[bytes], Any] = orjson.loads
    else:
        loads = json.loads
    base = spec["url"]
    naive_retry = spec["scenario"] in LIMITED
    headers = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def get(url: str, params: dict[str, str] | None = None) -> Any:
            for _ in range(MAX_RAW_ATTEMPTS):
                async with session.get(url, params=params) as resp:
                    body = await resp.read()
                    if resp.status == 429 and naive_retry:
                        wait = float(resp.headers.get("retry-after-ms", "1000")) / 1000
                    elif resp.status != 200:
                        raise RuntimeError(f"HTTP {resp.status}: {body[:200]!r}")
                    else:
                        return loads(body)
                await asyncio.sleep(wait)
            raise RuntimeError("still rate-limited after the naive retries")

        async def retrieve(jid: str) -> str:
            data = await get(f"{base}/fine_tuning/jobs/{jid}")
            return str(data["id"])

        async def pages(url: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            params = {"limit": "100"}
            while True:
                page = await get(url, params)
                items.extend(page["data"])
                if not page["has_more"] or not page["data"]:
                    return items
                params = {"limit": "100", "after": page["data"][-1]["id"]}

        async def list_events(jid: str) -> list[str]:
            return [e["id"] for e in await pages(f"{base}/fine_tuning/jobs/{jid}/events")]

        async def read_metrics(jid: str) -> tuple[list[tuple[int, float]], list[int]]:
            # The floor: the same pages, read and json.loads'ed, the metrics data picked out.
            events, saved = await asyncio.gather(
                pages(f"{base}/fine_tuning/jobs/{jid}/events"),
                pages(f"{base}/fine_tuning/jobs/{jid}/checkpoints"),
            )
            data = [e["data"] for e in reversed(events) if e["type"] == "metrics"]
            steps = sorted(c["step_number"] for c in saved)
            return [(d["step"], d["train_loss"]) for d in data], steps

        return await run(retrieve, list_events, read_metrics)


VARIANTS = {"ftclient": _ftclient, "raw": _raw, "openai": _openai}


async def _workers(concurrency: int, n: int, one: Callable[[int], Awaitable[None]]) -> None:
    """``concurrency`` coroutines taking the next index until ``n`` are done."""
    it = iter(range(n))

    async def worker() -> None:
        for i in it:
            await one(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


Run = Callable[[Retrieve, ListEvents, ReadMetrics | None], Awaitable[dict[str, Any]]]


async def _server_requests(url: str) -> dict[str, int]:
    """The benchmark server's request counts by kind of path (outside the measured part)."""
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(f"{url}/bench/requests") as resp:
        counts: dict[str, int] = json.loads(await resp.read())
        return counts


def scenario(spec: dict[str, Any]) -> Run:
    name, n, concurrency = spec["scenario"], spec["n"], spec.get("concurrency", 1)

    async def run(
        retrieve: Retrieve, list_events: ListEvents, read_metrics: ReadMetrics | None = None
    ) -> dict[str, Any]:
        # Connections, generated hooks, lazy imports; not against the rate limit's full bucket.
        for i in range(0 if name in LIMITED else WARMUP):
            if await retrieve(job_id(i)) != job_id(i):
                raise Mismatch("warm-up job id")
        out: dict[str, Any] = {}
        before = await _server_requests(spec["url"]) if name == "metrics" else {}
        cpu, wall = time.process_time(), time.perf_counter()
        if name == "metrics":
            if read_metrics is None:
                raise SystemExit(f"{spec['variant']} has no metrics reading")
            points, saved = await read_metrics(METRICS_JOB)
        elif name == "fanout":
            got: list[str | None] = [None] * n

            async def fetch(i: int) -> None:
                got[i] = await retrieve(job_id(i))

            await _workers(concurrency, n, fetch)
        elif name == "pagination":
            events = await list_events(EVENTS_JOB)
        elif name == "sequential":
            latencies = []
            got = [None] * n
            for i in range(n):
                t0 = time.perf_counter()
                got[i] = await retrieve(job_id(i))
                latencies.append(time.perf_counter() - t0)
        elif name in LIMITED:
            ids: list[str] = spec["job_ids"]
            got, errors = [None] * n, []

            async def poll(i: int) -> None:
                try:
                    got[i] = await retrieve(ids[i % len(ids)])
                except Exception as exc:  # a failed poll is a result, counted below
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

            await _workers(concurrency, n, poll)
        else:
            raise SystemExit(f"unknown scenario {name!r}")
        out["cpu"] = time.process_time() - cpu
        out["wall"] = time.perf_counter() - wall
        # Checks, outside the measured part.
        if name == "metrics":
            after = await _server_requests(spec["url"])
            counted = {k: v - before.get(k, 0) for k, v in after.items()}
            out["requests"] = {k: v for k, v in counted.items() if v}
            if [step for step, _ in points] != list(range(1, n + 1)):
                raise Mismatch(f"metrics: got {len(points)} points, steps differ")
            if saved != [n * k // 3 for k in (1, 2, 3)] or points[0][1] != round(2.0 / 1.01, 5):
                raise Mismatch(f"metrics: checkpoints {saved}, first point {points[0]}")
        elif name == "pagination":
            if events != event_ids(n):
                raise Mismatch(f"events: got {len(events)}, order or ids differ")
        elif name in LIMITED:
            wrong = [i for i, g in enumerate(got) if g is not None and g != ids[i % len(ids)]]
            if wrong:
                raise Mismatch(f"{name}: poll {wrong[0]} got {got[wrong[0]]}")
            out["failed"] = sum(g is None for g in got)
            out["errors"] = errors[:5]
        else:
            wrong = [i for i, g in enumerate(got) if g != job_id(i)]
            if wrong:
                raise Mismatch(f"{name}: request {wrong[0]} got {got[wrong[0]]}")
        if name == "sequential":
            out["latencies"] = latencies
        return out

    return run


def main() -> None:
    spec = json.loads(sys.argv[1])
    if spec["decoder"] == "stdlib":
        sys.modules["orjson"] = None  # type: ignore[assignment]  # "import orjson" now fails
    if spec.get("checkout"):  # ``--baseline PATH``: ftclient as it is in another checkout
        sys.path.insert(0, spec["checkout"])
    variant = VARIANTS["ftclient" if spec.get("checkout") else spec["variant"]]
    result = asyncio.run(variant(spec, scenario(spec)))
    # ru_maxrss is KiB on Linux.
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["orjson_loaded"] = sys.modules.get("orjson") is not None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
