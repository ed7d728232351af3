"""A scripted fine-tuning jobs server on 127.0.0.1: each job runs until its finish time.

Serves ``GET /v1/fine_tuning/jobs`` (newest first, ``limit`` up to 100, ``after`` cursor,
``has_more``) and ``GET /v1/fine_tuning/jobs/{id}`` (404 for an unknown id). Jobs answer
``running`` until ``clock() >= finish_at``, then ``succeeded``. Tests script failures
(``fail_retrieve``, ``fail_list``); ``requests`` counts what was asked. Used by the wait_many
benchmark (its own process, wall clock) and by tests (in the test's loop).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import attrs
from aiohttp import web

__all__ = ["JobsServer", "ScriptedJob"]


@attrs.define
class ScriptedJob:
    """One job: created at ``created_at`` (Unix seconds), terminal from ``finish_at`` on."""

    id: str
    created_at: int
    finish_at: float
    outcome: str = "succeeded"
    listed_until: float = math.inf  # lists leave it out from then on (retrieves still work)


def _document(job: ScriptedJob, now: float) -> dict[str, Any]:
    done = now >= job.finish_at
    return {
        "object": "fine_tuning.job",
        "id": job.id,
        "model": "gpt-4o-mini-2024-07-18",
        "created_at": job.created_at,
        "error": None,
        "fine_tuned_model": f"ft:gpt-4o-mini:org:{job.id}" if done else None,
        "finished_at": int(job.finish_at) if done else None,
        "hyperparameters": {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 1.0},
        "organization_id": "org-bench",
        "result_files": [],
        "status": job.outcome if done else "running",
        "trained_tokens": 1000 if done else None,
        "training_file": "file-train",
        "validation_file": None,
        "seed": 1,
    }


class JobsServer:
    """The server (see the module); ``jobs`` in creation order, oldest first."""

    def __init__(self, jobs: list[ScriptedJob], *, clock: Callable[[], float] = time.time) -> None:
        self.jobs: dict[str, ScriptedJob] = {}
        self.add(jobs)
        self.clock = clock
        self.on_list: Callable[[int], None] | None = None  # called with each list's number
        self.afters: list[str | None] = []  # each list's cursor: None starts a walk
        self.requests: Counter[str] = Counter()
        self.arrivals: dict[str, list[float]] = {"list": [], "retrieve": []}  # loop times
        self.headers: dict[str, str] = {}  # sent on every answer, e.g. retry-after-ms
        self.delay = 0.0  # seconds before each retrieve is answered
        self.retrieve_failures: dict[str, deque[int]] = {}
        self.list_failures: deque[int] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    def add(self, jobs: list[ScriptedJob]) -> None:
        """Make more jobs (tests: jobs created while a client watches)."""
        self.jobs.update((job.id, job) for job in jobs)
        self._newest_first = sorted(self.jobs.values(), key=lambda j: j.created_at, reverse=True)
        self._position = {job.id: index for index, job in enumerate(self._newest_first)}

    def fail_retrieve(self, job_id: str, *statuses: int) -> None:
        """Answer the next retrieves of ``job_id`` with these statuses, in order (0: normally)."""
        self.retrieve_failures.setdefault(job_id, deque()).extend(statuses)

    def fail_list(self, *statuses: int) -> None:
        """Answer the next list requests with these statuses, in order (0: normally)."""
        self.list_failures.extend(statuses)

    async def start(self, port: int = 0) -> JobsServer:
        """Bind 127.0.0.1 and serve; ``url`` is the base URL (``.../v1``)."""
        app = web.Application()
        app.router.add_get("/v1/fine_tuning/jobs", self._list)
        app.router.add_get("/v1/fine_tuning/jobs/{job_id}", self._retrieve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port, backlog=4096)
        await site.start()
        bound = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{bound}/v1"
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _arrived(self, kind: str) -> None:
        self.requests[kind] += 1
        self.arrivals[kind].append(asyncio.get_running_loop().time())

    def _error(self, status: int, message: str) -> web.Response:
        body = {"error": {"message": message, "type": "server_error", "param": None, "code": None}}
        return web.json_response(body, status=status, headers=self.headers)

    async def _retrieve(self, request: web.Request) -> web.Response:
        job_id = request.match_info["job_id"]
        self._arrived("retrieve")
        if self.delay:
            await asyncio.sleep(self.delay)
        failures = self.retrieve_failures.get(job_id)
        status = failures.popleft() if failures else 0
        if status:
            return self._error(status, "scripted failure")
        job = self.jobs.get(job_id)
        if job is None:
            return self._error(404, f"No such fine-tuning job: {job_id}")
        return web.json_response(_document(job, self.clock()), headers=self.headers)

    async def _list(self, request: web.Request) -> web.Response:
        self._arrived("list")
        self.afters.append(request.query.get("after"))
        if self.on_list is not None:
            self.on_list(self.requests["list"])
        status = self.list_failures.popleft() if self.list_failures else 0
        if status:
            return self._error(status, "scripted failure")
        limit = min(int(request.query.get("limit", "20")), 100)
        after = request.query.get("after")
        now = self.clock()
        listed = self._newest_first
        position = self._position
        if any(now >= job.listed_until for job in listed):  # tests only: some are left out
            listed = [job for job in listed if now < job.listed_until]
            position = {job.id: index for index, job in enumerate(listed)}
        start = position[after] + 1 if after in position else 0
        chosen = listed[start : start + limit]
        body = {
            "object": "list",
            "data": [_document(job, now) for job in chosen],
            "has_more": start + limit < len(listed),
        }
        return web.Response(
            body=json.dumps(body), content_type="application/json", headers=self.headers
        )


def script(jobs: int, over: float, older: int, start: float, seed: int) -> list[ScriptedJob]:
    """``older`` finished jobs of other work beneath ``jobs`` running ones that finish at
    uniformly random times in ``[start, start + over]``; oldest first."""
    rng = random.Random(seed)
    created = int(start) - 3600
    past = [ScriptedJob(f"ftjob-old{i:06d}", created - 86400 + i, 0.0) for i in range(older)]
    watched = [
        ScriptedJob(f"ftjob-bench{i:06d}", created + i // 10, start + rng.uniform(0.0, over))
        for i in range(jobs)
    ]
    return past + watched


async def _serve(args: argparse.Namespace) -> None:
    start = time.time() + args.delay
    jobs = script(args.jobs, args.over, args.older, start, args.seed)
    server = await JobsServer(jobs).start()
    watched = [job for job in jobs if job.id.startswith("ftjob-bench")]
    line = {
        "url": server.url,
        "jobs": [j.id for j in watched],
        "finish": [j.finish_at for j in watched],
    }
    print(json.dumps(line), flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            command = await loop.run_in_executor(None, sys.stdin.readline)
            if not command:
                return
            print(json.dumps(dict(server.requests)), flush=True)
    finally:
        await server.stop()


def main() -> None:
    """``python -m benchmarks.jobs_server --jobs N --over S``: serve until stdin closes.

    Prints ``{"url", "jobs", "finish"}`` when ready; each line on stdin prints the request
    counts so far.
    """
    parser = argparse.ArgumentParser(description="scripted jobs server (127.0.0.1 only)")
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--over", type=float, default=20.0, help="seconds over which jobs finish")
    parser.add_argument("--older", type=int, default=500, help="older jobs beneath them")
    parser.add_argument("--delay", type=float, default=2.0, help="seconds before the first ends")
    parser.add_argument("--seed", type=int, default=0)
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
