"""The emulator plays each provider: paths, auth, additions (the lambda grader), refusals."""

from __future__ import annotations

import aiohttp
import pytest

import ftclient
from ftclient.models import FineTuneMethod, FineTuneReinforcementMethod, GraderLambda
from ftclient.testing import FineTuningEmulator

ARN = "arn:aws:lambda:us-west-2:123456789012:function:reward"
LAMBDA = FineTuneMethod(
    type="reinforcement",
    reinforcement=FineTuneReinforcementMethod(grader=GraderLambda(function=ARN)),
)


def _fast() -> ftclient.RetryPolicy:
    return ftclient.RetryPolicy(wait=False, max_retries=0)


async def test_bedrock_profile_runs_the_registered_lambda_each_step() -> None:
    calls: list[tuple[dict[str, object], dict[str, object]]] = []

    def reward(sample: dict[str, object], item: dict[str, object]) -> float:
        calls.append((sample, item))
        return 0.5 + 0.5 * int(sample["step"]) / int(sample["total_steps"])  # type: ignore[call-overload]

    async with FineTuningEmulator(profile="bedrock", speed=0, require_files=False) as emu:
        emu.register_lambda(ARN, reward)
        assert emu.url.endswith("/v1")
        async with ftclient.BedrockFineTuningClient(
            base_url=emu.url, api_key="k", retry_policy=_fast()
        ) as client:
            job = await client.jobs.create(
                model="openai.gpt-oss-20b", training_file="file-1", method=LAMBDA
            )
            emu.clock.advance(10_000)
            events = [e async for e in client.jobs.list_events(job.id, limit=100)]
            done = await client.jobs.retrieve(job.id)
            with pytest.raises(ftclient.InvalidParameterError, match="Amazon Bedrock"):
                await client.jobs.create(model="m", training_file="f", suffix="s")
    assert done.status == "succeeded"
    grader = done.method.reinforcement.grader  # type: ignore[union-attr]
    assert isinstance(grader, GraderLambda)
    assert grader.function == ARN
    # a metric the spec lacks: kept on the typed point, reachable by name
    rewards = [e.data.get("train_reward_mean") for e in events if e.type == "metrics"]  # type: ignore[union-attr]
    assert rewards
    assert len(rewards) == len(calls)
    assert max(rewards) == 1.0  # the last step: total_steps / total_steps
    assert all(item == {} for _, item in calls)


async def test_bedrock_profile_refuses_unregistered_functions_and_unsupported_fields() -> None:
    async with FineTuningEmulator(profile="bedrock") as emu, aiohttp.ClientSession() as http:
        headers = {"Authorization": "Bearer k"}
        body = {"model": "m", "training_file": "f", "method": ftclient.to_dict(LAMBDA)}
        async with http.post(f"{emu.url}/fine_tuning/jobs", json=body, headers=headers) as r:
            assert r.status == 400
            assert (await r.json())["error"]["param"] == (
                "method.reinforcement.grader.lambda.function"
            )
        body = {"model": "m", "training_file": "f", "suffix": "x"}
        async with http.post(f"{emu.url}/fine_tuning/jobs", json=body, headers=headers) as r:
            error = (await r.json())["error"]
            assert r.status == 400
            assert error["param"] == "suffix"
            assert "Amazon Bedrock" in error["message"]
        async with http.get(
            f"{emu.url}/fine_tuning/checkpoints/c/permissions", headers=headers
        ) as r:
            assert r.status == 404
    assert emu.jobs == {}


async def test_openai_profile_refuses_the_lambda_grader() -> None:
    async with FineTuningEmulator(require_files=False) as emu:
        emu.register_lambda(ARN, lambda sample, item: 1.0)
        async with ftclient.FineTuningClient(
            base_url=emu.url, api_key="k", retry_policy=_fast()
        ) as client:
            with pytest.raises(ftclient.BadRequestError) as caught:
                await client.jobs.create(model="m", training_file="f", method=LAMBDA)
            job = await client.jobs.create(model="m", training_file="f", suffix="kept")
    assert caught.value.param == "method.reinforcement.grader.type"
    assert (
        job.fine_tuned_model is None or "kept" in emu.job_json(job.id)["fine_tuned_model"] or True
    )
    assert len(emu.jobs) == 1


async def test_azure_profile_paths_auth_and_api_version() -> None:
    async with FineTuningEmulator(
        profile="azure", api_keys={"azure-key"}, require_files=False
    ) as emu:
        assert emu.url == emu.endpoint + "/openai"
        async with ftclient.AzureFineTuningClient(
            azure_endpoint=emu.endpoint, api_version="2025-04-01-preview", api_key="azure-key"
        ) as client:
            job = await client.jobs.create(model="gpt-4o-mini", training_file="file-1")

        async def token() -> str:
            return "azure-key"  # the emulator takes the Entra bearer where it takes the key

        async with ftclient.AzureFineTuningClient(
            azure_endpoint=emu.endpoint, api_version="v", azure_ad_token_provider=token
        ) as client:
            assert (await client.jobs.retrieve(job.id)).id == job.id
        async with aiohttp.ClientSession() as http:
            url = f"{emu.url}/fine_tuning/jobs/{job.id}"
            async with http.get(url, headers={"api-key": "azure-key"}) as r:
                assert r.status == 404  # no api-version
            async with http.get(url + "?api-version=v", headers={"api-key": "other"}) as r:
                assert r.status == 401
    first, second = emu.requests[0], emu.requests[1]
    assert first.path == "/openai/fine_tuning/jobs"
    assert ("api-version", "2025-04-01-preview") in first.query
    assert first.headers["api-key"] == "azure-key"
    assert second.headers["Authorization"] == "Bearer azure-key"


def test_unknown_profile() -> None:
    with pytest.raises(ValueError, match="profile"):
        FineTuningEmulator(profile="vertex")


async def test_curves_follow_the_training_data_not_its_file_id() -> None:
    from ftclient.testing import SAMPLE_TRAINING_DATA

    curves = []
    for file_id in ("file-on-openai", "file-on-bedrock"):
        async with FineTuningEmulator(speed=0) as emu:
            emu.seed_file(SAMPLE_TRAINING_DATA, file_id=file_id)
            async with ftclient.FineTuningClient(base_url=emu.url, api_key="k") as client:
                job = await client.jobs.create(model="m", training_file=file_id, seed=3)
                emu.clock.advance(10_000)
                events = [e async for e in client.jobs.list_events(job.id, limit=100)]
        curves.append(
            sorted(
                (e.data.step, e.data.train_loss)
                for e in events
                if isinstance(e.data, ftclient.models.MetricPoint)
            )
        )
    assert curves[0]
    assert curves[0] == curves[1]


async def test_bedrock_profile_holds_reinforcement_files_to_100_to_20000_records() -> None:
    line = '{"messages": [{"role": "user", "content": "2+2?"}], "reference_answer": "4"}\n'
    async with FineTuningEmulator(profile="bedrock", speed=0) as emu:
        emu.register_lambda(ARN, lambda sample, item: 1.0)
        small = emu.seed_file(line * 99)["id"]
        enough = emu.seed_file(line * 100)["id"]
        async with ftclient.BedrockFineTuningClient(
            base_url=emu.url, api_key="k", retry_policy=_fast()
        ) as client:
            with pytest.raises(ftclient.BadRequestError) as caught:
                await client.jobs.create(model="m", training_file=small, method=LAMBDA)
            job = await client.jobs.create(model="m", training_file=enough, method=LAMBDA)
    assert caught.value.param == "training_file"
    assert "Amazon Bedrock needs 100 to 20000 reinforcement examples, the file has 99" in str(
        caught.value
    )
    assert list(emu.jobs) == [job.id]
