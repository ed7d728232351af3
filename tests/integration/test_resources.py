"""Checkpoints, permissions and graders end to end against the emulator."""

from __future__ import annotations

import json

import pytest

import ftclient
from ftclient.models import GraderStringCheck, RunGraderResponse
from ftclient.testing import FineTuningEmulator

from .helpers import finished_job, sent


async def test_checkpoints_list_with_first_and_last_ids(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    done = await finished_job(client, emulator)
    checkpoints = await client.checkpoints.list(done.id).to_list()
    assert len(checkpoints) >= 2
    steps = [c.step_number for c in checkpoints]
    assert steps == sorted(steps, reverse=True)
    assert all(c.fine_tuning_job_id == done.id for c in checkpoints)
    assert all(":ckpt-step-" in c.fine_tuned_model_checkpoint for c in checkpoints)
    assert checkpoints[0].metrics.train_loss is not None
    first = await client.checkpoints.list(done.id, limit=1)
    assert first.first_id == first.last_id == checkpoints[0].id
    assert first.has_more is True
    paged = [c.id async for c in client.checkpoints.list(done.id, limit=1)]
    assert paged == [c.id for c in checkpoints]
    queries = [dict(r.query) for r in sent(emulator, "listFineTuningJobCheckpoints")]
    assert queries[-1] == {"limit": "1", "after": checkpoints[-2].id}


async def test_permissions_grant_list_and_revoke(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    done = await finished_job(client, emulator)
    [checkpoint, *_] = await client.checkpoints.list(done.id).to_list()
    name = checkpoint.fine_tuned_model_checkpoint
    created = await client.permissions.create(name, project_ids=["proj-a", "proj-b", "proj-c"])
    assert sorted(p.project_id for p in created.data) == ["proj-a", "proj-b", "proj-c"]
    [request] = sent(emulator, "createFineTuningCheckpointPermission")
    assert json.loads(request.body) == {"project_ids": ["proj-a", "proj-b", "proj-c"]}
    assert request.path == f"/v1/fine_tuning/checkpoints/{name}/permissions"

    listed = [p async for p in client.permissions.list(name, limit=2)]
    assert len(listed) == 3
    ascending = [p async for p in client.permissions.list(name, order="ascending")]
    assert [p.id for p in ascending] == [p.id for p in reversed(listed)]
    only_b = [p async for p in client.permissions.list(name, project_id="proj-b")]
    assert [p.project_id for p in only_b] == ["proj-b"]

    deleted = await client.permissions.delete(name, only_b[0].id)
    assert deleted.deleted is True
    assert deleted.id == only_b[0].id
    remaining = [p.project_id async for p in client.permissions.list(name)]
    assert sorted(remaining) == ["proj-a", "proj-c"]
    with pytest.raises(ftclient.NotFoundError):
        await client.permissions.delete(name, only_b[0].id)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"project_ids": []}, "project_ids"),
        ({"project_ids": "proj-a"}, "project_ids"),
        ({"project_ids": ["ok", ""]}, "project_ids[1]"),
    ],
)
async def test_permission_input_is_checked_first(
    client: ftclient.FineTuningClient,
    emulator: FineTuningEmulator,
    kwargs: dict[str, object],
    param: str,
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await client.permissions.create("ft:x:ckpt-step-1", **kwargs)  # type: ignore[arg-type]
    assert info.value.param == param
    with pytest.raises(ftclient.InvalidParameterError, match="order"):
        client.permissions.list("ft:x", order="sideways")
    assert emulator.requests == []


async def test_unknown_checkpoint_is_not_found(client: ftclient.FineTuningClient) -> None:
    with pytest.raises(ftclient.NotFoundError):
        await client.permissions.create("ft:nope:ckpt-step-1", project_ids=["p"])


STRING_CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.label}}",
    "operation": "eq",
}


async def test_graders_run_with_mapping_and_model(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    hit = await client.graders.run(grader=STRING_CHECK, model_sample="yes", item={"label": "yes"})
    assert isinstance(hit, RunGraderResponse)
    assert hit.reward == 1.0
    assert hit.metadata.type == "string_check"
    grader = GraderStringCheck(
        name="exact", input="{{sample.output_text}}", reference="{{item.label}}", operation="eq"
    )
    miss = await client.graders.run(grader=grader, model_sample="no", item={"label": "yes"})
    assert miss.reward == 0.0
    bodies = [json.loads(r.body) for r in sent(emulator, "runGrader")]
    assert bodies[1] == {"grader": STRING_CHECK, "model_sample": "no", "item": {"label": "yes"}}


async def test_text_similarity_and_multi(client: ftclient.FineTuningClient) -> None:
    similarity = {
        "type": "text_similarity",
        "name": "sim",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "evaluation_metric": "fuzzy_match",
    }
    same = await client.graders.run(
        grader=similarity, model_sample="the cat sat", item={"answer": "the cat sat"}
    )
    assert same.reward == pytest.approx(1.0)
    # The document's GraderMulti.graders is a single grader, referenced by name in the formula.
    multi = {
        "type": "multi",
        "name": "combo",
        "graders": similarity,
        "calculate_output": "0.5 * sim + 0.25",
    }
    validated = await client.graders.validate(grader=multi)
    assert validated.grader is not None
    assert validated.grader.type == "multi"
    combined = await client.graders.run(
        grader=multi, model_sample="the cat sat", item={"answer": "the cat sat"}
    )
    assert combined.reward == pytest.approx(0.75)


async def test_grader_shape_is_checked_client_side(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    bad = {**STRING_CHECK, "operation": "contains"}
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await client.graders.validate(grader=bad)
    assert info.value.param == "grader.operation"
    with pytest.raises(ftclient.InvalidParameterError) as missing:
        await client.graders.run(grader={"type": "python", "name": "p"}, model_sample="x")
    assert missing.value.param == "grader.source"
    assert emulator.requests == []


async def test_model_graders_are_refused_by_the_emulator(client: ftclient.FineTuningClient) -> None:
    score = {
        "type": "score_model",
        "name": "judge",
        "model": "gpt-4o-mini",
        "input": [{"role": "user", "content": "Score {{sample.output_text}}"}],
    }
    with pytest.raises(ftclient.BadRequestError, match=r"(?i)offline|cannot|not supported"):
        await client.graders.run(grader=score, model_sample="x")
