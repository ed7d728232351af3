"""``jobs.submit_many`` against a service whose list lags: one live job per spec, whoever submits.

Every test runs against :class:`FakeAPI` (which ignores the ``Idempotency-Key`` header, as a
server that does not honour it would) on a simulated clock: lags and quota waits of hours cost
no real time.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import ftclient
from ftclient.resources._submit import spec_key

from .fake_api import FakeAPI

Make = Callable[..., ftclient.FineTuningClient]
TAG = "ftclient_idempotency_key"


def specs(count: int, *, first: int = 0) -> list[dict[str, Any]]:
    return [
        {"model": "gpt-4o-mini", "training_file": f"file-{i}", "suffix": f"s{i}"}
        for i in range(first, first + count)
    ]


def live_by_key(api: FakeAPI) -> Counter[str]:
    return Counter(
        (j["metadata"] or {}).get(TAG) for j in api.jobs if j["status"] not in ("cancelled",)
    )


async def submit(client: ftclient.FineTuningClient, batch: Any, **options: Any) -> list[Any]:
    async with asyncio.timeout(30):  # a bound, never reached when the code is right
        return [done async for done in client.jobs.submit_many(batch, **options)]


@pytest.mark.parametrize("lag", [0.0, 3.0, 10.0])
async def test_two_workers_on_one_list_leave_one_live_job_per_spec(
    api: FakeAPI, make_client: Make, lag: float
) -> None:
    api.lag = lag
    batch = specs(6)
    first, second = await asyncio.gather(submit(make_client(), batch), submit(make_client(), batch))
    keys = {spec_key(s) for s in batch}
    assert live_by_key(api) == dict.fromkeys(keys, 1)
    assert all(d.ok for d in first + second)
    # both workers name the same job for each spec: the one kept
    assert {d.key: d.job.id for d in first} == {d.key: d.job.id for d in second}
    cancelled = [j for j in api.jobs if j["status"] == "cancelled"]
    assert all(j["_before"] == "validating_files" for j in cancelled)  # before it trained
    if lag:
        assert cancelled  # the lag made the race real: duplicates were made, then cancelled


async def test_a_rerun_sends_no_create_and_yields_the_jobs_made(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 5.0
    batch = specs(4)
    made = await submit(make_client(), batch)
    assert len(api.sent("create")) == 4
    api.clock.now += 60  # later: the list shows them
    again = await submit(make_client(), list(reversed(batch)))
    assert len(api.sent("create")) == 4  # nothing sent
    assert all(d.existing for d in again)
    assert {d.key: d.job.id for d in again} == {d.key: d.job.id for d in made}
    assert sorted(str(d.spec["suffix"]) for d in again) == ["s0", "s1", "s2", "s3"]


async def test_a_restart_after_an_unsettled_race_cancels_the_extra_job(
    api: FakeAPI, make_client: Make
) -> None:
    batch = specs(1)
    key = spec_key(batch[0])
    for _ in range(2):  # two workers made a job each, then crashed before settling
        api.add_job(metadata={TAG: key})
    [done] = await submit(make_client(), batch)
    assert done.existing
    assert done.job.id == api.jobs[0]["id"]
    assert [j["status"] for j in api.jobs] == ["validating_files", "cancelled"]
    assert api.sent("create") == []


async def test_a_spent_daily_quota_is_waited_for_not_failed(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["create"] = ["", "429:7200", "429:3600"]  # then the day's quota is back
    client = make_client()
    done = await submit(client, specs(3), concurrency=1)
    assert [d.ok for d in done] == [True, True, True]
    assert len(api.jobs) == 3
    assert 7200 in api.clock.slept
    assert 3600 in api.clock.slept


async def test_a_quota_beyond_the_timeout_is_each_waiting_specs_error(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["create"] = ["", "429:86400"]
    done = await submit(make_client(), specs(3), concurrency=1, timeout=600)
    assert [d.ok for d in done] == [True, False, False]
    assert all(isinstance(d.error, ftclient.FTClientError) for d in done[1:])
    assert len(api.sent("create")) == 2  # the third was never sent into a spent quota
    assert max(api.clock.slept, default=0) < 600


async def test_a_refusal_is_that_specs_result_and_the_others_go_on(
    api: FakeAPI, make_client: Make
) -> None:
    api.faults["create"] = ["", "status:400", ""]
    done = await submit(make_client(), specs(3), concurrency=1)
    assert [d.ok for d in done] == [True, False, True]
    assert isinstance(done[1].error, ftclient.BadRequestError)
    assert done[1].job is None
    assert done[1].spec["suffix"] == "s1"
    assert len(api.jobs) == 2


async def test_the_key_is_the_given_one_or_the_specs_content(
    api: FakeAPI, make_client: Make
) -> None:
    given = {"model": "gpt-4o-mini", "training_file": "file-a", "idempotency_key": "run-7/a"}
    same = {"training_file": "file-b", "model": "gpt-4o-mini"}
    [one, two] = await submit(make_client(), [given, same])
    assert one.key == "run-7/a"
    assert two.key == spec_key({"model": "gpt-4o-mini", "training_file": "file-b"})  # any order
    assert [s.body["metadata"][TAG] for s in api.sent("create")] == [one.key, two.key]
    assert [s.headers["Idempotency-Key"] for s in api.sent("create")] == [one.key, two.key]


@pytest.mark.parametrize(
    ("batch", "param"),
    [
        ("not specs", "specs"),
        ([{"model": "m"}], "specs[0].training_file"),
        ([{"model": "m", "training_file": "f", "epochs": 3}], "specs[0]"),
        ([{"model": "m", "training_file": "f"}] * 2, "specs[1]"),
        ([{"model": "m", "training_file": "f", "idempotency_key": ""}], "specs[0].idempotency_key"),
    ],
)
async def test_bad_specs_are_refused_before_anything_is_sent(
    api: FakeAPI, make_client: Make, batch: Any, param: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        make_client().jobs.submit_many(batch)
    assert info.value.param == param
    assert api.seen == []


async def test_no_more_jobs_of_the_call_are_active_at_once_than_max_active(
    api: FakeAPI, make_client: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    active_at_create: list[int] = []
    create, listing, retrieve = FakeAPI._create, FakeAPI._list, FakeAPI._retrieve

    def counting_create(self: FakeAPI, call: Any, **kw: Any) -> Any:
        active_at_create.append(sum(j["status"] == "validating_files" for j in self.jobs))
        return create(self, call, **kw)

    def finishing_list(self: FakeAPI, call: Any, **kw: Any) -> Any:
        if not any(k.startswith("metadata[") for k in call.query):  # a poll: one job ends
            for job in self.jobs:
                if job["status"] == "validating_files":
                    job["status"] = "succeeded"
                    break
        return listing(self, call, **kw)

    def finishing_retrieve(self: FakeAPI, call: Any, **kw: Any) -> Any:
        self._job(call)["status"] = "succeeded"
        return retrieve(self, call, **kw)

    monkeypatch.setattr(FakeAPI, "_create", counting_create)
    monkeypatch.setattr(FakeAPI, "_list", finishing_list)
    monkeypatch.setattr(FakeAPI, "_retrieve", finishing_retrieve)
    done = await submit(make_client(), specs(6), max_active=2, concurrency=4, poll_interval=0.001)
    assert all(d.ok for d in done)
    assert len(api.jobs) == 6
    assert len(active_at_create) == 6
    assert max(active_at_create) <= 1


async def test_four_workers_on_overlapping_shards_one_killed_half_way(
    api: FakeAPI, make_client: Make
) -> None:
    api.lag = 4.0
    total = 40
    batch = specs(total)
    shards = [[batch[(w * 10 + n) % total] for n in range(20)] for w in range(4)]

    async def killed_half_way() -> None:
        seen = 0
        async for _ in make_client().jobs.submit_many(shards[0]):
            seen += 1
            if seen == 10:
                return  # dropped mid-way: its workers are cancelled, creates in flight too

    await asyncio.gather(killed_half_way(), *(submit(make_client(), s) for s in shards[1:]))
    api.clock.now += 60
    restarted = await submit(make_client(), shards[0])
    assert all(d.ok for d in restarted)
    assert live_by_key(api) == dict.fromkeys((spec_key(s) for s in batch), 1)
