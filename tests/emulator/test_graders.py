"""The grader endpoints: validation rules, offline evaluation, multi formulas, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Api

RUN = "/fine_tuning/alpha/graders/run"
VALIDATE = "/fine_tuning/alpha/graders/validate"


def string_check(operation: str = "eq", **overrides: Any) -> dict[str, Any]:
    return {
        "type": "string_check",
        "name": "check",
        "input": "{{sample.output_text}}",
        "reference": "{{item.label}}",
        "operation": operation,
        **overrides,
    }


def similarity(metric: str, **overrides: Any) -> dict[str, Any]:
    return {
        "type": "text_similarity",
        "name": "sim",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference}}",
        "evaluation_metric": metric,
        **overrides,
    }


SCORE_MODEL = {
    "type": "score_model",
    "name": "judge",
    "model": "gpt-4o-mini",
    "input": [{"role": "user", "content": "Score {{sample.output_text}} against {{item.label}}"}],
    "range": [0, 1],
}
LABEL_MODEL = {
    "type": "label_model",
    "name": "labeller",
    "model": "gpt-4o-mini",
    "input": [{"role": "user", "content": {"type": "input_text", "text": "{{item.text}}"}}],
    "labels": ["positive", "negative"],
    "passing_labels": ["positive"],
}
PYTHON = {
    "type": "python",
    "name": "py",
    "source": "def grade(sample, item):\n    return 1.0\n",
}


def multi(sub: dict[str, Any], formula: str) -> dict[str, Any]:
    return {"type": "multi", "name": "combined", "graders": sub, "calculate_output": formula}


async def run(api: Api, grader: dict[str, Any], sample: str, item: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"grader": grader, "model_sample": sample}
    if item is not None:
        body["item"] = item
    reply = await api.post(RUN, body)
    assert reply.status == 200, reply
    result: dict[str, Any] = reply.body
    return result


@pytest.mark.parametrize(
    "grader",
    [
        string_check(),
        similarity("fuzzy_match"),
        similarity("cosine"),
        PYTHON,
        SCORE_MODEL,
        multi(LABEL_MODEL, "label_model * 2 - 1"),
        multi(string_check(name="exact"), "0.5 * exact + 0.5 * string_check"),
    ],
)
async def test_validate_echoes(api: Api, grader: dict[str, Any]) -> None:
    reply = await api.post(VALIDATE, {"grader": grader})
    assert reply.status == 200, reply
    assert reply.body == {"grader": grader}


@pytest.mark.parametrize(
    ("grader", "param"),
    [
        (string_check("contains"), "grader.operation"),
        (similarity("jaccard"), "grader.evaluation_metric"),
        (string_check(input="{{whatever.x}}"), "grader.input"),
        (string_check(reference="{{sample.unknown}}"), "grader.reference"),
        ({**SCORE_MODEL, "range": [1, 0]}, "grader.range"),
        ({**SCORE_MODEL, "input": []}, "grader.input"),
        ({**PYTHON, "source": "def grade(:"}, "grader.source"),
        ({**PYTHON, "source": "x = 1"}, "grader.source"),
        (
            multi({**LABEL_MODEL, "passing_labels": ["neutral"]}, "label_model"),
            "grader.graders.passing_labels",
        ),
        (multi({**LABEL_MODEL, "labels": []}, "label_model"), "grader.graders.labels"),
        (multi(string_check(), "string_check + other"), "grader.calculate_output"),
        (multi(string_check(), "0.5 * (string_check"), "grader.calculate_output"),
        (multi(string_check(), "__import__('os').system('x')"), "grader.calculate_output"),
        (multi(string_check(), "string_check.real"), "grader.calculate_output"),
        (multi(string_check(), "[string_check][0]"), "grader.calculate_output"),
        ({"type": "string_check", "name": "x"}, "grader.input"),
        ({"type": "mystery", "name": "x"}, None),
    ],
)
async def test_validate_rejects(api: Api, grader: dict[str, Any], param: str | None) -> None:
    reply = await api.post(VALIDATE, {"grader": grader})
    assert reply.status == 400, reply
    if param is None:  # which branch of the union is blamed is the schema validator's call
        assert reply.error["param"].startswith("grader")
    else:
        assert reply.error["param"] == param
    assert reply.error["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("operation", "sample", "label", "reward"),
    [
        ("eq", "Paris", "Paris", 1.0),
        ("eq", "paris", "Paris", 0.0),
        ("ne", "London", "Paris", 1.0),
        ("ne", "Paris", "Paris", 0.0),
        ("like", "The answer is Paris.", "Paris", 1.0),
        ("like", "The answer is paris.", "Paris", 0.0),
        ("ilike", "The answer is PARIS.", "paris", 1.0),
        ("ilike", "The answer is Rome.", "paris", 0.0),
    ],
)
async def test_string_check(
    api: Api, operation: str, sample: str, label: str, reward: float
) -> None:
    result = await run(api, string_check(operation), sample, {"label": label})
    assert result["reward"] == reward
    assert result["metadata"]["name"] == "check"
    assert result["metadata"]["type"] == "string_check"
    assert not any(result["metadata"]["errors"].values())
    assert len(result["metadata"]["errors"]) == 14
    assert result["sub_rewards"] == {}
    assert result["model_grader_token_usage_per_model"] == {}


METRICS = [
    "fuzzy_match",
    "bleu",
    "gleu",
    "rouge_1",
    "rouge_2",
    "rouge_3",
    "rouge_4",
    "rouge_5",
    "rouge_l",
]


@pytest.mark.parametrize("metric", METRICS)
async def test_similarity_identical_and_disjoint(api: Api, metric: str) -> None:
    text = "the quick brown fox jumps over the lazy dog"
    same = await run(api, similarity(metric), text, {"reference": text})
    assert same["reward"] == pytest.approx(1.0)
    other = await run(api, similarity(metric), "xyzw", {"reference": "abc"})
    assert other["reward"] == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("bleu", 0.5),
        ("gleu", 16 / 26),
        ("rouge_1", 7 / 8),
        ("rouge_2", 5 / 7),
        ("rouge_l", 7 / 8),
    ],
)
async def test_similarity_hand_computed(api: Api, metric: str, expected: float) -> None:
    result = await run(
        api,
        similarity(metric),
        "the quick brown fox jumps over the dog",
        {"reference": "the quick brown fox jumped over the dog"},
    )
    assert result["reward"] == pytest.approx(expected)


async def test_fuzzy_match_value(api: Api) -> None:
    result = await run(api, similarity("fuzzy_match"), "kitten", {"reference": "sitting"})
    assert result["reward"] == pytest.approx(8 / 13)


@pytest.mark.parametrize("metric", ["meteor", "cosine"])
async def test_unsupported_metrics_refused(api: Api, metric: str) -> None:
    reply = await api.post(RUN, {"grader": similarity(metric), "model_sample": "a"})
    assert reply.status == 400
    assert reply.error["param"] == "grader.evaluation_metric"
    assert "cannot compute" in reply.error["message"]


@pytest.mark.parametrize(
    ("grader", "param"),
    [
        (SCORE_MODEL, "grader.type"),
        (PYTHON, "grader.type"),
        (multi(LABEL_MODEL, "label_model"), "grader.graders.type"),
    ],
)
async def test_model_and_python_graders_refused(
    api: Api, grader: dict[str, Any], param: str
) -> None:
    reply = await api.post(RUN, {"grader": grader, "model_sample": "x", "item": {"label": "x"}})
    assert reply.status == 400
    assert reply.error["param"] == param
    assert "cannot run" in reply.error["message"]


async def test_label_model_not_allowed_at_top_level_of_run(api: Api) -> None:
    reply = await api.post(RUN, {"grader": LABEL_MODEL, "model_sample": "x"})
    assert reply.status == 400
    assert reply.error["param"] == "grader.type"
    assert "cannot run a label_model" in reply.error["message"]


async def test_multi_formula(api: Api) -> None:
    grader = multi(string_check(name="exact"), "max(0, 0.25 + 0.5 * exact) ^ 2 - abs(-0.0625)")
    result = await run(api, grader, "yes", {"label": "yes"})
    assert result["reward"] == pytest.approx(0.5)
    assert result["sub_rewards"] == {"exact": 1.0}
    assert result["metadata"]["type"] == "multi"
    assert result["metadata"]["name"] == "combined"


@pytest.mark.parametrize(
    ("formula", "flag"),
    [("string_check +", "formula_parse_error"), ("string_check / 0", "other_error")],
)
async def test_multi_formula_errors_are_flagged(api: Api, formula: str, flag: str) -> None:
    result = await run(api, multi(string_check(), formula), "a", {"label": "a"})
    assert result["reward"] == 0.0
    errors = result["metadata"]["errors"]
    assert errors[flag] is True
    assert sum(bool(v) for v in errors.values()) == 1


async def test_templates(api: Api) -> None:
    grader = string_check(
        input="{{ sample.output_json.answer.city }}/{{item.places.1}}",
        reference="{{item.expected.city}}/Rome",
    )
    item = {"expected": {"city": "Paris"}, "places": ["Oslo", "Rome"]}
    result = await run(api, grader, '{"answer": {"city": "Paris"}}', item)
    assert result["reward"] == 1.0
    assert not any(result["metadata"]["errors"].values())


async def test_template_errors_are_flagged(api: Api) -> None:
    not_json = await run(api, string_check(input="{{sample.output_json.x}}"), "plain", {})
    assert not_json["metadata"]["errors"]["sample_parse_error"] is True
    missing = await run(api, string_check(), "x", {"other": 1})
    assert missing["metadata"]["errors"]["invalid_variable_error"] is True
    assert missing["reward"] == 0.0


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"grader": string_check()}, "model_sample"),
        ({"model_sample": "x"}, "grader"),
        ({"grader": string_check(), "model_sample": 3}, "model_sample"),
    ],
)
async def test_run_bad_requests(api: Api, body: dict[str, Any], param: str) -> None:
    reply = await api.post(RUN, body)
    assert reply.status == 400
    assert reply.error["param"] == param


async def test_reinforcement_job_grader_is_validated(api: Api) -> None:
    bad = multi(string_check(), "nope")
    reply = await api.post(
        "/fine_tuning/jobs",
        {
            "model": "o4-mini",
            "training_file": "file-a",
            "method": {"type": "reinforcement", "reinforcement": {"grader": bad}},
        },
    )
    assert reply.status == 400
    assert reply.error["param"] == "method.reinforcement.grader.calculate_output"


# --- the multi grader as the service takes it: a map of name -> grader ---------------------

MAPPED = {
    "type": "multi",
    "name": "combined",
    "graders": {"a": string_check(name="exact"), "b": similarity("fuzzy_match", name="near")},
    "calculate_output": "0.5 * a + 0.5 * b",
}


async def test_validate_accepts_and_echoes_the_map(api: Api) -> None:
    reply = await api.post(VALIDATE, {"grader": MAPPED})
    assert reply.status == 200, reply
    assert reply.body == {"grader": MAPPED}


async def test_run_grades_with_the_map_names(api: Api) -> None:
    result = await run(api, MAPPED, "paris", {"label": "paris", "reference": "paris"})
    assert result["reward"] == pytest.approx(1.0)
    assert result["sub_rewards"] == {"a": 1.0, "b": pytest.approx(1.0)}
    half = await run(api, MAPPED, "paris", {"label": "rome", "reference": "paris"})
    assert half["reward"] == pytest.approx(0.5)
    assert half["sub_rewards"]["a"] == 0.0


async def test_run_grades_with_the_spec_list(api: Api) -> None:
    listed = {**MAPPED, "graders": list(MAPPED["graders"].values()), "calculate_output": "exact"}
    result = await run(api, listed, "x", {"label": "x", "reference": "y"})
    assert result["reward"] == 1.0
    assert set(result["sub_rewards"]) == {"exact", "near"}


@pytest.mark.parametrize(
    ("grader", "param"),
    [
        ({**MAPPED, "calculate_output": "a + exact"}, "grader.calculate_output"),
        (
            {**MAPPED, "graders": {"a": string_check(operation="regex")}},
            "grader.graders.a.operation",
        ),
        ({**MAPPED, "graders": {"a": {**LABEL_MODEL, "labels": []}}}, "grader.graders.a.labels"),
    ],
)
async def test_map_graders_are_checked_one_by_one(
    api: Api, grader: dict[str, Any], param: str
) -> None:
    reply = await api.post(VALIDATE, {"grader": grader})
    assert reply.status == 400
    assert reply.error["param"] == param


async def test_reinforcement_job_takes_and_returns_the_map(api: Api) -> None:
    body = {
        "model": "o4-mini",
        "training_file": "file-a",
        "method": {"type": "reinforcement", "reinforcement": {"grader": MAPPED}},
    }
    reply = await api.post("/fine_tuning/jobs", body)
    assert reply.status == 200, reply
    assert reply.body["method"]["reinforcement"]["grader"] == MAPPED
