"""ftclient.params agrees with the contract the run-time check enforces.

Each TypedDict names the keys of its schema, requires what the schema requires (no more: a
request the check accepts must type-check), and its literal values are the schema's enum.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest

from ftclient import params
from ftclient._wire.schema import component
from ftclient.resources._submit import SPEC_ARGUMENTS


def _prop(schema: str, *path: str) -> dict[str, Any]:
    found = component(schema)
    for key in path:
        found = found["items"] if key == "[]" else found["properties"][key]
    return found


# TypedDict -> the schema the run-time check validates it against.
SCHEMAS: dict[Any, dict[str, Any]] = {
    params.SupervisedHyperparametersParam: component("FineTuneSupervisedHyperparameters"),
    params.DpoHyperparametersParam: component("FineTuneDPOHyperparameters"),
    params.ReinforcementHyperparametersParam: component("FineTuneReinforcementHyperparameters"),
    params.JobHyperparametersParam: _prop("CreateFineTuningJobRequest", "hyperparameters"),
    params.SupervisedMethodParam: component("FineTuneSupervisedMethod"),
    params.DpoMethodParam: component("FineTuneDPOMethod"),
    params.ReinforcementMethodParam: component("FineTuneReinforcementMethod"),
    params.FineTuneMethodParam: component("FineTuneMethod"),
    params.IntegrationParam: _prop("CreateFineTuningJobRequest", "integrations", "[]"),
    params.WandbParam: _prop("CreateFineTuningJobRequest", "integrations", "[]", "wandb"),
    params.StringCheckGraderParam: component("GraderStringCheck"),
    params.TextSimilarityGraderParam: component("GraderTextSimilarity"),
    params.PythonGraderParam: component("GraderPython"),
    params.ScoreModelGraderParam: component("GraderScoreModel"),
    params.SamplingParamsParam: _prop("GraderScoreModel", "sampling_params"),
    params.LabelModelGraderParam: component("GraderLabelModel"),
    params.MultiGraderParam: component("GraderMulti"),
    params.LambdaGraderParam: component("GraderLambda"),
    params.LambdaFunctionParam: _prop("GraderLambda", "lambda"),
    params.EvalItemParam: component("EvalItem"),
    params.InputTextParam: component("InputTextContent"),
    params.OutputTextParam: component("EvalItemContentOutputText"),
    params.InputImageParam: component("EvalItemInputImage"),
    params.InputAudioParam: component("InputAudio"),
    params.InputAudioDataParam: _prop("InputAudio", "input_audio"),
    params.PromptCacheBreakpointParam: component("PromptCacheBreakpointConfig"),
    params.FileExpirationParam: component("FileExpirationAfter"),
}
IDS = [typed.__name__ for typed in SCHEMAS]


def _literals(hint: Any) -> Iterator[str]:
    if typing.get_origin(hint) is typing.Literal:
        yield from typing.get_args(hint)
    for arg in typing.get_args(hint):
        if typing.get_origin(hint) is not typing.Literal:
            yield from _literals(arg)


def _enum(schema: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        schema = component(schema["$ref"].rsplit("/", 1)[1])
    values = set(schema.get("enum", ()))
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        values |= _enum(option)
    return values


def test_every_public_typeddict_is_checked_here() -> None:
    public = {
        name
        for name in params.__all__
        if isinstance(getattr(params, name), type) and hasattr(getattr(params, name), "__total__")
    }
    assert public == {typed.__name__ for typed in SCHEMAS} | {"JobSpecParam"}


@pytest.mark.parametrize(("typed", "schema"), SCHEMAS.items(), ids=IDS)
def test_keys_and_required_keys_are_the_schemas(typed: Any, schema: dict[str, Any]) -> None:
    assert set(typed.__annotations__) == set(schema["properties"])
    assert typed.__required_keys__ == set(schema.get("required", ()))


@pytest.mark.parametrize(("typed", "schema"), SCHEMAS.items(), ids=IDS)
def test_literal_values_are_the_schemas_enum(typed: Any, schema: dict[str, Any]) -> None:
    hints = typing.get_type_hints(typed)
    for key, hint in hints.items():
        literals = set(_literals(hint))
        enum = _enum(schema["properties"][key])
        assert literals == enum, key


def test_a_job_spec_is_the_arguments_submit_many_takes() -> None:
    assert set(params.JobSpecParam.__annotations__) == SPEC_ARGUMENTS
    assert params.JobSpecParam.__required_keys__ == {"model", "training_file"}


def test_arrays_of_strings_refuse_a_bare_string_for_the_checker() -> None:
    # A bare string is a Sequence[str]; the JSON arrays of strings are typed so it is not one.
    hint = typing.get_type_hints(params.WandbParam)["tags"]
    assert isinstance(hint, types.UnionType)
    assert str not in typing.get_args(hint)
    assert {typing.get_origin(arg) for arg in typing.get_args(hint)} == {list, tuple}
