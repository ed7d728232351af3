"""The grader endpoints: structural and semantic validation, and offline evaluation.

``validate`` checks every grader type. ``run`` evaluates what can be computed without a model or a
sandbox: ``string_check``, ``text_similarity`` (see :mod:`._metrics`) and ``multi`` over those;
``score_model``, ``label_model`` and ``python`` graders, and the ``meteor``/``cosine`` metrics,
get a 400 that says so rather than an invented score.

Templates: ``{{sample.output_text}}``, ``{{sample.output_json.a.b}}`` (when the sample is valid
JSON) and ``{{item.a.b}}`` (dots walk nested objects, digits index lists). A variable that cannot
be resolved renders as ``""`` and sets ``errors.invalid_variable_error`` (or
``errors.sample_parse_error`` when the sample is not JSON).

The multi grader takes ``graders`` in the three forms ftclient decodes: the service's map of name
-> grader (``calculate_output`` then uses those names: ``"0.5 * a + 0.5 * b"``), and the spec's
single grader and list (each score bound to the grader's ``name`` when that is an identifier and
to its ``type``; with a list, a later grader of the same name or type wins).
"""

from __future__ import annotations

import ast
import json
import re
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from ftclient._wire.schema import SchemaViolation, component, validate

from ._errors import bad_request, from_violation
from ._formula import Formula, FormulaError
from ._metrics import UnsupportedMetric, similarity

__all__ = [
    "SubGrader",
    "check_grader",
    "formula_names",
    "run_grader",
    "sub_graders",
    "validate_grader",
]

_TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_SAMPLE_FIELDS = ("output_text", "output_json", "output_tools")
_OFFLINE_REASONS = {
    "score_model": "it needs a model to sample a score from",
    "label_model": "it needs a model to sample a label from",
    "python": "it would run arbitrary code in a sandbox the emulator does not have",
}
_ERROR_FLAGS = (
    "formula_parse_error",
    "sample_parse_error",
    "truncated_observation_error",
    "unresponsive_reward_error",
    "invalid_variable_error",
    "other_error",
    "python_grader_server_error",
    "python_grader_runtime_error",
    "model_grader_server_error",
    "model_grader_refusal_error",
    "model_grader_parse_error",
)
_ERROR_DETAILS = (
    "python_grader_server_error_type",
    "python_grader_runtime_error_details",
    "model_grader_server_error_details",
)


def formula_names(sub: Mapping[str, Any]) -> set[str]:
    """Names a formula may use for the score of a sub-grader given alone or in a list."""
    names = {sub["type"]}
    if sub["name"].isidentifier():
        names.add(sub["name"])
    return names


class SubGrader(NamedTuple):
    """One grader of a multi grader."""

    param: str  # its dotted path in the request, for errors
    grader: Mapping[str, Any]
    key: str  # its key in ``sub_rewards``
    names: set[str]  # the names ``calculate_output`` may use for its score


def sub_graders(grader: Mapping[str, Any], param: str) -> list[SubGrader]:
    """A multi grader's graders, in order, whichever form ``graders`` has."""
    graders = grader["graders"]
    if isinstance(graders, list):
        return [
            SubGrader(f"{param}.graders[{i}]", g, g["name"], formula_names(g))
            for i, g in enumerate(graders)
        ]
    if isinstance(graders.get("type"), str):
        return [SubGrader(f"{param}.graders", graders, graders["name"], formula_names(graders))]
    return [SubGrader(f"{param}.graders.{k}", g, k, {k}) for k, g in graders.items()]


def check_grader(grader: Mapping[str, Any], param: str, *, formula: bool = True) -> None:
    """Check the rules a schema cannot express, for any grader type.

    Args:
        grader: a grader that already passed the schema check.
        param: the dotted path of ``grader`` in the request, used in error ``param``.
        formula: also check a multi grader's ``calculate_output``.

    Raises:
        EmulatorError: 400 naming the offending field.
    """
    kind = grader["type"]
    for key in ("input", "reference"):
        if isinstance(grader.get(key), str):
            _check_templates(grader[key], f"{param}.{key}")
    if kind in ("score_model", "label_model"):
        _check_messages(grader, param)
    if kind == "score_model" and "range" in grader:
        bounds = grader["range"]
        if len(bounds) != 2 or not bounds[0] < bounds[1]:
            raise bad_request(
                "'range' must be two numbers [low, high] with low < high.", f"{param}.range"
            )
    elif kind == "label_model":
        labels, passing = grader["labels"], grader["passing_labels"]
        if not labels or len(set(labels)) != len(labels):
            raise bad_request(
                "'labels' must be a non-empty list of distinct labels.", f"{param}.labels"
            )
        unknown = [label for label in passing if label not in labels]
        if not passing or unknown:
            raise bad_request(
                f"'passing_labels' must be a non-empty subset of 'labels'; unknown: {unknown}.",
                f"{param}.passing_labels",
            )
    elif kind == "python":
        _check_python(grader["source"], f"{param}.source")
    elif kind == "multi":
        subs = sub_graders(grader, param)
        for sub in subs:
            check_grader(sub.grader, sub.param, formula=formula)
        names = set().union(*(sub.names for sub in subs))
        if formula:
            try:
                parsed = Formula(grader["calculate_output"])
            except FormulaError as exc:
                raise bad_request(
                    f"Invalid 'calculate_output': {exc}",
                    f"{param}.calculate_output",
                    code="invalid_formula",
                ) from None
            unknown_names = sorted(parsed.names - names)
            if unknown_names:
                raise bad_request(
                    f"Invalid 'calculate_output': unknown name(s) {', '.join(unknown_names)}; "
                    f"use one of {', '.join(sorted(names))}.",
                    f"{param}.calculate_output",
                    code="invalid_formula",
                )


def _check_templates(text: str, param: str) -> None:
    for variable in _TEMPLATE.findall(text):
        namespace, _, rest = variable.partition(".")
        field = rest.split(".", 1)[0]
        if (namespace == "item" and rest) or (namespace == "sample" and field in _SAMPLE_FIELDS):
            continue
        raise bad_request(
            f"Invalid template variable {{{{{variable}}}}}: use sample.output_text, "
            "sample.output_json.<path> or item.<path>.",
            param,
        )


def _check_messages(grader: Mapping[str, Any], param: str) -> None:
    if not grader["input"]:
        raise bad_request("'input' must contain at least one message.", f"{param}.input")
    for index, message in enumerate(grader["input"]):
        content = message["content"]
        parts = content if isinstance(content, list) else [content]
        for part in parts:
            text = part if isinstance(part, str) else part.get("text")
            if isinstance(text, str):
                _check_templates(text, f"{param}.input[{index}].content")


def _check_python(source: str, param: str) -> None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise bad_request(
            f"Invalid 'source': it does not parse as Python ({exc}).", param
        ) from None
    if not any(isinstance(node, ast.FunctionDef) and node.name == "grade" for node in tree.body):
        raise bad_request(
            "Invalid 'source': it must define a top-level grade(sample, item).", param
        )


def _checked(body: Any, schema_name: str) -> Mapping[str, Any]:
    try:
        validate(body, component(schema_name))
    except SchemaViolation as exc:
        raise from_violation(exc) from None
    grader: Mapping[str, Any] = body["grader"]
    return grader


def validate_grader(body: Any) -> dict[str, Any]:
    """Handle ``validateGrader``: check the grader and echo it.

    Raises:
        EmulatorError: 400 naming the first invalid field.
    """
    grader = _checked(body, "ValidateGraderRequest")
    check_grader(grader, "grader")
    return {"grader": grader}


class _Context:
    def __init__(self, item: Mapping[str, Any], sample: str) -> None:
        self.item = item
        self.sample = sample
        self.errors: dict[str, Any] = dict.fromkeys(_ERROR_FLAGS, False)
        self.errors.update(dict.fromkeys(_ERROR_DETAILS))
        self._json: Any = None
        self._json_state = 0  # 0 not parsed, 1 parsed, -1 not JSON

    def sample_json(self) -> tuple[bool, Any]:
        if self._json_state == 0:
            try:
                self._json, self._json_state = json.loads(self.sample), 1
            except (ValueError, RecursionError):
                self._json_state = -1
        return self._json_state == 1, self._json

    def render(self, template: str) -> str:
        return _TEMPLATE.sub(lambda match: self._variable(match.group(1)), template)

    def _variable(self, variable: str) -> str:
        namespace, _, rest = variable.partition(".")
        path = rest.split(".") if rest else []
        if namespace == "sample" and path[:1] == ["output_text"] and len(path) == 1:
            return self.sample
        if namespace == "sample" and path[:1] == ["output_json"]:
            ok, value = self.sample_json()
            if not ok:
                self.errors["sample_parse_error"] = True
                return ""
            return self._walk(value, path[1:])
        if namespace == "item":
            return self._walk(self.item, path)
        self.errors["invalid_variable_error"] = True
        return ""

    def _walk(self, value: Any, path: list[str]) -> str:
        for part in path:
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                self.errors["invalid_variable_error"] = True
                return ""
        return value if isinstance(value, str) else json.dumps(value)


def _score(grader: Mapping[str, Any], context: _Context, param: str) -> float:
    kind = grader["type"]
    if kind in _OFFLINE_REASONS:
        raise bad_request(
            f"The emulator cannot run a {kind} grader: {_OFFLINE_REASONS[kind]}. It can run "
            "string_check, text_similarity and multi graders over those; validate accepts all.",
            f"{param}.type",
            code="unsupported_grader",
        )
    text, reference = context.render(grader["input"]), context.render(grader["reference"])
    if kind == "string_check":
        operation = grader["operation"]
        if operation == "eq":
            return float(text == reference)
        if operation == "ne":
            return float(text != reference)
        if operation == "like":
            return float(reference in text)
        return float(reference.lower() in text.lower())
    try:
        return similarity(grader["evaluation_metric"], text, reference)
    except UnsupportedMetric as exc:
        raise bad_request(
            str(exc), f"{param}.evaluation_metric", code="unsupported_metric"
        ) from None


def run_grader(body: Any) -> dict[str, Any]:
    """Handle ``runGrader``: evaluate the grader on ``model_sample`` and ``item``.

    Raises:
        EmulatorError: 400 for an invalid grader or one the emulator cannot evaluate.
    """
    top = body.get("grader") if isinstance(body, Mapping) else None
    if isinstance(top, Mapping) and top.get("type") == "label_model":
        # Not in RunGraderRequest's union; say why the emulator could not run it anyway.
        raise bad_request(
            "The emulator cannot run a label_model grader: "
            f"{_OFFLINE_REASONS['label_model']} (and runGrader accepts label_model only "
            "inside a multi grader).",
            "grader.type",
            code="unsupported_grader",
        )
    grader = _checked(body, "RunGraderRequest")
    check_grader(grader, "grader", formula=False)
    item = body.get("item")
    context = _Context(item if isinstance(item, Mapping) else {}, body["model_sample"])
    started = time.perf_counter()
    sub_rewards: dict[str, float] = {}
    if grader["type"] == "multi":
        variables: dict[str, float] = {}
        for sub in sub_graders(grader, "grader"):
            score = _score(sub.grader, context, sub.param)
            sub_rewards[sub.key] = score
            variables.update(dict.fromkeys(sub.names, score))
        try:
            reward = Formula(grader["calculate_output"]).evaluate(variables)
        except FormulaError as exc:
            flag = "formula_parse_error" if exc.stage == "parse" else "other_error"
            context.errors[flag] = True
            reward = 0.0
    else:
        reward = _score(grader, context, "grader")
    return {
        "reward": reward,
        "metadata": {
            "name": grader["name"],
            "type": grader["type"],
            "errors": context.errors,
            "execution_time": time.perf_counter() - started,
            "scores": dict(sub_rewards),
            "token_usage": None,
            "sampled_model_name": None,
        },
        "sub_rewards": sub_rewards,
        "model_grader_token_usage_per_model": {},
    }
