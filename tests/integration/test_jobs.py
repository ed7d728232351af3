"""Jobs end to end against the emulator: what was sent and what came back."""

from __future__ import annotations

import json

import pytest

import ftclient
from ftclient.models import FineTuneMethod, FineTuningJob, FineTuningJobStatus, MetricPoint
from ftclient.testing import FineTuningEmulator

from .helpers import finished_job, sent


async def test_create_sends_the_body_and_returns_a_typed_job(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(
        model="gpt-4o-mini",
        training_file="file-train",
        validation_file="file-valid",
        suffix="my-model",
        seed=42,
        metadata={"team": "search"},
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
    )
    assert isinstance(job, FineTuningJob)
    assert job.id.startswith("ftjob-")
    assert job.status == FineTuningJobStatus.VALIDATING_FILES
    assert (job.model, job.training_file, job.validation_file, job.seed) == (
        "gpt-4o-mini",
        "file-train",
        "file-valid",
        42,
    )
    assert job.metadata is not None
    user_metadata = dict(job.metadata)
    key = user_metadata.pop("ftclient_idempotency_key")
    assert user_metadata == {"team": "search"}
    [request] = sent(emulator, "createFineTuningJob")
    assert request.headers["Idempotency-Key"] == key
    assert request.method == "POST"
    assert request.headers["Authorization"] == "Bearer sk-test-key"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("ftclient/")
    assert json.loads(request.body) == {
        "model": "gpt-4o-mini",
        "training_file": "file-train",
        "validation_file": "file-valid",
        "suffix": "my-model",
        "seed": 42,
        "metadata": {"team": "search", "ftclient_idempotency_key": key},
        "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
    }


async def test_create_accepts_model_instances(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    from ftclient.models import FineTuneDPOHyperparameters, FineTuneDPOMethod

    method = FineTuneMethod(
        type="dpo", dpo=FineTuneDPOMethod(hyperparameters=FineTuneDPOHyperparameters(beta=0.1))
    )
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t", method=method)
    assert job.method is not None
    assert job.method.type == "dpo"
    [request] = sent(emulator, "createFineTuningJob")
    assert json.loads(request.body)["method"] == {
        "type": "dpo",
        "dpo": {"hyperparameters": {"beta": 0.1}},
    }


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        (
            {"method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 99}}}},
            "method.supervised.hyperparameters.n_epochs",
        ),
        ({"method": {"type": "unsupervised"}}, "method.type"),
        (
            {"integrations": [{"type": "wandb", "wandb": {"name": "x"}}]},
            "integrations[0].wandb.project",
        ),
        ({"seed": -1}, "seed"),
        ({"suffix": ""}, "suffix"),
        ({"suffix": "x" * 65}, "suffix"),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
        ({"metadata": {"k": "v" * 513}}, "metadata['k']"),
        ({"hyperparameters": {"batch_size": 0}}, "hyperparameters.batch_size"),
        ({"training_file": 7}, "training_file"),
    ],
)
async def test_bad_input_is_refused_before_any_request(
    client: ftclient.FineTuningClient,
    emulator: FineTuningEmulator,
    kwargs: dict[str, object],
    param: str,
) -> None:
    args: dict[str, object] = {"model": "gpt-4o-mini", "training_file": "file-t", **kwargs}
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await client.jobs.create(**args)  # type: ignore[arg-type]
    assert info.value.param == param
    assert isinstance(info.value, ValueError)
    assert emulator.requests == []


async def test_retrieve_and_lifecycle_to_success(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    done = await finished_job(client, emulator, suffix="demo")
    assert done.is_terminal
    assert done.fine_tuned_model is not None
    assert done.fine_tuned_model.startswith("ft:gpt-4o-mini")
    assert done.finished_at is not None
    assert done.trained_tokens is not None
    assert done.trained_tokens > 0
    assert done.result_files
    [request] = sent(emulator, "retrieveFineTuningJob")
    assert request.path == f"/v1/fine_tuning/jobs/{done.id}"


async def test_pause_resume_and_cancel(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    job = await client.jobs.create(model="gpt-4o-mini", training_file="file-t")
    for _ in range(100):
        if (await client.jobs.retrieve(job.id)).status == "running":
            break
        emulator.clock.advance(5)
    paused = await client.jobs.pause(job.id)
    # "paused" is not in the spec's status enum, and must survive anyway
    assert paused.status == "paused"
    assert str(paused.status) == "paused"
    resumed = await client.jobs.resume(job.id)
    assert resumed.status == "running"
    cancelled = await client.jobs.cancel(job.id)
    assert cancelled.status == "cancelled"
    assert cancelled.is_terminal
    with pytest.raises(ftclient.BadRequestError) as info:
        await client.jobs.resume(job.id)
    assert info.value.status == 400
    assert info.value.request_id is not None
    assert [r.path.rsplit("/", 1)[1] for r in emulator.requests if r.method == "POST"][1:] == [
        "pause",
        "resume",
        "cancel",
        "resume",
    ]


async def test_list_paginates_newest_first_with_cursors(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    created = []
    for i in range(7):
        created.append(
            (await client.jobs.create(model="gpt-4o-mini", training_file=f"file-{i}")).id
        )
        emulator.clock.advance(1)
    listed = [job.id async for job in client.jobs.list(limit=3)]
    assert listed == list(reversed(created))
    requests = sent(emulator, "listPaginatedFineTuningJobs")
    assert [dict(r.query) for r in requests] == [
        {"limit": "3"},
        {"limit": "3", "after": listed[2]},
        {"limit": "3", "after": listed[5]},
    ]
    first_page = await client.jobs.list(limit=2)
    assert [j.id for j in first_page.data] == listed[:2]
    assert first_page.has_more is True


async def test_list_filters_by_metadata_and_by_no_metadata(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    tagged = await client.jobs.create(
        model="gpt-4o-mini", training_file="file-a", metadata={"team": "a", "env": "prod"}
    )
    await client.jobs.create(model="gpt-4o-mini", training_file="file-b", metadata={"team": "b"})
    bare = await client.jobs.create(model="gpt-4o-mini", training_file="file-c", deduplicate=False)
    found = [j.id async for j in client.jobs.list(metadata={"team": "a", "env": "prod"})]
    assert found == [tagged.id]
    without = [j.id async for j in client.jobs.list(metadata=ftclient.NO_METADATA)]
    assert without == [bare.id]
    queries = [r.query for r in sent(emulator, "listPaginatedFineTuningJobs")]
    assert queries[0] == [("metadata[team]", "a"), ("metadata[env]", "prod")]
    assert queries[1] == [("metadata", "null")]


async def test_list_events_walks_every_page(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    done = await finished_job(client, emulator)
    everything = [e async for e in client.jobs.list_events(done.id, limit=100)]
    paged = [e async for e in client.jobs.list_events(done.id, limit=7)]
    assert len(everything) > 21
    assert [e.id for e in paged] == [e.id for e in everything]
    assert len({e.id for e in paged}) == len(paged)
    created = [e.created_at for e in paged]
    assert created == sorted(created, reverse=True)
    metrics = [e for e in paged if e.type == "metrics"]
    assert metrics
    assert isinstance(metrics[0].data, MetricPoint)
    assert metrics[0].data.train_loss is not None
    assert ftclient.to_dict(metrics[0].data)["train_loss"] == metrics[0].data.train_loss
    pages = [p async for p in client.jobs.list_events(done.id, limit=7).pages()]
    assert sum(len(p.data) for p in pages) == len(everything)
    assert pages[-1].has_more is False


async def test_unknown_job_is_not_found_with_request_id(client: ftclient.FineTuningClient) -> None:
    with pytest.raises(ftclient.NotFoundError) as info:
        await client.jobs.retrieve("ftjob-missing")
    err = info.value
    assert err.status == 404
    assert err.request_id is not None
    assert err.request_id.startswith("req_")
    assert err.message
    assert "sk-test-key" not in str(err)


async def test_ids_are_percent_encoded_and_cannot_reach_another_endpoint(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    for hostile in ["../jobs", "a/b", "x?limit=1", "y#z", "sp ace", "..", "ünï"]:
        with pytest.raises(ftclient.NotFoundError):
            await client.jobs.retrieve(hostile)
    paths = [r.path for r in emulator.requests]
    assert all(p.startswith("/v1/fine_tuning/jobs/") and p.count("/") == 4 for p in paths), paths
    assert {r.operation_id for r in emulator.requests} == {"retrieveFineTuningJob"}
