"""jobs.metrics, follow_metrics and checkpoints.best against a training service of the tests' own.

The service lists events newest first in pages (``after`` = the last id of a page), with message
events between the metrics ones, a step logged twice, and a metrics event whose data is not a
point; checkpoints come in pages of their own with ``first_id``/``last_id``. For following, a
step's event is stored a poll late, below one already listed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import ftclient
from ftclient.models import MetricPoint, MetricSeries

FAST = ftclient.PollSchedule(initial=0.001, maximum=0.002, jitter=0.0)
JOB = "ftjob-curve"


def metrics_event(n: int, step: int, created_at: int, **data: Any) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job.event",
        "id": f"ftevent-{n}",
        "created_at": created_at,
        "level": "info",
        "message": f"Step {step}",
        "data": {"step": step, "total_steps": 250, **data},
        "type": "metrics",
    }


def message_event(n: int, created_at: int) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job.event",
        "id": f"ftevent-{n}",
        "created_at": created_at,
        "level": "info",
        "message": "Checkpoint created",
        "data": {},
        "type": "message",
    }


def checkpoint(step: int, **metrics: Any) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job.checkpoint",
        "id": f"ftckpt-{step}",
        "created_at": 1000 + step,
        "fine_tuned_model_checkpoint": f"ft:gpt-4o-mini:org::abc:ckpt-step-{step}",
        "step_number": step,
        "metrics": {"step": step, **metrics},
        "fine_tuning_job_id": JOB,
    }


def job(status: str) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job",
        "id": JOB,
        "model": "gpt-4o-mini",
        "created_at": 900,
        "status": status,
        "training_file": "file-t",
        "organization_id": "org-x",
        "result_files": [],
        "seed": 1,
    }


class Service:
    """Stored events (oldest first), checkpoints, a job status, and every request's query."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.checkpoints: list[dict[str, Any]] = []
        self.status = "running"
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.on_retrieve: list[Any] = []  # callables run at each retrieve, in turn

    @staticmethod
    def page(items: list[dict[str, Any]], query: Any) -> tuple[list[dict[str, Any]], bool]:
        ids = [item["id"] for item in items]
        after = query.get("after")
        start = ids.index(after) + 1 if after in ids else 0
        limit = int(query.get("limit", 20))
        return items[start : start + limit], start + limit < len(items)

    async def list_events(self, request: web.Request) -> web.Response:
        self.requests.append(("events", dict(request.query)))
        newest_first = sorted(self.events, key=lambda e: e["created_at"], reverse=True)
        data, more = self.page(newest_first, request.query)
        return web.json_response({"object": "list", "data": data, "has_more": more})

    async def list_checkpoints(self, request: web.Request) -> web.Response:
        self.requests.append(("checkpoints", dict(request.query)))
        newest_first = sorted(self.checkpoints, key=lambda c: c["step_number"], reverse=True)
        data, more = self.page(newest_first, request.query)
        body = {"object": "list", "data": data, "has_more": more}
        if data:
            body |= {"first_id": data[0]["id"], "last_id": data[-1]["id"]}
        return web.json_response(body)

    async def retrieve(self, request: web.Request) -> web.Response:
        self.requests.append(("retrieve", dict(request.query)))
        if self.on_retrieve:
            self.on_retrieve.pop(0)()
        return web.json_response(job(self.status))


@pytest.fixture
async def service() -> AsyncIterator[tuple[Service, ftclient.FineTuningClient]]:
    state = Service()
    app = web.Application()
    app.router.add_get("/v1/fine_tuning/jobs/{job_id}", state.retrieve)
    app.router.add_get("/v1/fine_tuning/jobs/{job_id}/events", state.list_events)
    app.router.add_get("/v1/fine_tuning/jobs/{job_id}/checkpoints", state.list_checkpoints)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    async with ftclient.FineTuningClient(api_key="sk-test", base_url=url) as client:
        yield state, client
    await runner.cleanup()


def trained(state: Service, steps: int) -> None:
    """``steps`` metrics events, a message event every 50 steps, checkpoints at 100 and 200."""
    n = 0
    for step in range(1, steps + 1):
        n += 1
        loss = round(2.0 / step, 5)
        state.events.append(
            metrics_event(n, step, 1000 + step, train_loss=loss, train_mean_token_accuracy=0.5)
        )
        if step % 50 == 0:
            n += 1
            state.events.append(message_event(n, 1000 + step))
    state.checkpoints = [
        checkpoint(100, train_loss=0.02, valid_loss=0.5, full_valid_loss=0.41),
        checkpoint(200, train_loss=0.01, valid_loss=0.3, full_valid_loss=0.37, new_score=7),
    ]


async def test_metrics_reads_every_page_oldest_first_with_checkpoints_merged(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    trained(state, 250)
    # step 7 logged again later (a resumed job): the newer event's values win
    state.events.append(metrics_event(999, 7, 2000, train_loss=0.123, lr=0.5))
    # a metrics event whose data is not a point stays a mapping and is left out
    state.events.append(
        {**metrics_event(1000, 0, 2001), "data": {"step": "eight", "train_loss": 1}}
    )

    series = await client.jobs.metrics(JOB)

    assert isinstance(series, MetricSeries)
    assert series.steps == list(range(1, 251))  # one per step, oldest first
    assert series[6].train_loss == 0.123
    assert series[6].extra == {"lr": 0.5}
    assert series[0].train_loss == 2.0
    assert series[-1].train_loss == 0.008
    # checkpoint metrics merged in: the event's values kept, the full_valid ones added
    at_100 = series[99]
    assert (at_100.step, at_100.train_loss, at_100.full_valid_loss) == (100, 0.02, 0.41)
    assert at_100.valid_loss == 0.5
    assert series[98].full_valid_loss is None
    assert series[199].extra == {"new_score": 7}
    assert [c.step_number for c in series.checkpoints] == [100, 200]
    # 255 events + 2 odd ones = 257: three pages of 100; the checkpoints' one page
    events = [q for kind, q in state.requests if kind == "events"]
    assert [q.get("limit") for q in events] == ["100", "100", "100"]
    listed = sorted(state.events, key=lambda e: e["created_at"], reverse=True)
    assert [q.get("after") for q in events] == [None, listed[99]["id"], listed[199]["id"]]
    assert [q for kind, q in state.requests if kind == "checkpoints"] == [{"limit": "100"}]


async def test_to_rows_has_the_same_columns_in_every_row(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    trained(state, 200)
    rows = (await client.jobs.metrics(JOB)).to_rows()
    assert len(rows) == 200
    keys = list(rows[0])
    assert keys == [
        "step",
        "total_steps",
        "train_loss",
        "train_mean_token_accuracy",
        "valid_loss",
        "valid_mean_token_accuracy",
        "full_valid_loss",
        "full_valid_mean_token_accuracy",
        "new_score",
    ]
    assert all(list(row) == keys for row in rows)
    assert rows[199]["new_score"] == 7
    assert rows[0]["new_score"] is None
    assert rows[99]["full_valid_loss"] == 0.41
    assert rows[98]["valid_loss"] is None


async def test_a_checkpoint_without_an_event_still_gets_its_point(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    trained(state, 90)  # the events of steps 91..200 were never listed
    series = await client.jobs.metrics(JOB)
    assert series.steps == [*range(1, 91), 100, 200]
    assert (series[-1].step, series[-1].valid_loss, series[-1].full_valid_loss) == (200, 0.3, 0.37)
    assert series.total_steps == 250


async def test_a_job_without_metrics_gives_an_empty_series(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    state.events = [message_event(1, 1000)]
    series = await client.jobs.metrics(JOB)
    assert (len(series), series.to_rows(), series.sparkline()) == (0, [], "")


@pytest.mark.parametrize(
    ("by", "mode", "expected"),
    [
        ("valid_loss", None, 200),
        ("train_loss", None, 200),
        ("full_valid_loss", "max", 100),
        ("train_mean_token_accuracy", None, 100),  # a tie (0.9): the earlier step
        ("new_score", "max", 200),  # a metric this SDK does not model
    ],
)
async def test_best_checkpoint_by_any_metric(
    service: tuple[Service, ftclient.FineTuningClient], by: str, mode: str | None, expected: int
) -> None:
    state, client = service
    trained(state, 10)
    for c in state.checkpoints:
        c["metrics"]["train_mean_token_accuracy"] = 0.9
    best = await client.checkpoints.best(JOB, by=by, mode=mode)
    assert best is not None
    assert best.step_number == expected
    assert [kind for kind, _ in state.requests] == ["checkpoints"]


async def test_best_reads_every_checkpoint_page_and_says_none_when_no_one_has_it(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    state.checkpoints = [checkpoint(s, valid_loss=1.0 / s) for s in range(1, 151)]
    best = await client.checkpoints.best(JOB)  # valid_loss by default
    assert best is not None
    assert best.step_number == 150
    assert [q.get("after") for _, q in state.requests] == [None, "ftckpt-51"]
    assert await client.checkpoints.best(JOB, by="valid_mean_token_accuracy") is None


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"by": "perplexity"}, "mode"),  # neither loss nor accuracy: say which way
        ({"by": "valid_loss", "mode": "lowest"}, "mode"),
        ({"by": 3}, "by"),
    ],
)
async def test_best_refuses_bad_arguments_before_sending(
    service: tuple[Service, ftclient.FineTuningClient], kwargs: dict[str, Any], param: str
) -> None:
    state, client = service
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        await client.checkpoints.best(JOB, **kwargs)
    assert caught.value.param == param
    assert state.requests == []


async def test_follow_metrics_yields_each_step_once_in_order_however_late_it_is_listed(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    state.events = [metrics_event(1, 1, 1001, train_loss=1.0)]
    later = [
        # poll 1: steps 1, 2 and 4 listed; step 3 is stored a poll late, below step 4
        lambda: state.events.extend(
            [metrics_event(2, 2, 1002, train_loss=0.9), metrics_event(4, 4, 1004, train_loss=0.7)]
        ),
        lambda: state.events.append(metrics_event(3, 3, 1003, train_loss=0.8)),
        # poll 3: step 4 logged again, step 5, and the job ends
        lambda: (
            state.events.extend(
                [metrics_event(5, 4, 1005, train_loss=0.71), metrics_event(6, 5, 1006)]
            ),
            setattr(state, "status", "succeeded"),
        ),
    ]
    state.on_retrieve = later
    jobs: list[str] = []
    points = [
        point
        async for point in client.jobs.follow_metrics(
            JOB, poll_interval=FAST, settle=0, on_job=lambda j: jobs.append(str(j.status))
        )
    ]
    assert [p.step for p in points] == [1, 2, 3, 4, 5]
    assert all(isinstance(p, MetricPoint) for p in points)
    assert points[3].train_loss == 0.7  # the step-4 point yielded first; its repeat skipped
    assert jobs == ["running", "running", "succeeded"]


async def test_follow_metrics_does_not_stall_on_a_step_never_listed(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    state.events = [metrics_event(1, 1, 1001)]
    state.on_retrieve = [
        lambda: state.events.append(metrics_event(3, 3, 1003)),  # step 2 never comes
        lambda: state.events.append(metrics_event(4, 4, 1004)),
        lambda: setattr(state, "status", "succeeded"),
    ]
    seen: list[tuple[int, int]] = []
    async for point in client.jobs.follow_metrics(JOB, poll_interval=FAST, settle=0):
        retrieves = sum(1 for kind, _ in state.requests if kind == "retrieve")
        seen.append((point.step, retrieves))
    # step 3, listed at the first poll, waited for step 2 until the second; not for the end
    assert seen == [(1, 1), (3, 2), (4, 2)]


async def test_follow_metrics_refuses_bad_arguments_at_the_call(
    service: tuple[Service, ftclient.FineTuningClient],
) -> None:
    state, client = service
    with pytest.raises(ftclient.InvalidParameterError):
        client.jobs.follow_metrics("", poll_interval=FAST)
    with pytest.raises(ftclient.InvalidParameterError):
        client.jobs.follow_metrics(JOB, on_job=3)  # type: ignore[arg-type]
    with pytest.raises(ftclient.InvalidParameterError):
        await client.jobs.metrics(JOB, page_size=0)
    await asyncio.sleep(0)
    assert state.requests == []
