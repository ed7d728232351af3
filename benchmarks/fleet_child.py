"""One fleet worker: ``submit_many`` over its shard of specs, a JSON line per spec settled.

``python -m benchmarks.fleet_child '{"url", "first", "count", "total"}'`` submits specs
``first .. first+count-1`` (modulo ``total``); spec ``i`` is
``{"model": "gpt-4o-mini", "training_file": "file-fleet-i", "suffix": "s<i>"}``, its key derived
from its content. Prints ``{"i", "ok", "existing"}`` per spec, then ``{"done", ...}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import ftclient


def spec(i: int) -> dict[str, str]:
    """Spec number ``i``."""
    return {"model": "gpt-4o-mini", "training_file": f"file-fleet-{i}", "suffix": f"s{i}"}


async def work(task: dict[str, int | str]) -> None:
    first, count, total = int(task["first"]), int(task["count"]), int(task["total"])
    specs = [spec((first + n) % total) for n in range(count)]
    started = time.perf_counter()
    counts = {"ok": 0, "failed": 0, "existing": 0}
    async with ftclient.FineTuningClient(api_key="sk-fleet", base_url=str(task["url"])) as client:
        async for done in client.jobs.submit_many(specs):
            counts["ok" if done.ok else "failed"] += 1
            counts["existing"] += done.existing
            line = {"i": done.spec["training_file"], "ok": done.ok, "existing": done.existing}
            if done.error is not None:
                line["error"] = str(done.error)
            print(json.dumps(line), flush=True)
    print(json.dumps({"done": True, **counts, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    asyncio.run(work(json.loads(sys.argv[1])))
