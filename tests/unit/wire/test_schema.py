"""The bundled contract and its validator: paths named, unknown keys collected, alternatives."""

from __future__ import annotations

from typing import Any

import pytest

from ftclient._wire import schema as _schema


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


GRADERS = (
    "object with type 'multi' or object with type 'python' or object with type 'score_model' "
    "or object with type 'string_check' or object with type 'text_similarity'"
)
TAGS = "'string_check', 'text_similarity', 'python', 'score_model', 'multi'"


@pytest.mark.parametrize(
    ("instance", "name", "message"),
    [
        ({**BASE, "seed": "1"}, "CreateFineTuningJobRequest", "seed: expected integer, got string"),
        (
            {**BASE, "seed": True},
            "CreateFineTuningJobRequest",
            "seed: expected integer, got boolean",
        ),
        ({**BASE, "seed": 1.5}, "CreateFineTuningJobRequest", "seed: expected integer, got number"),
        ({**BASE, "seed": 2.0}, "CreateFineTuningJobRequest", None),
        ({**BASE, "seed": None, "suffix": None}, "CreateFineTuningJobRequest", None),
        (
            {**BASE, "suffix": ""},
            "CreateFineTuningJobRequest",
            "suffix: must have at least 1 characters, got 0",
        ),
        (
            {**BASE, "suffix": "x" * 65},
            "CreateFineTuningJobRequest",
            "suffix: must have at most 64 characters, got 65",
        ),
        ({**BASE, "suffix": "x" * 64}, "CreateFineTuningJobRequest", None),
        (
            {**BASE, "validation_file": 5},
            "CreateFineTuningJobRequest",
            "validation_file: expected string, got integer",
        ),
        (
            {**BASE, "integrations": {}},
            "CreateFineTuningJobRequest",
            "integrations: expected array, got object",
        ),
        (
            {**BASE, "metadata": []},
            "CreateFineTuningJobRequest",
            "metadata: expected null or object, got array []",
        ),
        (
            {**BASE, "metadata": {1: "a"}},
            "CreateFineTuningJobRequest",
            "metadata: keys must be strings, got integer",
        ),
        (
            {**BASE, "metadata": {"a": b"x"}},
            "CreateFineTuningJobRequest",
            "metadata.a: expected string, got bytes",
        ),
        (
            {**BASE, "model": None},
            "CreateFineTuningJobRequest",
            "model: expected 'babbage-002' or 'davinci-002' or 'gpt-3.5-turbo' or 'gpt-4o-mini' "
            "or string, got null None",
        ),
        ({**BASE, "seed": -1}, "CreateFineTuningJobRequest", "seed: must be >= 0, got -1"),
        (
            sup({"learning_rate_multiplier": -0.5}),
            "CreateFineTuningJobRequest",
            "method.supervised.hyperparameters.learning_rate_multiplier: must be > 0, got -0.5",
        ),
        (
            {**BASE, "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 2.5}}}},
            "CreateFineTuningJobRequest",
            "method.dpo.hyperparameters.beta: must be <= 2, got 2.5",
        ),
        ([1], "CreateFineTuningJobRequest", "<root>: expected object, got array"),
        (
            {"grader": "string_check"},
            "ValidateGraderRequest",
            f"grader: expected {GRADERS}, got string 'string_check'",
        ),
        ({"grader": 5}, "ValidateGraderRequest", f"grader: expected {GRADERS}, got integer 5"),
        (
            {"grader": {"type": "nope"}},
            "ValidateGraderRequest",
            f"grader.type: must be one of {TAGS}, got 'nope'",
        ),
        (
            {"grader": {"name": "x"}},
            "ValidateGraderRequest",
            f"grader.type: must be one of {TAGS}, got None",
        ),
        ({"grader": {"type": "string_check"}}, "ValidateGraderRequest", "grader.name: is required"),
        (
            {"project_ids": "p"},
            "CreateFineTuningCheckpointPermissionRequest",
            "project_ids: expected array, got string",
        ),
        (
            {"project_ids": ["p", 1]},
            "CreateFineTuningCheckpointPermissionRequest",
            "project_ids[1]: expected string, got integer",
        ),
    ],
)
def test_messages_name_the_path_the_expectation_and_what_came(
    instance: Any, name: str, message: str | None
) -> None:
    assert violation(instance, name) == message


def test_dotted_paths_and_the_root() -> None:
    assert _schema.dotted(()) == ""
    assert _schema.dotted(("a", 0, "b", 1)) == "a[0].b[1]"
    assert _schema.dotted((0, "a")) == "[0].a"
    assert str(_schema.SchemaViolation((), "bad")) == "<root>: bad"
    exc = _schema.SchemaViolation(("a", 2), "bad")
    assert (exc.path, exc.message, str(exc)) == (("a", 2), "bad", "a[2]: bad")


def test_only_local_refs_are_followed() -> None:
    with pytest.raises(ValueError, match="unsupported \\$ref '#/x/y'"):
        _schema.validate(1, {"$ref": "#/x/y"})
    assert _schema.component("Metadata") is _schema.spec()["components"]["schemas"]["Metadata"]


@pytest.mark.parametrize(
    ("instance", "schema", "message"),
    [
        ([1, 2, 3], {"type": "array", "minItems": 4}, "<root>: must have at least 4 items, got 3"),
        ([1] * 6, {"type": "array", "maxItems": 5}, "<root>: must have at most 5 items, got 6"),
        ([1] * 5, {"type": "array", "maxItems": 5, "items": {"type": "integer"}}, None),
        (
            [1, "x"],
            {"type": "array", "items": {"type": "integer"}},
            "[1]: expected integer, got string",
        ),
        ((1, 2), {"type": "array", "items": {"type": "integer"}}, None),
        (True, {"type": "number"}, "<root>: expected number, got boolean"),
        (False, {"type": "integer"}, "<root>: expected integer, got boolean"),
        (True, {"type": "boolean"}, None),
        (1, {"type": "number"}, None),
        (1.5, {"type": "integer"}, "<root>: expected integer, got number"),
        (None, {"type": "string", "nullable": True}, None),
        (None, {"type": "string"}, "<root>: expected string, got null"),
        (5, {"minimum": 5, "maximum": 5}, None),
        (5, {"exclusiveMinimum": 5}, "<root>: must be > 5, got 5"),
        ("ab", {"minLength": 2, "maxLength": 2}, None),
    ],
)
def test_the_subset_of_json_schema_the_document_uses(
    instance: Any, schema: dict[str, Any], message: str | None
) -> None:
    found = None
    try:
        _schema.validate(instance, schema)
    except _schema.SchemaViolation as exc:
        found = str(exc)
    assert found == message


def test_a_bool_is_no_number_even_inside_a_union() -> None:
    hp = {"learning_rate_multiplier": True}
    assert violation(sup(hp), "CreateFineTuningJobRequest") == (
        "method.supervised.hyperparameters.learning_rate_multiplier: "
        "expected 'auto' or number, got boolean True"
    )


SUB = {
    "type": "string_check",
    "name": "a",
    "input": "{{sample.output_text}}",
    "reference": "y",
    "operation": "eq",
}
MULTI = {"type": "multi", "name": "m", "calculate_output": "a"}


@pytest.mark.parametrize(
    ("graders", "message"),
    [
        ({"a": SUB}, None),  # the service's map (spec/README.md)
        ([SUB], None),  # the spec's example
        (SUB, None),  # the spec's schema
        (
            {"a": {**SUB, "operation": "gt"}},
            "grader.graders.a.operation: must be one of 'eq', 'ne', 'like', 'ilike', got 'gt'",
        ),
        (
            [{**SUB, "operation": "gt"}],
            "grader.graders[0].operation: must be one of 'eq', 'ne', 'like', 'ilike', got 'gt'",
        ),
    ],
)
def test_the_multi_grader_takes_all_three_forms(graders: Any, message: str | None) -> None:
    assert violation({"grader": {**MULTI, "graders": graders}}, "ValidateGraderRequest") == message


def test_unknown_keys_inside_a_map_value_are_collected() -> None:
    unknown: list[_schema.Path] = []
    grader = {**MULTI, "graders": {"a": {**SUB, "x": 1}}}
    assert violation({"grader": grader}, "ValidateGraderRequest", unknown) is None
    assert [_schema.dotted(path) for path in unknown] == ["grader.graders.a.x"]


def test_refusals_say_what_is_allowed() -> None:
    assert violation(
        {"project_ids": [], "x": 1}, "CreateFineTuningCheckpointPermissionRequest"
    ) == ("x: unknown field (expected one of: project_ids)")
    assert violation({**BASE, "method": {"type": "rl"}}, "CreateFineTuningJobRequest") == (
        "method.type: must be one of 'supervised', 'dpo', 'reinforcement', got 'rl'"
    )
