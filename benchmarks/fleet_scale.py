"""Scale figures of the fleet tools, in one process against ``benchmarks.jobs_server``.

``python -m benchmarks.fleet_scale [--watch 100000] [--waiter 10000] [--add 1000]``

- ``watch``: ``client.jobs.watch()`` over N jobs (the newest 200 running, the rest finished).
  Figures: the watch's own memory per job after its first round (the id and status it keeps,
  measured from its state, the jobs it yielded being dropped), the list requests of the first
  round, and of a round in which 30 of the running jobs finished.
- ``waiter``: ``wait_many`` over M running jobs; once the first round has read its pages, K
  new jobs are created and ``add``-ed. Figures: pages of the round after the add, retrieves.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import sys
import time
from typing import Any

import ftclient
from benchmarks.jobs_server import JobsServer, ScriptedJob

BASE = 1_700_000_000
FAST = ftclient.PollSchedule(initial=0.001, maximum=0.002, jitter=0.0)


def _walks(afters: list[str | None]) -> list[int]:
    """The pages of each walk down the list (a walk starts with no cursor)."""
    walks: list[int] = []
    for after in afters:
        if after is None:
            walks.append(0)
        walks[-1] += 1
    return walks


def _state_bytes(known: dict[str, str], statuses: dict[str, str]) -> int:
    """What the watch holds for its jobs: the dict, each id string, each distinct status."""
    total = sys.getsizeof(known) + sys.getsizeof(statuses)
    total += sum(sys.getsizeof(job_id) for job_id in known)
    return total + sum(sys.getsizeof(status) for status in statuses)


async def watch_figures(count: int) -> dict[str, Any]:
    running = 200
    jobs = [
        ScriptedJob(f"ftjob-{i:08d}", BASE + i, math.inf if i >= count - running else 0.0)
        for i in range(count)
    ]
    server = await JobsServer(jobs, clock=lambda: 0.0).start()
    try:
        async with ftclient.FineTuningClient(api_key="sk-scale", base_url=server.url) as client:
            changes = client.jobs.watch(poll_interval=FAST)
            started = time.perf_counter()
            for _ in range(count):
                await anext(changes)  # each job once, dropped at once
            first_round = server.requests["list"]
            seconds = time.perf_counter() - started
            frame: Any = changes.ag_frame  # type: ignore[attr-defined]
            held = _state_bytes(frame.f_locals["known"], frame.f_locals["statuses"])
            for job in jobs[-30:]:
                job.finish_at = 0.0  # 30 of the running jobs finish
            for _ in range(30):
                await anext(changes)
            with contextlib.suppress(TimeoutError):  # let it run idle rounds: nothing changes
                async with asyncio.timeout(0.5):
                    await anext(changes)
            await changes.aclose()  # type: ignore[attr-defined]
            walks = _walks(server.afters)
    finally:
        await server.stop()
    return {
        "jobs": count,
        "running": running,
        "first_round_lists": first_round,
        "first_round_seconds": round(seconds, 1),
        "state_bytes_per_job": round(held / count, 1),
        "lists_in_round_with_30_finished": walks[1],
        "lists_in_idle_rounds": sorted(set(walks[2:-1])),
        "retrieves": server.requests["retrieve"],
    }


async def waiter_figures(count: int, added: int) -> dict[str, Any]:
    jobs = [ScriptedJob(f"ftjob-{i:08d}", BASE + i, math.inf) for i in range(count)]
    later = [
        ScriptedJob(f"ftjob-{count + i:08d}", BASE + count + i, math.inf) for i in range(added)
    ]
    server = await JobsServer(jobs).start()
    server.clock = lambda: server.requests["list"]
    first_round = math.ceil(count / 100)
    try:
        async with ftclient.FineTuningClient(api_key="sk-scale", base_url=server.url) as client:
            waiter = client.jobs.wait_many([j.id for j in jobs], poll_interval=FAST)

            def on_list(number: int) -> None:
                if number == first_round:  # round 1's last page: made and added now
                    server.add(later)
                    waiter.add([j.id for j in later])
                    for job in jobs + later:  # all finish during the next round
                        job.finish_at = first_round + 1

            server.on_list = on_list
            results = [r async for r in waiter]
    finally:
        await server.stop()
    if len(results) != count + added or not all(r.ok for r in results):
        raise RuntimeError(f"wait_many reported {len(results)} of {count + added} jobs")
    return {
        "watched": count,
        "added": added,
        "first_round_lists": first_round,
        "next_round_lists": server.requests["list"] - first_round,
        "pages_holding_the_added": math.ceil(added / 100),
        "retrieves": server.requests["retrieve"],
    }


def main() -> None:
    """Run both, print JSON."""
    parser = argparse.ArgumentParser(description="fleet scale figures (127.0.0.1 only)")
    parser.add_argument("--watch", type=int, default=100_000)
    parser.add_argument("--waiter", type=int, default=10_000)
    parser.add_argument("--add", type=int, default=1_000)
    args = parser.parse_args()
    print(json.dumps({"waiter": asyncio.run(waiter_figures(args.waiter, args.add))}), flush=True)
    print(json.dumps({"watch": asyncio.run(watch_figures(args.watch))}), flush=True)


if __name__ == "__main__":
    main()
