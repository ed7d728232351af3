"""Job creation, the simulated lifecycle, transitions and failures."""

from __future__ import annotations

import statistics

import pytest

from ftclient.testing import FineTuningEmulator
from tests.emulator.conftest import Api, seg


async def test_create_defaults(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    assert job["object"] == "fine_tuning.job"
    assert job["id"].startswith("ftjob-")
    assert job["status"] == "validating_files"
    assert job["organization_id"] == "org-emulator"
    assert job["created_at"] == int(emu.clock.now())
    assert job["method"] == {
        "type": "supervised",
        "supervised": {
            "hyperparameters": {
                "batch_size": "auto",
                "learning_rate_multiplier": "auto",
                "n_epochs": "auto",
            }
        },
    }
    assert job["hyperparameters"] == job["method"]["supervised"]["hyperparameters"]
    for field in ("fine_tuned_model", "finished_at", "trained_tokens", "estimated_finish"):
        assert job[field] is None
    assert job["result_files"] == []
    assert isinstance(job["seed"], int)
    assert job["metadata"] is None
    assert emu.requests[-1].json == {"model": "gpt-4o-mini", "training_file": "file-abc123"}


async def test_create_echoes_request_fields(api: Api) -> None:
    job = await api.create_job(
        suffix="weather",
        seed=42,
        validation_file="file-val",
        metadata={"team": "ml"},
        integrations=[{"type": "wandb", "wandb": {"project": "p", "tags": ["a"]}}],
        unknown_field="ignored like the real API",
    )
    assert job["seed"] == 42
    assert job["validation_file"] == "file-val"
    assert job["metadata"] == {"team": "ml"}
    assert job["integrations"] == [
        {"type": "wandb", "wandb": {"project": "p", "name": None, "entity": None, "tags": ["a"]}}
    ]
    assert "unknown_field" not in job


@pytest.mark.parametrize(
    ("method", "keys"),
    [
        ({"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2}}}, {"beta"}),
        (
            {
                "type": "reinforcement",
                "reinforcement": {
                    "grader": {
                        "type": "string_check",
                        "name": "exact",
                        "input": "{{sample.output_text}}",
                        "reference": "{{item.label}}",
                        "operation": "eq",
                    }
                },
            },
            {"reasoning_effort", "compute_multiplier", "eval_interval", "eval_samples"},
        ),
    ],
)
async def test_other_methods(api: Api, emu: FineTuningEmulator, method: dict, keys: set) -> None:
    job = await api.create_job(method=method)
    kind = method["type"]
    assert job["method"]["type"] == kind
    assert keys <= set(job["method"][kind]["hyperparameters"])
    emu.clock.advance(20)
    running = await api.job(job["id"])
    assert running["status"] == "running"
    resolved = running["method"][kind]["hyperparameters"]
    assert "auto" not in resolved.values()
    if kind == "dpo":
        assert resolved["beta"] == 0.2
    else:
        assert running["method"]["reinforcement"]["grader"]["name"] == "exact"


async def test_legacy_hyperparameters_become_supervised(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job(hyperparameters={"n_epochs": 2, "batch_size": 4})
    hyper = job["method"]["supervised"]["hyperparameters"]
    assert hyper == {"batch_size": 4, "learning_rate_multiplier": "auto", "n_epochs": 2}
    emu.clock.advance(3600)
    done = await api.job(job["id"])
    assert done["hyperparameters"]["n_epochs"] == 2
    assert done["hyperparameters"]["batch_size"] == 4
    checkpoints = await api.get(f"/fine_tuning/jobs/{job['id']}/checkpoints")
    assert len(checkpoints.body["data"]) == 2


async def test_full_lifecycle(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job(suffix="demo", validation_file="file-val")
    job_id = job["id"]
    statuses = []
    for _ in range(400):
        current = await api.job(job_id)
        statuses.append(current["status"])
        if current["status"] == "running":
            assert current["estimated_finish"] > emu.clock.now() - 1
        if current["status"] == "succeeded":
            break
        emu.clock.advance(2.5)
    assert list(dict.fromkeys(statuses)) == ["validating_files", "queued", "running", "succeeded"]
    done = current
    assert done["fine_tuned_model"].startswith("ft:gpt-4o-mini:emulator:demo:")
    assert done["finished_at"] >= done["created_at"]
    assert done["trained_tokens"] > 0
    assert len(done["result_files"]) == 1
    assert done["result_files"][0].startswith("file-")
    assert done["estimated_finish"] is None
    assert done["hyperparameters"]["n_epochs"] == 3

    events = await api.all_pages(f"/fine_tuning/jobs/{job_id}/events", limit=100)
    times = [event["created_at"] for event in events]
    assert times == sorted(times, reverse=True), "events are listed newest first"
    messages = [event["message"] for event in reversed(events)]
    assert messages[0] == f"Created fine-tuning job: {job_id}"
    assert messages[1] == "Validating training file: file-abc123 and validation file: file-val"
    assert "Files validated, moving job to queued state" in messages
    assert "Fine-tuning job started" in messages
    assert messages[-2] == f"New fine-tuned model created: {done['fine_tuned_model']}"
    assert messages[-1] == "The job has successfully completed"

    metrics = [event for event in reversed(events) if event["type"] == "metrics"]
    total = metrics[0]["data"]["total_steps"]
    assert [m["data"]["step"] for m in metrics] == list(range(1, total + 1))
    assert metrics[0]["message"].startswith(f"Step 1/{total}: training loss=")
    losses = [m["data"]["train_loss"] for m in metrics]
    third = total // 3
    assert statistics.mean(losses[:third]) > statistics.mean(losses[-third:]) * 1.5
    for m in metrics:
        assert {"valid_loss", "valid_mean_token_accuracy", "train_mean_token_accuracy"} <= set(
            m["data"]
        )
        assert 0 < m["data"]["train_mean_token_accuracy"] < 1

    checkpoints = (await api.get(f"/fine_tuning/jobs/{job_id}/checkpoints")).body
    steps = [c["step_number"] for c in checkpoints["data"]]
    per_epoch = total // 3
    assert steps == [3 * per_epoch, 2 * per_epoch, per_epoch]
    assert checkpoints["first_id"] == checkpoints["data"][0]["id"]
    assert checkpoints["last_id"] == checkpoints["data"][-1]["id"]
    newest = checkpoints["data"][0]
    assert newest["fine_tuned_model_checkpoint"] == (
        f"{done['fine_tuned_model']}:ckpt-step-{newest['step_number']}"
    )
    assert newest["metrics"]["step"] == newest["step_number"]
    assert "full_valid_loss" in newest["metrics"]
    assert sum(1 for msg in messages if msg.startswith("Checkpoint created at step")) == 3


async def test_timings(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(4.9)
    assert (await api.job(job["id"]))["status"] == "validating_files"
    emu.clock.advance(0.1)
    assert (await api.job(job["id"]))["status"] == "queued"
    emu.clock.advance(10)
    assert (await api.job(job["id"]))["status"] == "running"


async def test_deterministic_per_seed() -> None:
    async def history(seed: int) -> list:
        async with FineTuningEmulator(seed=seed, clock=None) as emulator:
            from ftclient.testing._jobspec import parse_create_request

            job = emulator.state.create_job(
                parse_create_request({"model": "m", "training_file": "file-x", "seed": 7}),
                emulator.clock.now(),
            )
            emulator.clock.advance(5000)
            job.sync(emulator.clock.now())
            return [(e["message"], e["data"]) for e in job.events]

    first, again = await history(1), await history(1)
    assert first == again
    assert len(first) > 30


async def test_training_file_with_fail_fails_validation(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job(training_file="file-fail-bad-format")
    emu.clock.advance(30)
    failed = await api.job(job["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "invalid_training_file"
    assert failed["error"]["param"] == "training_file"
    assert failed["finished_at"] == failed["created_at"] + 5
    events = (await api.get(f"/fine_tuning/jobs/{job['id']}/events")).body["data"]
    assert events[0]["level"] == "error"


async def test_fail_job_helper(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(30)
    failed = emu.fail_job(job["id"], code="exceeded_quota", message="Out of credits.")
    assert failed["status"] == "failed"
    assert (await api.job(job["id"]))["error"] == {
        "code": "exceeded_quota",
        "message": "Out of credits.",
        "param": None,
    }
    with pytest.raises(ValueError, match="status is 'failed'"):
        emu.fail_job(job["id"])
    with pytest.raises(KeyError):
        emu.fail_job("ftjob-missing")


async def test_pause_resume_does_not_count_paused_time(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(20)
    paused = await api.post(f"/fine_tuning/jobs/{seg(job['id'])}/pause")
    assert paused.status == 200
    assert paused.body["status"] == "paused"
    assert paused.body["estimated_finish"] is None
    step_before = emu.jobs[job["id"]].step
    emu.clock.advance(10_000)
    assert (await api.job(job["id"]))["status"] == "paused"
    assert emu.jobs[job["id"]].step == step_before
    resumed = await api.post(f"/fine_tuning/jobs/{job['id']}/resume")
    assert resumed.body["status"] == "running"
    emu.clock.advance(1)
    await api.job(job["id"])
    assert emu.jobs[job["id"]].step == step_before + 1
    messages = [
        e["message"] for e in (await api.get(f"/fine_tuning/jobs/{job['id']}/events")).body["data"]
    ]
    assert "Fine-tuning job paused" in messages
    assert "Fine-tuning job resumed" in messages


@pytest.mark.parametrize(
    ("advance", "action", "status"),
    [
        (0, "pause", "validating_files"),
        (6, "pause", "queued"),
        (20, "resume", "running"),
        (10_000, "cancel", "succeeded"),
        (10_000, "pause", "succeeded"),
    ],
)
async def test_invalid_transitions(
    api: Api, emu: FineTuningEmulator, advance: float, action: str, status: str
) -> None:
    job = await api.create_job()
    emu.clock.advance(advance)
    reply = await api.post(f"/fine_tuning/jobs/{job['id']}/{action}")
    assert reply.status == 400
    assert reply.error["code"] == "invalid_state"
    assert repr(status) in reply.error["message"]


@pytest.mark.parametrize("advance", [0, 6, 20])
async def test_cancel(api: Api, emu: FineTuningEmulator, advance: float) -> None:
    job = await api.create_job()
    emu.clock.advance(advance)
    reply = await api.post(f"/fine_tuning/jobs/{job['id']}/cancel")
    assert reply.body["status"] == "cancelled"
    emu.clock.advance(10_000)
    after = await api.job(job["id"])
    assert after["status"] == "cancelled"
    assert after["fine_tuned_model"] is None
    again = await api.post(f"/fine_tuning/jobs/{job['id']}/cancel")
    assert again.status == 400


async def test_cancel_paused_job(api: Api, emu: FineTuningEmulator) -> None:
    job = await api.create_job()
    emu.clock.advance(20)
    await api.post(f"/fine_tuning/jobs/{job['id']}/pause")
    assert (await api.post(f"/fine_tuning/jobs/{job['id']}/cancel")).body["status"] == "cancelled"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"training_file": "file-a"}, "model"),
        ({"model": "gpt-4o-mini"}, "training_file"),
        ({"model": "gpt-4o-mini", "training_file": ""}, "training_file"),
        ({"model": 3, "training_file": "f"}, "model"),
        ({"model": "m", "training_file": "f", "suffix": ""}, "suffix"),
        ({"model": "m", "training_file": "f", "suffix": "x" * 65}, "suffix"),
        ({"model": "m", "training_file": "f", "seed": -1}, "seed"),
        ({"model": "m", "training_file": "f", "metadata": {"k": 1}}, "metadata.k"),
        (
            {"model": "m", "training_file": "f", "metadata": {f"k{i}": "v" for i in range(17)}},
            "metadata",
        ),
        ({"model": "m", "training_file": "f", "metadata": {"k" * 65: "v"}}, "metadata." + "k" * 65),
        ({"model": "m", "training_file": "f", "metadata": {"k": "v" * 513}}, "metadata.k"),
        (
            {
                "model": "m",
                "training_file": "f",
                "method": {
                    "type": "supervised",
                    "supervised": {"hyperparameters": {"n_epochs": 0}},
                },
            },
            "method.supervised.hyperparameters.n_epochs",
        ),
        ({"model": "m", "training_file": "f", "method": {"type": "magic"}}, "method.type"),
        (
            {"model": "m", "training_file": "f", "method": {"type": "reinforcement"}},
            "method.reinforcement.grader",
        ),
        (
            {
                "model": "m",
                "training_file": "f",
                "integrations": [{"type": "wandb", "wandb": {"name": "no project"}}],
            },
            "integrations[0].wandb.project",
        ),
    ],
)
async def test_bad_create_requests_name_the_field(
    api: Api, emu: FineTuningEmulator, body: dict, param: str
) -> None:
    reply = await api.post("/fine_tuning/jobs", body)
    assert reply.status == 400, reply
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["param"] == param
    assert reply.error["code"]
    assert emu.jobs == {}


async def test_blocks_for_other_methods_are_accepted_and_ignored(api: Api) -> None:
    # openai-python's own test sends every block with type "supervised"; the spec allows it.
    method = {
        "type": "supervised",
        "supervised": {"hyperparameters": {"n_epochs": 3}},
        "dpo": {"hyperparameters": {"beta": 0.5}},
        "reinforcement": {"grader": {"type": "python", "name": "p", "source": "x = ("}},
    }
    reply = await api.post(
        "/fine_tuning/jobs", {"model": "m", "training_file": "f", "method": method}
    )
    assert reply.status == 200, reply
    assert reply.body["method"]["type"] == "supervised"
    assert reply.body["method"]["supervised"]["hyperparameters"]["n_epochs"] == 3
    assert "dpo" not in reply.body["method"]


async def test_method_hyperparameters_win_and_top_level_ones_fill_in(api: Api) -> None:
    body = {
        "model": "m",
        "training_file": "f",
        "hyperparameters": {"n_epochs": 2, "batch_size": 8},
        "method": {"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 3}}},
    }
    reply = await api.post("/fine_tuning/jobs", body)
    assert reply.status == 200, reply
    hyper = reply.body["method"]["dpo"]["hyperparameters"]
    assert (hyper["n_epochs"], hyper["batch_size"], hyper["beta"]) == (3, 8, "auto")


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1, 2]", b'{"model": NaN}'])
async def test_unparseable_bodies(api: Api, raw: bytes) -> None:
    reply = await api.request(
        "POST", "/fine_tuning/jobs", data=raw, headers={"Content-Type": "application/json"}
    )
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"


async def test_unknown_job_is_404(api: Api) -> None:
    for path in ("", "/events", "/checkpoints"):
        reply = await api.get(f"/fine_tuning/jobs/ftjob-nope{path}")
        assert reply.status == 404
        assert reply.error["param"] == "fine_tuning_job_id"
        assert reply.error["code"] == "not_found"
    for action in ("cancel", "pause", "resume"):
        reply = await api.post(f"/fine_tuning/jobs/ftjob-nope/{action}")
        assert reply.status == 404
