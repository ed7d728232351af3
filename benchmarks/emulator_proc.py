"""The emulator with a request-rate limit, run in its own process for the rate-limited scenario.

``python -m benchmarks.emulator_proc --rate R --jobs K [--speed F]`` starts
``FineTuningEmulator(rate_limit=R, speed=F)`` on 127.0.0.1, creates ``K`` jobs through its HTTP API,
waits for the token bucket to refill, then prints ``{"url", "jobs", "burst"}`` on one line.
Each line ``stats`` on stdin prints the emulator's counters since then; EOF stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import aiohttp

from ftclient.testing import FineTuningEmulator


async def serve(rate: float, jobs: int, speed: float) -> None:
    # The jobs name made-up files: what is measured is the rate limit, not uploads.
    async with FineTuningEmulator(rate_limit=rate, speed=speed, require_files=False) as emu:
        ids = []
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer sk-bench"}) as s:
            for i in range(jobs):
                while True:
                    async with s.post(
                        emu.url + "/fine_tuning/jobs",
                        json={"model": "gpt-4o-mini", "training_file": f"file-bench{i}"},
                    ) as resp:
                        body = await resp.json()
                    if resp.status != 429:  # the bucket is shared with the creates
                        break
                    await asyncio.sleep(float(resp.headers.get("retry-after-ms", "50")) / 1000)
                if resp.status != 200:
                    raise SystemExit(f"emulator refused a job: {resp.status} {body}")
                ids.append(body["id"])
        # Let the bucket refill, then count only what the benchmark sends.
        await asyncio.sleep(jobs / rate + 0.2)
        base_requests, base_limited = emu.stats.requests, emu.stats.rate_limited
        burst = max(1.0, rate)
        print(json.dumps({"url": emu.url, "jobs": ids, "burst": burst}), flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            stats = {
                "requests": emu.stats.requests - base_requests,
                "rate_limited": emu.stats.rate_limited - base_limited,
            }
            print(json.dumps(stats), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="rate-limited emulator (127.0.0.1 only)")
    parser.add_argument("--rate", type=float, default=400.0)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--speed", type=float, default=0.0, help="simulated s per s (0: still)")
    args = parser.parse_args()
    asyncio.run(serve(args.rate, args.jobs, args.speed))


if __name__ == "__main__":
    main()
