"""The multi grader as the service takes it (a map of name -> grader), end to end.

Sent by the client (as a mapping or as models), accepted and graded by the emulator, returned and
decoded in a job, a ``jobs.list`` page and a grader validation.
"""

from __future__ import annotations

from typing import Any

import pytest

import ftclient
from ftclient import models
from ftclient.testing import FineTuningEmulator

from .variants import MULTI_MAP, SIMILARITY, STRING_CHECK

METHOD = {"type": "reinforcement", "reinforcement": {"grader": MULTI_MAP}}
AS_MODELS = models.GraderMulti(
    name="combined",
    graders={
        "a": models.GraderStringCheck(
            name="exact",
            input="{{sample.output_text}}",
            reference="{{item.label}}",
            operation=models.StringCheckOperation.EQ,
        ),
        "b": models.GraderTextSimilarity(
            name="near",
            input="{{sample.output_text}}",
            reference="{{item.label}}",
            evaluation_metric=models.TextSimilarityMetric.FUZZY_MATCH,
        ),
    },
    calculate_output="0.5 * a + 0.5 * b",
)


def _grader(job: models.FineTuningJob) -> Any:
    assert job.method is not None
    assert job.method.reinforcement is not None
    return job.method.reinforcement.grader


@pytest.mark.parametrize(
    "method",
    [
        METHOD,
        models.FineTuneMethod(
            type=models.FineTuneMethodType.REINFORCEMENT,
            reinforcement=models.FineTuneReinforcementMethod(grader=AS_MODELS),
        ),
    ],
    ids=["mapping", "models"],
)
async def test_a_job_with_the_map_is_created_listed_and_decoded(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, method: Any
) -> None:
    job = await client.jobs.create(model="o4-mini", training_file="file-train", method=method)
    sent = [r for r in emulator.requests if r.operation_id == "createFineTuningJob"][-1]
    assert sent.json["method"] == METHOD
    assert _grader(job) == AS_MODELS
    assert ftclient.to_dict(job)["method"]["reinforcement"]["grader"] == MULTI_MAP
    listed = await client.jobs.list().to_list()
    assert [j.id for j in listed] == [job.id]
    assert _grader(listed[0]).graders["b"] == AS_MODELS.graders["b"]  # type: ignore[index]
    assert ftclient.to_dict(_grader(await client.jobs.retrieve(job.id))) == MULTI_MAP


async def test_the_map_is_validated_and_graded(client: ftclient.FineTuningClient) -> None:
    checked = await client.graders.validate(grader=MULTI_MAP)
    assert checked.grader == AS_MODELS
    result = await client.graders.run(
        grader=AS_MODELS, model_sample="paris", item={"label": "paris"}
    )
    assert result.reward == pytest.approx(1.0)
    assert result.sub_rewards == {"a": 1.0, "b": pytest.approx(1.0)}
    half = await client.graders.run(grader=MULTI_MAP, model_sample="rome", item={"label": "oslo"})
    assert half.sub_rewards is not None
    assert half.sub_rewards["a"] == 0.0


async def test_a_bad_grader_in_the_map_is_refused_before_sending(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator
) -> None:
    bad = {**MULTI_MAP, "graders": {"a": STRING_CHECK, "b": {**SIMILARITY, "evaluation_metric": 3}}}
    with pytest.raises(ftclient.InvalidParameterError) as info:
        await client.graders.validate(grader=bad)
    assert info.value.param == "grader.graders.b.evaluation_metric"
    assert not [r for r in emulator.requests if r.operation_id == "validateGrader"]
