"""One measured ``wait_many`` run in a fresh process: ``python watch_child.py SPEC``.

``SPEC`` is a JSON object: ``url``, ``jobs`` (ids), ``finish`` (each job's Unix finish time, or
null when unknown), ``timeout``. Watches the jobs with ``client.jobs.wait_many(jobs)`` and
default settings, records when each one is reported, and prints one JSON line: client CPU and
wall time, detection lags (report time minus finish time), failed results and a check that
every job was reported exactly once, finished. Runs whatever ``ftclient`` is first on
``sys.path``, so the harness can run an earlier version side by side. Importing nothing from the
rest of ``benchmarks`` keeps that possible.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any


async def watch(spec: dict[str, Any]) -> dict[str, Any]:
    from ftclient import FineTuningClient

    ids: list[str] = spec["jobs"]
    reported: dict[str, float] = {}
    failed = 0
    statuses: dict[str, str] = {}
    async with FineTuningClient(api_key="sk-bench", base_url=spec["url"]) as client:
        cpu0, wall0 = time.process_time(), time.time()
        async with asyncio.timeout(spec["timeout"]):
            async with client.jobs.wait_many(ids) as results:
                async for item in results:
                    job = getattr(item, "job", item)  # WaitResult now, the job before
                    job_id = getattr(item, "job_id", None) or item.id
                    if getattr(item, "error", None) is not None:
                        failed += 1
                    if job_id in reported:
                        raise SystemExit(f"{job_id} reported twice")
                    reported[job_id] = time.time()
                    statuses[job_id] = str(job.status) if job is not None else "error"
        cpu, wall = time.process_time() - cpu0, time.time() - wall0
    if sorted(reported) != sorted(ids):
        raise SystemExit(f"{len(ids) - len(reported)} jobs were never reported")
    lags = [reported[j] - f for j, f in zip(ids, spec["finish"], strict=True) if f is not None]
    return {
        "cpu": cpu,
        "wall": wall,
        "lags": lags,
        "failed": failed,
        "statuses": sorted(set(statuses.values())),
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    print(json.dumps(asyncio.run(watch(spec))), flush=True)


if __name__ == "__main__":
    main()
