"""The models against the OpenAPI contract: every example decodes, every schema has its class.

Pure: no event loop, no I/O beyond reading the bundled spec.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftclient import models
from ftclient._wire.convert import structure, unstructure

SPEC_JSON = Path(models.__file__).parent.parent / "_spec" / "fine_tuning.openapi.json"
SPEC: dict[str, Any] = json.loads(SPEC_JSON.read_text("utf-8"))
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]

_STRING = r'"(?:[^"\\]|\\.)*"'


def lenient_json(text: str) -> Any:
    """Load an example from the spec, repairing the non-JSON its authors wrote.

    Repairs: python triple-quoted strings, python implicit string concatenation in parentheses,
    ``{ ... }`` placeholders, bare ``None``, a missing comma at a line end, trailing commas.
    """
    s = re.sub(
        r'(?<!\\)"""(.*?)(?<!\\)"""',
        lambda m: json.dumps(m.group(1).replace('\\"""', '"""')),
        text,
        flags=re.S,
    )
    s = re.sub(
        rf"\(\s*((?:{_STRING}\s*)+)\)",
        lambda m: json.dumps("".join(json.loads(p) for p in re.findall(_STRING, m.group(1)))),
        s,
    )
    s = re.sub(r"\{\s*\.\.\.\s*\}\s*,?", "", s)
    s = re.sub(r":\s*None\b", ": null", s)
    s = re.sub(r'("|\d|true|false|null|\]|\})(\s*\n\s*")', r"\1,\2", s)
    s = re.sub(r",(\s*[}\]])", r"\1", s)
    return json.loads(s)


def _ref_name(schema: dict[str, Any]) -> str:
    return str(schema["$ref"]).rsplit("/", 1)[-1]


def _operation_examples() -> list[Any]:
    out = []
    for path, operations in SPEC["paths"].items():
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            examples = op.get("x-oaiMeta", {}).get("examples", [])
            for n, example in enumerate(examples if isinstance(examples, list) else [examples]):
                if example.get("response"):
                    title = example.get("title") or str(n)
                    out.append(
                        pytest.param(
                            example["response"],
                            _ref_name(schema),
                            id=f"{method.upper()} {path} [{title}]",
                        )
                    )
    return out


def _schema_examples() -> list[Any]:
    return [
        pytest.param(schema["x-oaiMeta"]["example"], name, id=name)
        for name, schema in SCHEMAS.items()
        if "example" in schema.get("x-oaiMeta", {})
    ]


OPERATION_EXAMPLES = _operation_examples()
SCHEMA_EXAMPLES = _schema_examples()


def test_the_spec_has_the_examples_we_expect() -> None:
    # 13 operations, create-job has 6 examples; two run-grader examples have no response.
    assert len(OPERATION_EXAMPLES) == 18
    assert len(SCHEMA_EXAMPLES) == 10


@pytest.mark.parametrize(("text", "schema_name"), OPERATION_EXAMPLES + SCHEMA_EXAMPLES)
def test_every_spec_example_decodes(text: str, schema_name: str) -> None:
    data = lenient_json(text)
    cls = getattr(models, schema_name)
    obj = structure(data, cls)
    assert isinstance(obj, cls)
    # The document comes back exactly as it arrived.
    assert unstructure(obj) == data
    # A copy built from the fields (not decoded) sends only what the example said.
    built = attrs.evolve(obj)
    assert structure(unstructure(built), cls) == obj
    assert_sent_back(unstructure(built), data)


def assert_sent_back(out: Any, data: Any, path: str = "$") -> None:
    """``out`` (what we encode) holds nothing but what ``data`` (what we decoded) said."""
    if path.endswith(".graders") and isinstance(out, dict) and not isinstance(data, dict | None):
        # A multi grader's list (the spec's example) is sent as the service's name -> grader map.
        assert_sent_back(list(out.values()), data, path)
    elif isinstance(out, dict) and isinstance(data, dict):
        for key, value in out.items():
            if key in data:
                assert_sent_back(value, data[key], f"{path}.{key}")
            else:  # only a constant the model defaults (``object``) may appear
                assert key == "object", f"{path}.{key}"
    elif isinstance(out, list) and isinstance(data, list):
        assert len(out) == len(data), path
        for i, (a, b) in enumerate(zip(out, data, strict=True)):
            assert_sent_back(a, b, f"{path}[{i}]")
    elif out is None and isinstance(data, dict) and not any(data.values()):
        assert path.endswith(".error"), path  # {} and all-null job errors mean "no error"
    else:
        assert out == data, path


def test_example_details_survive() -> None:
    retrieve = SPEC["paths"]["/fine_tuning/jobs/{fine_tuning_job_id}"]["get"]["x-oaiMeta"]
    job = structure(lenient_json(retrieve["examples"]["response"]), models.FineTuningJob)
    assert job.status is models.FineTuningJobStatus.SUCCEEDED
    assert job.is_terminal
    assert job.hyperparameters == models.FineTuningJobHyperparameters(
        n_epochs=4, batch_size=1, learning_rate_multiplier=1.0
    )
    assert job.method is not None
    assert job.method.type is models.FineTuneMethodType.SUPERVISED
    assert job.result_files == ["file-abc123"]

    pause = SPEC["paths"]["/fine_tuning/jobs/{fine_tuning_job_id}/pause"]["post"]["x-oaiMeta"]
    paused = structure(lenient_json(pause["examples"]["response"]), models.FineTuningJob)
    assert paused.status is models.FineTuningJobStatus.PAUSED
    assert not paused.is_terminal
    # Absent fields decode as None; the document stays as it arrived.
    assert paused.error is None
    assert paused.seed is None
    assert "finished_at" not in unstructure(paused)


def test_multi_grader_example_sends_a_list() -> None:
    data = lenient_json(SCHEMAS["GraderMulti"]["x-oaiMeta"]["example"])
    grader = structure(data, models.GraderMulti)
    assert grader.graders is not None
    assert list(grader.graders) == ["example text similarity grader", "Example string check grader"]
    assert [type(g) for g in grader.graders.values()] == [
        models.GraderTextSimilarity,
        models.GraderStringCheck,
    ]
    assert isinstance(unstructure(grader)["graders"], list)  # to_dict: the form that arrived


def test_python_grader_example_keeps_its_source() -> None:
    grader = structure(
        lenient_json(SCHEMAS["GraderPython"]["x-oaiMeta"]["example"]), models.GraderPython
    )
    assert grader.source.startswith("\ndef grade(sample: dict, item: dict) -> float:")
    assert '"""\n    Returns 1.0' in grader.source
    assert grader.image_tag == "2025-05-08"


def test_score_model_example_joins_its_text() -> None:
    grader = structure(
        lenient_json(SCHEMAS["GraderScoreModel"]["x-oaiMeta"]["example"]), models.GraderScoreModel
    )
    content = grader.input[0].content
    assert isinstance(content, list)
    assert isinstance(content[0], models.InputTextContent)
    assert content[0].text.startswith("Score how close")
    assert content[0].text.endswith("Model answer: {{sample.output_text}}")
    assert isinstance(content[1], models.EvalItemInputImage)
    assert grader.sampling_params is not None
    assert grader.sampling_params.reasoning_effort is models.ReasoningEffort.MEDIUM


def test_run_grader_example_token_usage_is_an_object() -> None:
    run = SPEC["paths"]["/fine_tuning/alpha/graders/run"]["post"]["x-oaiMeta"]["examples"][0]
    response = structure(lenient_json(run["response"]), models.RunGraderResponse)
    assert response.reward == 1.0
    assert response.metadata.token_usage == {
        "prompt_tokens": 190,
        "total_tokens": 324,
        "completion_tokens": 134,
        "cached_tokens": 0,
    }
    assert response.metadata.errors.python_grader_server_error_type is None


def _curl_body(curl: str) -> Any:
    match = re.search(r"-d '(.*)'", curl, flags=re.S)
    assert match, curl
    return lenient_json(match.group(1))


REQUESTS = [
    pytest.param(example["request"]["curl"], path, n, id=f"{path} [{n}]")
    for path, operations in SPEC["paths"].items()
    for op in operations.values()
    if isinstance(op, dict) and "requestBody" in op
    for n, example in enumerate(
        op["x-oaiMeta"]["examples"]
        if isinstance(op["x-oaiMeta"]["examples"], list)
        else [op["x-oaiMeta"]["examples"]]
    )
]


@pytest.mark.parametrize(("curl", "path", "n"), REQUESTS)
def test_every_spec_request_body_decodes_and_reencodes(curl: str, path: str, n: int) -> None:
    op = next(o for o in SPEC["paths"][path].values() if isinstance(o, dict) and "requestBody" in o)
    cls = getattr(models, _ref_name(op["requestBody"]["content"]["application/json"]["schema"]))
    body = _curl_body(curl)
    request = structure(body, cls)
    # Request bodies from the docs have no unknown fields except the image's file_id.
    again = unstructure(request)
    assert structure(again, cls) == request
    assert set(again) == set(body)


# --- every schema has its class, with the spec's property names -----------------------------

ALIASES = {
    "Metadata",
    "EvalItemContent",
    "EvalItemContentArray",
    "EvalItemContentItem",
    "EvalItemContentText",
}


def test_every_schema_has_a_public_name() -> None:
    assert len(SCHEMAS) == 41
    missing = [name for name in SCHEMAS if name not in models.__all__]
    assert missing == []


@pytest.mark.parametrize(
    "name", [n for n, s in SCHEMAS.items() if "properties" in s and n not in ALIASES]
)
def test_class_fields_match_schema_properties(name: str) -> None:
    schema = SCHEMAS[name]
    cls = getattr(models, name)
    fields = attrs.fields_dict(cls)
    assert set(fields) == set(schema["properties"])
    for field_name, field in fields.items():
        const = schema["properties"][field_name].get("enum")
        if (name, field_name) in REQUIRED or (
            name.endswith("Request") and field.default is attrs.NOTHING
        ):
            # An identity field (or a request's required field): no default.
            assert field.default is attrs.NOTHING, field_name
            assert field_name in schema.get("required", []), field_name
        elif const is not None and len(const) == 1 and field_name in schema.get("required", []):
            # A constant (``type``/``object``/``mode``) defaults to its only value.
            assert [field.default] == const, field_name
        elif field_name == "has_more":
            assert field.default is False
        else:
            # Anything else may be absent in a response: it defaults to None.
            assert field.default is None, field_name


# Only these response fields are required when decoding: those every known server sends (the
# models' module docstrings say why each other one is optional). Everything else may be absent
# or null (see ftclient._wire.convert).
REQUIRED = {
    *(
        ("FineTuningJob", f)
        for f in ("id", "object", "created_at", "model", "status", "training_file")
    ),
    *(("FineTuningJobEvent", f) for f in ("id", "object", "created_at", "level", "message")),
    *(
        ("FineTuningJobCheckpoint", f)
        for f in (
            "id",
            "object",
            "created_at",
            "fine_tuned_model_checkpoint",
            "step_number",
            "metrics",
            "fine_tuning_job_id",
        )
    ),
    *(("FineTuningCheckpointPermission", f) for f in ("id", "object", "created_at", "project_id")),
    *(("DeleteFineTuningCheckpointPermissionResponse", f) for f in ("id", "object", "deleted")),
    ("ListPaginatedFineTuningJobsResponse", "data"),
    ("ListFineTuningJobEventsResponse", "data"),
    ("ListFineTuningJobCheckpointsResponse", "data"),
    ("ListFineTuningCheckpointPermissionResponse", "data"),
    # A metrics event's data without an integer step is no point: it stays the mapping sent.
    ("MetricPoint", "step"),
    ("MetricSeries", "job_id"),  # built by jobs.metrics, never decoded
    *(("FileObject", f) for f in ("id", "object", "bytes", "created_at", "filename", "purpose")),
    *(("FileDeleted", f) for f in ("id", "object", "deleted")),
    *(
        ("Upload", f)
        for f in (
            "id",
            "object",
            "bytes",
            "created_at",
            "expires_at",
            "filename",
            "purpose",
            "status",
        )
    ),
    *(("UploadPart", f) for f in ("id", "object", "created_at", "upload_id")),
    ("ListFilesResponse", "data"),
    ("RunGraderResponse", "reward"),  # the answer; the rest of the alpha endpoint's may move
}


def test_response_classes_require_what_every_server_sends() -> None:
    required = {
        (name, a.name)
        for name in models.__all__
        if attrs.has(getattr(models, name)) and not name.endswith("Request")
        for a in attrs.fields(getattr(models, name))
        if a.default is attrs.NOTHING
    }
    unknown = {("UnknownGrader", "type"), ("UnknownGrader", "raw")}
    unknown |= {("UnknownContentItem", "type"), ("UnknownContentItem", "raw")}
    assert required == REQUIRED | unknown


NESTED = [
    ("FineTuningJob", "error", models.FineTuningJobError),
    ("FineTuningJob", "hyperparameters", models.FineTuningJobHyperparameters),
    ("FineTuningIntegration", "wandb", models.WandbIntegration),
    ("FineTuningJobCheckpoint", "metrics", models.FineTuningJobCheckpointMetrics),
    ("GraderScoreModel", "sampling_params", models.ScoreModelSamplingParams),
    ("RunGraderResponse", "metadata", models.RunGraderResponseMetadata),
    ("InputAudio", "input_audio", models.InputAudioData),
]


@pytest.mark.parametrize(("parent", "prop", "cls"), NESTED)
def test_nested_classes_match_their_anonymous_schemas(parent: str, prop: str, cls: type) -> None:
    schema = SCHEMAS[parent]["properties"][prop]
    schema = next((s for s in schema.get("anyOf", []) if s.get("type") == "object"), schema)
    assert set(attrs.fields_dict(cls)) == set(schema["properties"])


def test_run_grader_errors_match_their_schema() -> None:
    schema = SCHEMAS["RunGraderResponse"]["properties"]["metadata"]["properties"]["errors"]
    fields = attrs.fields_dict(models.RunGraderResponseErrors)
    assert set(fields) == set(schema["properties"]) == set(schema["required"])


def test_status_enum_is_the_spec_enum_plus_paused_and_azures() -> None:
    spec_enum = SCHEMAS["FineTuningJob"]["properties"]["status"]["enum"]
    expected = [*spec_enum, "paused", "pending", "resuming"]
    assert [s.value for s in models.FineTuningJobStatus] == expected
    assert {s.value for s in models.TERMINAL_STATUSES} == {"succeeded", "failed", "cancelled"}


# --- property test: valid FineTuningJob dicts round-trip -------------------------------------

text = st.text(max_size=12)
unix = st.integers(min_value=0, max_value=2**40)
positive = st.floats(min_value=1e-6, max_value=1e3, allow_nan=False, allow_infinity=False)


def _auto_or(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just("auto"), numbers)


hyper = st.fixed_dictionaries(
    {},
    optional={
        "batch_size": _auto_or(st.integers(1, 256)),
        "learning_rate_multiplier": _auto_or(positive | st.integers(1, 10)),
        "n_epochs": _auto_or(st.integers(1, 50)),
    },
)
string_check = st.fixed_dictionaries(
    {
        "type": st.just("string_check"),
        "name": text,
        "input": text,
        "reference": text,
        "operation": st.sampled_from(["eq", "ne", "like", "ilike"]),
    }
)
content_item = st.one_of(
    text,
    st.fixed_dictionaries({"type": st.just("input_text"), "text": text}),
    st.fixed_dictionaries({"type": st.just("output_text"), "text": text}),
    st.fixed_dictionaries(
        {"type": st.just("input_image"), "image_url": text}, optional={"detail": text}
    ),
)
eval_item = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "developer"]),
        "content": content_item | st.lists(content_item, max_size=3),
    },
    optional={"type": st.just("message")},
)
score_model = st.fixed_dictionaries(
    {
        "type": st.just("score_model"),
        "name": text,
        "model": text,
        "input": st.lists(eval_item, max_size=2),
    },
    optional={
        "range": st.lists(positive, min_size=2, max_size=2),
        "sampling_params": st.fixed_dictionaries(
            {}, optional={"seed": st.integers(), "reasoning_effort": st.just("high")}
        ),
    },
)
grader = st.one_of(
    string_check,
    st.fixed_dictionaries(
        {"type": st.just("python"), "name": text, "source": text}, optional={"image_tag": text}
    ),
    score_model,
    st.fixed_dictionaries(
        {
            "type": st.just("multi"),
            "name": text,
            "graders": string_check | st.lists(string_check, max_size=2),
            "calculate_output": text,
        }
    ),
)
method = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("supervised")},
        optional={"supervised": st.fixed_dictionaries({}, optional={"hyperparameters": hyper})},
    ),
    st.fixed_dictionaries(
        {"type": st.just("dpo")},
        optional={
            "dpo": st.fixed_dictionaries(
                {},
                optional={"hyperparameters": st.fixed_dictionaries({"beta": _auto_or(positive)})},
            )
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("reinforcement")},
        optional={
            "reinforcement": st.fixed_dictionaries(
                {"grader": grader},
                optional={
                    "hyperparameters": st.fixed_dictionaries(
                        {
                            "reasoning_effort": st.sampled_from(["default", "low", "high"]),
                            "eval_samples": _auto_or(st.integers(1, 9)),
                            "compute_multiplier": _auto_or(positive),
                        }
                    )
                },
            )
        },
    ),
)
integration = st.fixed_dictionaries(
    {
        "type": st.just("wandb"),
        "wandb": st.fixed_dictionaries(
            {"project": text},
            optional={"name": text, "entity": text, "tags": st.lists(text, max_size=3)},
        ),
    }
)
jobs = st.fixed_dictionaries(
    {
        "id": text,
        "created_at": unix,
        "error": st.none()
        | st.fixed_dictionaries(
            {"code": st.text(min_size=1), "message": st.text(min_size=1), "param": st.none() | text}
        ),
        "fine_tuned_model": st.none() | text,
        "finished_at": st.none() | unix,
        "hyperparameters": hyper,
        "model": text,
        "object": st.just("fine_tuning.job"),
        "organization_id": text,
        "result_files": st.lists(text, max_size=3),
        "status": st.sampled_from([s.value for s in models.FineTuningJobStatus]),
        "trained_tokens": st.none() | st.integers(min_value=0),
        "training_file": text,
        "validation_file": st.none() | text,
        "seed": st.integers(0, 2**31 - 1),
    },
    optional={
        # Optional nullable fields are generated non-null: an explicit null and an absent field
        # both decode as None, and None is sent as "absent" (documented in _convert).
        "integrations": st.lists(integration, max_size=5),
        "estimated_finish": unix,
        "method": method,
        "metadata": st.dictionaries(st.text(max_size=64), st.text(max_size=20), max_size=16),
    },
)


@settings(max_examples=300, deadline=None)
@given(jobs)
def test_valid_jobs_round_trip(data: dict[str, Any]) -> None:
    job = structure(data, models.FineTuningJob)
    assert unstructure(job) == data
    with_unknown = {**data, "user_provided_suffix": None, "usage_metrics": {"x": 1}}
    assert structure(with_unknown, models.FineTuningJob) == job


@settings(max_examples=50, deadline=None)
@given(st.lists(jobs, max_size=4), st.booleans())
def test_valid_job_pages_round_trip(data: list[dict[str, Any]], has_more: bool) -> None:
    page = {"object": "list", "data": data, "has_more": has_more}
    assert unstructure(structure(page, models.ListPaginatedFineTuningJobsResponse)) == page
