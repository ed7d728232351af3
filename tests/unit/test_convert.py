"""The converter's policies: open enums, unions, leniency where the spec is loose, strict scalars,
error paths, minimal request bodies. Pure: no event loop."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftclient import models as m
from ftclient._convert import DecodeError, structure, structure_input, unstructure
from ftclient.errors import InvalidParameterError


def job(**changes: Any) -> dict[str, Any]:
    """A complete, spec-valid job; ``changes`` override (a value of ... removes the key)."""
    data: dict[str, Any] = {
        "object": "fine_tuning.job",
        "id": "ftjob-abc123",
        "model": "gpt-4o-mini-2024-07-18",
        "created_at": 1721764800,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": "org-123",
        "result_files": [],
        "status": "queued",
        "validation_file": None,
        "training_file": "file-abc123",
        "hyperparameters": {"n_epochs": "auto", "batch_size": 4, "learning_rate_multiplier": 0.5},
        "trained_tokens": None,
        "error": None,
        "seed": 42,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def event(i: int, **changes: Any) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job.event",
        "id": f"ftevent-{i}",
        "created_at": 1721764800 + i,
        "level": "info",
        "message": "Step done",
        **changes,
    }


STRING_CHECK = {
    "type": "string_check",
    "name": "sc",
    "input": "{{sample.output_text}}",
    "reference": "{{item.label}}",
    "operation": "eq",
}
TEXT_SIMILARITY = {
    "type": "text_similarity",
    "name": "ts",
    "input": "a",
    "reference": "b",
    "evaluation_metric": "rouge_l",
}
PYTHON = {"type": "python", "name": "py", "source": "def grade(s, i): return 1.0"}
SCORE_MODEL = {
    "type": "score_model",
    "name": "sm",
    "model": "gpt-5-mini",
    "input": [{"role": "user", "content": "Score {{sample.output_text}}"}],
    "range": [0, 1],
}
LABEL_MODEL = {
    "type": "label_model",
    "name": "lm",
    "model": "gpt-4o",
    "input": [{"role": "system", "content": {"type": "input_text", "text": "Classify"}}],
    "labels": ["positive", "negative"],
    "passing_labels": ["positive"],
}
MULTI = {"type": "multi", "name": "mu", "graders": STRING_CHECK, "calculate_output": "sc"}


# --- open enums ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["paused", "pending"])
def test_status_values_round_trip(status: str) -> None:
    decoded = structure(job(status=status), m.FineTuningJob)
    assert decoded.status == status
    assert isinstance(decoded.status, m.FineTuningJobStatus)
    assert unstructure(decoded)["status"] == status
    assert type(unstructure(decoded)["status"]) is str
    assert json.loads(json.dumps(unstructure(decoded))) == job(status=status)


def test_unknown_enum_value_is_a_pseudo_member() -> None:
    pending = structure("pending", m.FineTuningJobStatus)
    assert not pending.is_known
    assert m.FineTuningJobStatus.QUEUED.is_known
    assert structure("pending", m.FineTuningJobStatus) is pending
    assert pending not in list(m.FineTuningJobStatus)
    assert structure(job(status="pending"), m.FineTuningJob).is_terminal is False
    level = structure(event(1, level="debug"), m.FineTuningJobEvent).level
    assert (level, level.is_known) == ("debug", False)


def test_terminal_statuses() -> None:
    for status in ("succeeded", "failed", "cancelled"):
        assert structure(job(status=status), m.FineTuningJob).is_terminal
    for status in ("validating_files", "queued", "running", "paused"):
        assert not structure(job(status=status), m.FineTuningJob).is_terminal


# --- forward compatibility and spec leniency ---------------------------------------------------


def test_unknown_fields_are_ignored() -> None:
    data = job(user_provided_suffix="x", usage_metrics={"a": 1}, shared_with_openai=False)
    decoded = structure(data, m.FineTuningJob)
    assert decoded == structure(job(), m.FineTuningJob)
    assert "usage_metrics" not in unstructure(decoded)


def test_nullable_fields_accept_null() -> None:
    decoded = structure(
        job(metadata=None, estimated_finish=None, integrations=None), m.FineTuningJob
    )
    assert (decoded.metadata, decoded.estimated_finish, decoded.integrations) == (None,) * 3
    params = structure(
        {"seed": None, "top_p": None, "temperature": None, "reasoning_effort": None},
        m.ScoreModelSamplingParams,
    )
    assert params == m.ScoreModelSamplingParams()
    wandb = structure({"project": "p", "name": None, "entity": None}, m.WandbIntegration)
    assert wandb == m.WandbIntegration(project="p")
    hyper = structure({"batch_size": None}, m.FineTuningJobHyperparameters)
    assert hyper.batch_size is None


def test_absent_required_nullable_fields_decode_as_none_and_encode_as_null() -> None:
    decoded = structure(
        job(error=..., finished_at=..., trained_tokens=..., seed=..., hyperparameters=...),
        m.FineTuningJob,
    )
    assert (decoded.error, decoded.finished_at, decoded.trained_tokens, decoded.seed) == (None,) * 4
    out = unstructure(decoded)
    assert out["error"] is None
    assert out["finished_at"] is None
    assert "metadata" not in out  # optional and not given: omitted


def test_absent_required_non_nullable_field_fails() -> None:
    with pytest.raises(DecodeError) as info:
        structure(job(id=...), m.FineTuningJob)
    assert (info.value.path, info.value.message) == ("$.id", "required field missing")


@pytest.mark.parametrize("error", [{}, {"code": None, "message": None, "param": None}])
def test_empty_job_error_means_no_error(error: dict[str, Any]) -> None:
    assert structure(job(error=error), m.FineTuningJob).error is None


def test_job_error_decodes() -> None:
    error = {"code": "invalid_file", "message": "Bad line 3", "param": "training_file"}
    decoded = structure(job(status="failed", error=error), m.FineTuningJob)
    assert decoded.error == m.FineTuningJobError(
        code="invalid_file", message="Bad line 3", param="training_file"
    )
    assert unstructure(decoded)["error"] == error


@pytest.mark.parametrize("usage", [None, 7, {"prompt_tokens": 1, "total_tokens": 2}])
def test_token_usage_accepts_int_object_or_null(usage: Any) -> None:
    data = {
        "name": "g",
        "type": "string_check",
        "errors": {
            f.name: None if f.name.endswith(("_type", "_details")) else False
            for f in attrs.fields(m.RunGraderResponseErrors)
        },
        "execution_time": 0.1,
        "scores": {},
        "token_usage": usage,
        "sampled_model_name": None,
    }
    decoded = structure(data, m.RunGraderResponseMetadata)
    assert decoded.token_usage == usage
    assert unstructure(decoded) == data
    with pytest.raises(DecodeError, match=r"expected int, object or null"):
        structure({**data, "token_usage": "7"}, m.RunGraderResponseMetadata)


def test_hyperparameters_take_auto_or_numbers() -> None:
    hyper = structure(
        {"batch_size": "auto", "learning_rate_multiplier": 2, "n_epochs": 3},
        m.FineTuneSupervisedHyperparameters,
    )
    assert hyper == m.FineTuneSupervisedHyperparameters(
        batch_size="auto", learning_rate_multiplier=2, n_epochs=3
    )
    assert type(hyper.learning_rate_multiplier) is int  # kept as sent: the round trip is exact
    for bad in ({"n_epochs": "3"}, {"n_epochs": 1.5}, {"n_epochs": True}, {"beta": "max"}):
        with pytest.raises(DecodeError):
            structure(bad, m.FineTuneDPOHyperparameters)


# --- tagged unions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        (STRING_CHECK, m.GraderStringCheck),
        (TEXT_SIMILARITY, m.GraderTextSimilarity),
        (PYTHON, m.GraderPython),
        (SCORE_MODEL, m.GraderScoreModel),
        (LABEL_MODEL, m.GraderLabelModel),
        (MULTI, m.GraderMulti),
    ],
)
def test_graders_dispatch_on_type(data: dict[str, Any], cls: type) -> None:
    request = structure({"grader": data}, m.ValidateGraderRequest)
    assert type(request.grader) is cls
    assert unstructure(request) == {"grader": data}
    response = structure({"grader": data}, m.ValidateGraderResponse)
    assert type(response.grader) is cls


def test_multi_grader_takes_one_grader_or_a_list() -> None:
    single = structure(MULTI, m.GraderMulti)
    assert single.graders == m.GraderStringCheck(
        name="sc",
        input="{{sample.output_text}}",
        reference="{{item.label}}",
        operation=m.StringCheckOperation.EQ,
    )
    listed = structure({**MULTI, "graders": [STRING_CHECK, LABEL_MODEL]}, m.GraderMulti)
    assert isinstance(listed.graders, list)
    assert [type(g) for g in listed.graders] == [m.GraderStringCheck, m.GraderLabelModel]
    assert unstructure(listed)["graders"] == [STRING_CHECK, LABEL_MODEL]


def test_unknown_grader_type_falls_back() -> None:
    raw = {"type": "endpoint", "name": "new", "url": "https://example.com", "n": [1]}
    method = structure(
        {"type": "reinforcement", "reinforcement": {"grader": raw}}, m.FineTuneMethod
    )
    assert method.reinforcement is not None
    assert method.reinforcement.grader == m.UnknownGrader(type="endpoint", raw=raw)
    assert unstructure(method) == {"type": "reinforcement", "reinforcement": {"grader": raw}}
    nested = structure({**MULTI, "graders": [raw, STRING_CHECK]}, m.GraderMulti)
    assert isinstance(nested.graders, list)
    assert isinstance(nested.graders[0], m.UnknownGrader)


def test_grader_without_type_is_an_error() -> None:
    with pytest.raises(DecodeError) as info:
        structure({"grader": {"name": "x"}, "model_sample": "s"}, m.RunGraderRequest)
    assert info.value.path == "$.grader"
    assert "string 'type'" in info.value.message


def test_content_items_dispatch_on_type() -> None:
    content = [
        "plain {{item.x}}",
        {"type": "input_text", "text": "t", "prompt_cache_breakpoint": {"mode": "explicit"}},
        {"type": "output_text", "text": "o"},
        {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "low"},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
        {"type": "input_video", "url": "v"},
    ]
    item = structure({"role": "user", "content": content, "type": "message"}, m.EvalItem)
    assert isinstance(item.content, list)
    assert [type(c) for c in item.content] == [
        str,
        m.InputTextContent,
        m.EvalItemContentOutputText,
        m.EvalItemInputImage,
        m.InputAudio,
        m.UnknownContentItem,
    ]
    assert unstructure(item) == {"role": "user", "content": content, "type": "message"}
    single = structure({"role": "developer", "content": content[4]}, m.EvalItem)
    assert isinstance(single.content, m.InputAudio)
    assert single.content.input_audio.format is m.AudioFormat.WAV


# --- strictness and error paths -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "expected int, got str 'abc'"),
        ("12", "expected int, got str '12'"),
        (1.5, "expected int, got float 1.5"),
        (True, "expected int, got bool True"),
        (None, "expected int, got null"),
        ([], "expected int, got array"),
    ],
)
def test_wrong_type_names_the_path(value: Any, message: str) -> None:
    page = {"object": "list", "data": [event(0), event(1, created_at=value)], "has_more": False}
    with pytest.raises(DecodeError) as info:
        structure(page, m.ListFineTuningJobEventsResponse)
    assert info.value.path == "$.data[1].created_at"
    assert info.value.message == message
    assert str(info.value) == f"$.data[1].created_at: {message}"


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (
            job(
                method={
                    "type": "supervised",
                    "supervised": {"hyperparameters": {"n_epochs": "4"}},
                }
            ),
            "$.method.supervised.hyperparameters.n_epochs",
            "expected 'auto' or int or null, got str '4'",
        ),
        (job(metadata={"a": "b", "k": 1}), "$.metadata['k']", "expected str, got int 1"),
        (job(result_files=["f", 2]), "$.result_files[1]", "expected str, got int 2"),
        (job(result_files="f"), "$.result_files", "expected array, got str 'f'"),
        (job(status=3), "$.status", "expected str (FineTuningJobStatus), got int 3"),
        (job(object="fine_tuning.job.event"), "$.object", "expected 'fine_tuning.job', got str"),
        (job(fine_tuned_model=7), "$.fine_tuned_model", "expected str, got int 7"),
        (job(hyperparameters=[]), "$.hyperparameters", "expected object"),
        (
            job(
                method={
                    "type": "reinforcement",
                    "reinforcement": {"grader": {**MULTI, "graders": [STRING_CHECK, {}]}},
                }
            ),
            "$.method.reinforcement.grader.graders[1]",
            "expected grader object with a string 'type', got null",
        ),
        (
            job(
                method={
                    "type": "reinforcement",
                    "reinforcement": {"grader": {**SCORE_MODEL, "input": [{"role": "user"}]}},
                }
            ),
            "$.method.reinforcement.grader.input[0].content",
            "required field missing",
        ),
    ],
)
def test_error_paths(data: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        structure(data, m.FineTuningJob)
    assert info.value.path == path
    assert info.value.message.startswith(message)


@pytest.mark.parametrize(
    ("value", "cls"),
    [("1", int), (True, int), (1, str), (1, bool), (True, float), ("x", float), ("x", list[int])],
)
def test_scalars_are_strict(value: Any, cls: Any) -> None:
    with pytest.raises(DecodeError):
        structure(value, cls)


def test_int_is_a_valid_float() -> None:
    assert structure(1, float) == 1
    assert structure({"reward": 1, "metadata": None}, dict[str, Any]) == {
        "reward": 1,
        "metadata": None,
    }


@pytest.mark.parametrize("data", ["job", 3, None, [], [job()]])
def test_not_an_object_at_the_top(data: Any) -> None:
    with pytest.raises(DecodeError) as info:
        structure(data, m.FineTuningJob)
    assert info.value.path == "$"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(sorted(job())), json_values, max_size=6),
    st.sampled_from([m.FineTuningJob, m.FineTuningJobEvent, m.GraderMulti, m.RunGraderResponse]),
)
def test_only_decode_error_escapes(mess: dict[str, Any], cls: type) -> None:
    data = {**job(), **mess} if cls is m.FineTuningJob else mess
    try:
        structure(data, cls)
    except DecodeError as exc:
        error: DecodeError | None = exc
    else:
        error = None
    if error is not None:
        assert error.path.startswith("$")
        assert error.message


# --- unstructure ----------------------------------------------------------------------------


def test_request_bodies_stay_minimal() -> None:
    request = m.CreateFineTuningJobRequest(model="gpt-4o-mini", training_file="file-1")
    assert unstructure(request) == {"model": "gpt-4o-mini", "training_file": "file-1"}
    request = m.CreateFineTuningJobRequest(
        model="gpt-4o-mini",
        training_file="file-1",
        method=m.FineTuneMethod(
            type=m.FineTuneMethodType.DPO,
            dpo=m.FineTuneDPOMethod(hyperparameters=m.FineTuneDPOHyperparameters(beta=0.1)),
        ),
        integrations=[m.FineTuningIntegration(wandb=m.WandbIntegration(project="p"))],
        metadata={"k": "v"},
    )
    body = unstructure(request)
    assert body == {
        "model": "gpt-4o-mini",
        "training_file": "file-1",
        "method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.1}}},
        "integrations": [{"type": "wandb", "wandb": {"project": "p"}}],
        "metadata": {"k": "v"},
    }
    assert type(body["method"]["type"]) is str


def test_unstructure_lists_dicts_and_plain_values() -> None:
    permission = m.FineTuningCheckpointPermission(id="cp_1", created_at=1, project_id="proj_1")
    encoded = {
        "object": "checkpoint.permission",
        "id": "cp_1",
        "created_at": 1,
        "project_id": "proj_1",
    }
    assert unstructure([permission]) == [encoded]
    assert unstructure({"p": permission, "n": 3}) == {"p": encoded, "n": 3}
    assert unstructure(m.PermissionOrder.ASCENDING) == "ascending"
    assert unstructure("x") == "x"


# --- structure_input ------------------------------------------------------------------------


def test_structure_input_accepts_models_and_mappings() -> None:
    method = m.FineTuneMethod(type=m.FineTuneMethodType.SUPERVISED)
    assert structure_input(method, m.FineTuneMethod, "method") is method
    assert structure_input({"type": "supervised"}, m.FineTuneMethod, "method") == method


def test_structure_input_names_the_parameter() -> None:
    bad = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": "x"}}}
    with pytest.raises(InvalidParameterError) as info:
        structure_input(bad, m.FineTuneMethod, "method")
    assert info.value.param == "method.supervised.hyperparameters.n_epochs"
    assert isinstance(info.value, ValueError)


def test_plain_strings_in_enum_fields_pass_through() -> None:
    method = m.FineTuneMethod(type="supervised")  # type: ignore[arg-type]
    assert unstructure(method) == {"type": "supervised"}
