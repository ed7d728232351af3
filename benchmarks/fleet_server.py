"""The emulator with a request rate limit and job limits, in its own process (fleet scenario).

``python -m benchmarks.fleet_server --rate R --max-active A [--daily D] [--speed F]`` prints
``{"url"}`` when ready. A line ``hold`` on stdin stops the jobs' clock and ``release`` starts it
again (each prints ``{"clock": ...}``); any other line prints what it holds: live jobs (not
cancelled or failed) per idempotency key, jobs in all, cancelled jobs, limit refusals, requests
and 429s of the request rate limit. EOF stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter

from ftclient.testing import FineTuningEmulator, JobLimits, JobTimings, SimulatedClock

TAG = "ftclient_idempotency_key"
# Every job: 20 s validating, 10 s queued, 10 steps of 0.3 s: 33 simulated seconds. A duplicate
# is cancelled while validating or queued; with 1 s of validation (0.1 s of real time at speed 10)
# a duplicate sometimes trained to the end before its cancel arrived, which is the emulator being
# unrealistically quick, not what a fleet meets (real jobs validate for minutes).
TIMINGS = JobTimings(
    validating=20, queued=10, per_step=0.3, default_epochs=1, min_steps_per_epoch=10,
    max_steps_per_epoch=10,
)  # fmt: skip


class HoldableClock(SimulatedClock):
    """The emulator's clock, which the scenario can stop while a killed worker restarts.

    At speed 10 a job lives 3.3 s of real time; a real one validates for minutes. A restart
    (a new interpreter, imports, the scan) on a loaded machine took longer than a whole job, so
    a duplicate the dead worker left sometimes finished before the new one could cancel it.
    Holding the clock over the restart keeps the real proportion: a restart is short next to a job.
    """

    def __init__(self, *, speed: float) -> None:
        super().__init__(speed=speed)
        self._held: float | None = None
        self._lost = 0.0  # simulated seconds that passed while held

    def now(self) -> float:
        if self._held is not None:
            return self._held
        return super().now() - self._lost

    def hold(self) -> None:
        if self._held is None:
            self._held = self.now()

    def release(self) -> None:
        if self._held is not None:
            self._lost = super().now() - self._held
            self._held = None


def census(emu: FineTuningEmulator) -> dict[str, object]:
    """What the emulator holds now."""
    now = emu.clock.now()
    live: Counter[str] = Counter()
    statuses: dict[str, list[str]] = {}
    cancelled = 0
    for job_id in emu.jobs:
        job = emu.state.job(job_id, now)
        if job.status in ("cancelled", "failed"):
            cancelled += job.status == "cancelled"
            continue
        key = str((job.request.metadata or {}).get(TAG))
        live[key] += 1
        statuses.setdefault(key, []).append(f"{job.id}:{job.status}")
    limits = emu.limits
    return {
        "jobs": len(emu.jobs),
        "live_keys": len(live),
        "live_jobs": sum(live.values()),
        "keys_with_two_live": sum(1 for n in live.values() if n > 1),
        "two_live": [statuses[key] for key, n in live.items() if n > 1],
        "cancelled": cancelled,
        "limit_refusals": limits.refused if limits is not None else 0,
        "requests": emu.stats.requests,
        "rate_limited": emu.stats.rate_limited,
    }


async def serve(args: argparse.Namespace) -> None:
    limits = JobLimits(max_active=args.max_active, daily_per_model=args.daily)
    clock = HoldableClock(speed=args.speed)
    async with FineTuningEmulator(
        rate_limit=args.rate,
        clock=clock,
        limits=limits,
        timings=TIMINGS,
        require_files=False,  # the specs name made-up files
    ) as emu:
        print(json.dumps({"url": emu.url}), flush=True)
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            if line.strip() == "hold":
                clock.hold()
                print(json.dumps({"clock": "held"}), flush=True)
            elif line.strip() == "release":
                clock.release()
                print(json.dumps({"clock": "running"}), flush=True)
            else:
                print(json.dumps(census(emu)), flush=True)


def main() -> None:
    """Parse the options and serve until stdin closes."""
    parser = argparse.ArgumentParser(description="limited emulator (127.0.0.1 only)")
    parser.add_argument("--rate", type=float, default=400.0)
    parser.add_argument("--max-active", type=int, default=100)
    parser.add_argument("--daily", type=int, default=None, help="creations per model per day")
    parser.add_argument("--speed", type=float, default=10.0, help="simulated s per s")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
