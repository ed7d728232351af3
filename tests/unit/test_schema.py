"""The bundled contract and its validator: paths named, unknown keys collected, alternatives."""

from __future__ import annotations

from typing import Any

import pytest

from ftclient import _schema


def violation(instance: Any, name: str, unknown: list[_schema.Path] | None = None) -> str | None:
    try:
        _schema.validate(instance, _schema.component(name), unknown=unknown)
    except _schema.SchemaViolation as exc:
        return str(exc)
    return None


BASE = {"model": "gpt-4o-mini", "training_file": "file-abc"}


def sup(hp: dict[str, Any]) -> dict[str, Any]:
    return {**BASE, "method": {"type": "supervised", "supervised": {"hyperparameters": hp}}}


def test_bundled_document_has_the_13_operations_and_41_schemas() -> None:
    doc = _schema.spec()
    ops = [op for item in doc["paths"].values() for op in item.values() if "operationId" in op]
    assert len(ops) == 13
    assert len(doc["components"]["schemas"]) == 41


@pytest.mark.parametrize(
    ("instance", "expected"),
    [
        (BASE, None),
        ({"model": "m"}, "training_file: is required"),
        (sup({"n_epochs": 51}), "method.supervised.hyperparameters.n_epochs: must be <= 50"),
        (sup({"n_epochs": 0}), "method.supervised.hyperparameters.n_epochs: must be >= 1"),
        (sup({"n_epochs": "auto"}), None),
        (sup({"n_epochs": True}), "method.supervised.hyperparameters.n_epochs: expected"),
        (sup({"batch_size": 257}), "batch_size: must be <= 256"),
        (sup({"learning_rate_multiplier": 0}), "learning_rate_multiplier: must be > 0"),
        ({**BASE, "seed": 2**31}, "seed: must be <= 2147483647"),
        ({**BASE, "suffix": "x" * 65}, "suffix: must have at most 64 characters"),
        (
            {**BASE, "integrations": [{"type": "wandb", "wandb": {}}]},
            "integrations[0].wandb.project",
        ),
        ({**BASE, "metadata": {"k": 1}}, "metadata.k: expected string"),
        ({**BASE, "method": {"type": "rl"}}, "method.type: must be one of"),
    ],
)
def test_create_job_request(instance: dict[str, Any], expected: str | None) -> None:
    found = violation(instance, "CreateFineTuningJobRequest")
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert expected in found


def test_grader_alternative_is_reported_for_the_matching_type() -> None:
    grader = {
        "type": "text_similarity",
        "name": "t",
        "input": "a",
        "reference": "b",
        "evaluation_metric": "nope",
    }
    found = violation({"grader": grader, "model_sample": "x"}, "RunGraderRequest")
    assert found is not None
    assert found.startswith("grader.evaluation_metric: must be one of")


def test_unknown_keys_pass_and_are_collected_by_path() -> None:
    unknown: list[_schema.Path] = []
    body = {
        **sup({"n_epoch": 3}),
        "x_new": 1,
        "integrations": [{"type": "wandb", "wandb": {"project": "p", "y": 2}}],
    }
    assert violation(body, "CreateFineTuningJobRequest", unknown) is None
    assert sorted(map(_schema.dotted, unknown)) == [
        "integrations[0].wandb.y",
        "method.supervised.hyperparameters.n_epoch",
        "x_new",
    ]


def test_only_the_matching_alternative_reports_unknown_keys() -> None:
    # The grader union is tried branch by branch; a failing branch's keys are not reported.
    grader = {"type": "python", "name": "p", "source": "x", "image_tag": "t", "z": 1}
    unknown: list[_schema.Path] = []
    assert violation({"grader": grader}, "ValidateGraderRequest", unknown) is None
    assert [_schema.dotted(p) for p in unknown] == ["grader.z"]


def test_unknown_keys_are_not_collected_without_a_list() -> None:
    assert violation(sup({"n_epoch": 3}), "CreateFineTuningJobRequest") is None


def test_additional_properties_false_is_always_enforced() -> None:
    unknown: list[_schema.Path] = []
    found = violation(
        {"project_ids": ["p"], "x": 1}, "CreateFineTuningCheckpointPermissionRequest", unknown
    )
    assert found is not None
    assert found.startswith("x: unknown field")
