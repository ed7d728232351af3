"""A poll's successful answer can carry the server's Retry-After: the schedule obeys it (capped).

Written against mutants of ``_waiting`` that survived ``tools/mutation.sh``: ``PollSchedule.next``
ignoring the response, ``hint_of`` not reading a decoded model's headers.
"""

from __future__ import annotations

import pytest
from aiohttp import web

import ftclient
from ftclient.polling.wait import hint_of
from tests.integration.test_rate_gate import JOB, serve


def job_with(headers: dict[str, str]) -> web.Response:
    return web.json_response(JOB, headers=headers)


@pytest.mark.parametrize(
    ("headers", "hint"),
    [({"retry-after": "2"}, 2.0), ({"retry-after-ms": "1500"}, 1.5), ({"retry-after": "31"}, None)],
)
async def test_a_polled_job_carries_the_servers_hint(
    headers: dict[str, str], hint: float | None
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return job_with(headers)

    async with (
        serve(handler) as url,
        ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client,
    ):
        job = await client.jobs.retrieve("ftjob-gate")
    assert hint_of(job, 30.0) == hint
    schedule = ftclient.PollSchedule(initial=1.0, maximum=30.0, jitter=0.0)
    # obeyed: the server's wait, and the interval stays; else the schedule goes on
    assert schedule.next(1.0, job) == ((hint, 1.0) if hint is not None else (1.0, 1.25))


def test_jitter_moves_the_sleep_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = ftclient.PollSchedule(initial=10.0, maximum=30.0, jitter=0.1)
    monkeypatch.setattr("ftclient.polling.wait.random.uniform", lambda low, high: high)
    assert schedule.after(10.0, None) == (pytest.approx(11.0), 12.5)
    monkeypatch.setattr("ftclient.polling.wait.random.uniform", lambda low, high: low)
    assert schedule.after(10.0, None) == (pytest.approx(9.0), 12.5)
