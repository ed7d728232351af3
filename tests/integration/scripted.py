"""A client for the scripted jobs server of ``benchmarks.jobs_server``, as the tests use it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import ftclient
from benchmarks.jobs_server import JobsServer

FAST = ftclient.PollSchedule(initial=0.001, maximum=0.002, jitter=0.0)


@contextlib.asynccontextmanager
async def client_of(server: JobsServer) -> AsyncIterator[ftclient.FineTuningClient]:
    """A client of ``server`` whose retries do not wait and stop after one."""
    policy = ftclient.RetryPolicy(wait=False, max_retries=1)
    async with ftclient.FineTuningClient(
        api_key="sk-test", base_url=server.url, retry_policy=policy
    ) as client:
        yield client
