"""The converter's policies: open enums, unions, leniency where the spec is loose, strict scalars,
error paths, minimal request bodies. Pure: no event loop."""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftclient import models as m
from ftclient._wire.convert import DecodeError, structure, unstructure
from tests import built


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
    throttled = structure("throttled", m.FineTuningJobStatus)
    assert not throttled.is_known
    assert m.FineTuningJobStatus.QUEUED.is_known
    assert structure("throttled", m.FineTuningJobStatus) is throttled
    assert throttled not in list(m.FineTuningJobStatus)
    decoded = structure(job(status="throttled"), m.FineTuningJob)
    assert decoded.status is throttled  # the field's Literal type only types it
    assert decoded.is_terminal is False
    level = structure(event(1, level="debug"), m.FineTuningJobEvent).level
    assert (level, level.is_known) == ("debug", False)


def test_terminal_statuses() -> None:
    for status in ("succeeded", "failed", "cancelled"):
        assert structure(job(status=status), m.FineTuningJob).is_terminal
    for status in ("validating_files", "queued", "running", "paused"):
        assert not structure(job(status=status), m.FineTuningJob).is_terminal


# --- forward compatibility and spec leniency ---------------------------------------------------


def test_unknown_fields_are_kept_in_the_document() -> None:
    data = job(user_provided_suffix="x", usage_metrics={"a": 1}, shared_with_openai=False)
    decoded = structure(data, m.FineTuningJob)
    assert decoded == structure(job(), m.FineTuningJob)  # not a field, so not compared
    assert unstructure(decoded) == data
    assert unstructure(decoded) is not data  # a copy: changing it changes nothing
    unstructure(decoded)["usage_metrics"]["a"] = 2
    assert unstructure(decoded)["usage_metrics"] == {"a": 1}
    assert unstructure(decoded.hyperparameters) == data["hyperparameters"]


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


def test_absent_or_null_optional_fields_decode_as_none_and_the_document_stays_as_sent() -> None:
    absent = dict.fromkeys(
        ["error", "finished_at", "trained_tokens", "seed", "organization_id"], ...
    )
    decoded = structure(job(**absent, result_files=None), m.FineTuningJob)
    assert (decoded.error, decoded.finished_at, decoded.trained_tokens, decoded.seed) == (None,) * 4
    assert (decoded.organization_id, decoded.result_files) == (None, None)
    out = unstructure(decoded)
    assert "error" not in out
    assert out["result_files"] is None


def test_a_built_object_sends_what_was_given() -> None:
    assert unstructure(built.job()) == built.BARE_JOB


@pytest.mark.parametrize(
    "field", ["id", "object", "created_at", "model", "status", "training_file"]
)
@pytest.mark.parametrize(
    ("value", "message"),
    [(..., "required field missing (FineTuningJob.{})"), (None, "expected {}, got null")],
)
def test_a_required_job_field_absent_or_null_names_it(field: str, value: Any, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        structure(job(**{field: value}), m.FineTuningJob)
    kind = "int" if field == "created_at" else "str"
    kind += " (FineTuningJobStatus)" if field == "status" else ""
    expected = message.format(field if value is ... else kind)
    assert (info.value.path, info.value.message) == (f"$.{field}", expected)


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
    with pytest.raises(DecodeError, match=r"expected int or object, got str '7'"):
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
    # A string other than "auto" is a deployment's variant of it: kept as sent.
    odd = structure({"n_epochs": "Auto", "beta": "max"}, m.FineTuneDPOHyperparameters)
    assert (odd.n_epochs, odd.beta) == ("Auto", "max")
    for bad in ({"n_epochs": 1.5}, {"n_epochs": True}, {"beta": [1]}, {"beta": {}}):
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


SC = m.GraderStringCheck(
    name="sc",
    input="{{sample.output_text}}",
    reference="{{item.label}}",
    operation=m.StringCheckOperation.EQ,
)


def test_multi_grader_decodes_the_map_the_single_grader_and_the_list() -> None:
    mapped = {**MULTI, "graders": {"a": STRING_CHECK, "b": LABEL_MODEL}, "calculate_output": "a"}
    decoded = structure(mapped, m.GraderMulti)
    assert list(decoded.graders or {}) == ["a", "b"]
    assert (decoded.graders or {})["a"] == SC
    assert type((decoded.graders or {})["b"]) is m.GraderLabelModel
    assert unstructure(decoded) == mapped
    single = structure(MULTI, m.GraderMulti)
    assert single.graders == {"sc": SC}
    assert unstructure(single)["graders"] == STRING_CHECK  # the form that arrived
    listed = structure({**MULTI, "graders": [STRING_CHECK, LABEL_MODEL]}, m.GraderMulti)
    assert list(listed.graders or {}) == ["sc", "lm"]
    assert unstructure(listed)["graders"] == [STRING_CHECK, LABEL_MODEL]
    # No name, or a repeated one: keyed by position.
    unnamed = {k: v for k, v in STRING_CHECK.items() if k != "name"}
    odd = structure({**MULTI, "graders": [STRING_CHECK, STRING_CHECK, unnamed]}, m.GraderMulti)
    assert list(odd.graders or {}) == ["sc", "1", "2"]
    one_unnamed = structure({**MULTI, "graders": unnamed}, m.GraderMulti)
    assert list(one_unnamed.graders or {}) == ["0"]


def test_a_built_multi_grader_sends_the_map() -> None:
    grader = m.GraderMulti(name="mu", graders={"a": SC}, calculate_output="a")
    assert unstructure(grader) == {
        "type": "multi",
        "name": "mu",
        "graders": {"a": STRING_CHECK},
        "calculate_output": "a",
    }


def test_unknown_grader_type_falls_back() -> None:
    raw = {"type": "endpoint", "name": "new", "url": "https://example.com", "n": [1]}
    method = structure(
        {"type": "reinforcement", "reinforcement": {"grader": raw}}, m.FineTuneMethod
    )
    assert method.reinforcement is not None
    assert method.reinforcement.grader == m.UnknownGrader(type="endpoint", raw=raw)
    assert unstructure(method) == {"type": "reinforcement", "reinforcement": {"grader": raw}}
    nested = structure({**MULTI, "graders": {"x": raw, "y": STRING_CHECK}}, m.GraderMulti)
    assert nested.graders == {"x": m.UnknownGrader(type="endpoint", raw=raw), "y": SC}


@pytest.mark.parametrize("tag", [..., None, 3, [1], {"a": 1}])
def test_grader_without_a_string_type_keeps_its_data(tag: Any) -> None:
    raw = {"name": "x"} if tag is ... else {"name": "x", "type": tag}
    decoded = structure({"grader": raw}, m.ValidateGraderResponse)
    assert decoded.grader == m.UnknownGrader(type=None, raw=raw)
    assert unstructure(decoded) == {"grader": raw}


def test_grader_that_is_not_an_object_is_an_error() -> None:
    with pytest.raises(DecodeError) as info:
        structure({"grader": "string_check"}, m.ValidateGraderResponse)
    assert info.value.path == "$.grader"
    assert info.value.message == "expected grader object, got str 'string_check'"


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
        ({}, "expected int, got object"),
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
                    "supervised": {"hyperparameters": {"n_epochs": 4.5}},
                }
            ),
            "$.method.supervised.hyperparameters.n_epochs",
            "expected int or str, got float 4.5",
        ),
        (job(metadata={"a": "b", "k": 1}), "$.metadata['k']", "expected str, got int 1"),
        (job(result_files=["f", 2]), "$.result_files[1]", "expected str, got int 2"),
        (job(result_files="f"), "$.result_files", "expected array, got str 'f'"),
        (job(status=3), "$.status", "expected str (FineTuningJobStatus), got int 3"),
        (job(object=3), "$.object", "expected str, got int 3"),
        (job(error="boom"), "$.error", "expected object (FineTuningJobError), got str 'boom'"),
        (job(fine_tuned_model=7), "$.fine_tuned_model", "expected str, got int 7"),
        (job(hyperparameters=[]), "$.hyperparameters", "expected object"),
        (job(metadata=["k"]), "$.metadata", "expected object, got array"),
        (
            job(
                method={
                    "type": "reinforcement",
                    "reinforcement": {"grader": {**MULTI, "graders": [STRING_CHECK, "x"]}},
                }
            ),
            "$.method.reinforcement.grader.graders[1]",
            "expected grader object, got str 'x'",
        ),
        (
            job(
                method={
                    "type": "reinforcement",
                    "reinforcement": {"grader": {**MULTI, "graders": {"a": STRING_CHECK, "b": 1}}},
                }
            ),
            "$.method.reinforcement.grader.graders['b']",
            "expected grader object, got int 1",
        ),
        (
            job(
                method={
                    "type": "reinforcement",
                    "reinforcement": {"grader": {**MULTI, "graders": "a"}},
                }
            ),
            "$.method.reinforcement.grader.graders",
            "expected object (name -> grader) or array of graders, got str 'a'",
        ),
        (
            job(
                method={
                    "type": "reinforcement",
                    "reinforcement": {"grader": {**SCORE_MODEL, "input": [{"role": 1}]}},
                }
            ),
            "$.method.reinforcement.grader.input[0].role",
            "expected str (EvalItemRole), got int 1",
        ),
        (
            job(integrations=[{"type": "wandb", "wandb": []}]),
            "$.integrations[0].wandb",
            "expected object (WandbIntegration), got array",
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
    permission = m.FineTuningCheckpointPermission(
        id="cp_1", object="checkpoint.permission", created_at=1, project_id="proj_1"
    )
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


def test_plain_strings_in_enum_fields_pass_through() -> None:
    method = m.FineTuneMethod(type="supervised")  # type: ignore[arg-type]
    assert unstructure(method) == {"type": "supervised"}


def test_a_variant_decoded_on_its_own_checks_its_tag() -> None:
    with pytest.raises(DecodeError) as info:
        structure({**STRING_CHECK, "type": "python"}, m.GraderStringCheck)
    assert (info.value.path, info.value.message) == (
        "$.type",
        "expected 'string_check', got str 'python'",
    )
    assert structure(STRING_CHECK, m.GraderStringCheck).type == "string_check"
    assert structure({"mode": None}, m.PromptCacheBreakpointConfig).mode == "explicit"


def test_enum_values_known_and_unknown() -> None:
    assert structure("queued", m.FineTuningJobStatus) is m.FineTuningJobStatus.QUEUED
    with pytest.raises(DecodeError, match=r"^\$: expected str \(FineTuningJobStatus\), got int 3$"):
        structure(3, m.FineTuningJobStatus)


def test_the_model_shares_the_documents_strings_lists_and_maps() -> None:
    # Memory: a decoded job and the document it keeps hold one copy of these, not two.
    data = job(result_files=["f1", "f2"], metadata={"k": "v"})
    decoded = structure(data, m.FineTuningJob)
    assert decoded.result_files is data["result_files"]
    assert decoded.metadata is data["metadata"]
    metrics = event(1, data={"step": 1, "loss": [0.5]})
    assert structure(metrics, m.FineTuningJobEvent).data is metrics["data"]


def test_a_literal_of_several_values_names_them_all() -> None:
    with pytest.raises(DecodeError) as info:
        structure("c", Literal["a", "b"])
    assert info.value.message == "expected 'a' or 'b', got str 'c'"
    assert structure("b", Literal["a", "b"]) == "b"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ({"code": "quota"}, m.FineTuningJobError(code="quota")),
        ({"message": "Out of credits"}, m.FineTuningJobError(message="Out of credits")),
    ],
)
def test_a_job_error_with_a_code_or_a_message_is_an_error(
    error: dict[str, Any], expected: m.FineTuningJobError
) -> None:
    assert structure(job(error=error), m.FineTuningJob).error == expected


def test_built_unknown_variants_send_their_raw_mapping() -> None:
    raw = {"type": "endpoint", "name": "remote", "url": "u"}
    assert unstructure(m.UnknownGrader(type="endpoint", raw=raw)) == raw
    item = {"type": "input_video", "url": "v"}
    assert unstructure(m.UnknownContentItem(type="input_video", raw=item)) == item


def test_a_listed_grader_without_a_name_attribute_is_keyed_by_position() -> None:
    raw = {"type": "endpoint", "url": "u"}
    listed = structure({**MULTI, "graders": [raw, STRING_CHECK]}, m.GraderMulti)
    assert listed.graders == {"0": m.UnknownGrader(type="endpoint", raw=raw), "sc": SC}


def test_decoding_records_no_path_until_a_failure_needs_one() -> None:
    # The benchmarks' numbers are those of cattrs without detailed validation; the converter
    # with it explains failures only.
    from ftclient._wire import convert as _convert

    assert _convert.converter().detailed_validation is False
    assert _convert._explaining().detailed_validation is True
    decoded = structure(job(status="running"), m.FineTuningJob)
    assert decoded.status is m.FineTuningJobStatus.RUNNING


def test_a_failure_that_is_not_a_mismatch_names_its_type() -> None:
    with pytest.raises(DecodeError) as info:
        structure(1, complex)
    assert info.value.message.startswith("StructureHandlerNotFoundError: ")
