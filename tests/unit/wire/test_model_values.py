"""Models and config values are plain frozen attrs classes: repr, ``==`` and hash are attrs' own.

What is pinned here is what callers see of them: the repr text (a recursive reference as ``...``,
``ResponseInfo``'s headers left out), equality by class and fields (a decoded object's document
takes no part), and hashable defaults.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import ftclient
from ftclient import _config, models
from ftclient._wire.convert import structure
from tests import built


def test_repr_of_nested_and_recursive_values() -> None:
    job = built.job(error=models.FineTuningJobError(code="x"))
    assert repr(job).startswith("FineTuningJob(id='ftjob-1', created_at=1, error=")
    assert "error=FineTuningJobError(code='x', message=None, param=None)," in repr(job)
    tags: list[Any] = []
    wandb = models.WandbIntegration(project="p", tags=tags)
    tags.append(wandb)
    assert repr(wandb) == "WandbIntegration(project='p', name=None, entity=None, tags=[...])"
    assert repr(ftclient.Timeouts(total=5)) == "Timeouts(total=5, connect=10.0, read=600.0)"
    info = ftclient.ResponseInfo(
        status=200, headers={"a": "b"}, request_id=None, attempts=1, retry_waits=(), elapsed=0.5
    )
    assert "headers" not in repr(info)
    assert repr(info).startswith("ResponseInfo(status=200, request_id=None, attempts=1,")


def test_values_of_different_classes_are_unequal() -> None:
    empty = {"batch_size": None, "learning_rate_multiplier": None, "n_epochs": None}
    supervised = models.FineTuneSupervisedHyperparameters(**empty)
    assert supervised != models.FineTuningJobHyperparameters(**empty)
    assert supervised == models.FineTuneSupervisedHyperparameters()
    assert _config.RetryPolicy() == _config.DEFAULT_RETRY_POLICY
    assert ftclient.RetryPolicy(max_retries=3) != ftclient.RetryPolicy()


def test_a_decoded_model_equals_a_built_one_its_document_takes_no_part() -> None:
    decoded = structure({**built.BARE_JOB, "status": "paused", "extra": [1]}, models.FineTuningJob)
    made = built.job(status=models.FineTuningJobStatus("paused"))
    assert decoded == made
    assert "extra" not in repr(decoded)
    assert decoded != attrs.evolve(made, status=models.FineTuningJobStatus.RUNNING)


def test_the_defaults_are_hashable_values() -> None:
    assert {ftclient.DEFAULT_RETRY_POLICY, ftclient.RetryPolicy()} == {ftclient.RetryPolicy()}
    assert hash(ftclient.DEFAULT_TIMEOUTS) == hash(ftclient.Timeouts())
    assert ftclient.PollSchedule() == ftclient.PollSchedule()
    with pytest.raises(TypeError, match="unhashable"):
        hash(models.WandbIntegration(project="p", tags=["a list"]))
