"""Every constraint the OpenAPI document states, broken once: the call and the parameter the
:class:`ftclient.InvalidParameterError` must name. Used by ``test_bad_input.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ftclient

from .bad_entry_points import ENTRY_POINT_CASES, ENTRY_POINT_CATEGORIES

Call = Callable[[ftclient.FineTuningClient], Any]
Case = tuple[str, Call, str]  # (id, call, expected .param)

CKPT = "ft:gpt-4o-mini:org-emulator::abc:ckpt-step-10"
STRING_CHECK = {
    "type": "string_check",
    "name": "g",
    "input": "{{sample.output_text}}",
    "reference": "yes",
    "operation": "eq",
}
GRADERS: dict[str, dict[str, Any]] = {
    "string_check": STRING_CHECK,
    "text_similarity": {
        "type": "text_similarity",
        "name": "t",
        "input": "{{sample.output_text}}",
        "reference": "yes",
        "evaluation_metric": "bleu",
    },
    "python": {"type": "python", "name": "p", "source": "def grade(sample, item):\n  return 1"},
    "score_model": {
        "type": "score_model",
        "name": "s",
        "model": "gpt-4o",
        "input": [{"role": "user", "content": "score {{sample.output_text}}"}],
    },
    "multi": {
        "type": "multi",
        "name": "m",
        "graders": STRING_CHECK,
        "calculate_output": "string_check",
    },
}
LABEL_MODEL = {
    "type": "label_model",
    "name": "l",
    "model": "gpt-4o",
    "input": [{"role": "user", "content": "label {{sample.output_text}}"}],
    "labels": ["good", "bad"],
    "passing_labels": ["good"],
}


def create(**kwargs: Any) -> Call:
    args = {"model": "gpt-4o-mini", "training_file": "file-t", **kwargs}
    return lambda c: c.jobs.create(**args)


def method(kind: str, **block: Any) -> dict[str, Any]:
    return {"type": kind, kind: block}


def _path_ids() -> list[Case]:
    cases: list[Case] = []
    bad: list[tuple[str, object]] = [("empty", ""), ("blank", "  "), ("int", 5), ("bytes", b"x")]
    bad.append(("lone-surrogate", "a\ud800"))
    for label, value in [*bad, ("none", None)]:
        v: Any = value
        cases += [
            (f"retrieve-{label}", lambda c, v=v: c.jobs.retrieve(v), "job_id"),
            (f"cancel-{label}", lambda c, v=v: c.jobs.cancel(v), "job_id"),
            (f"pause-{label}", lambda c, v=v: c.jobs.pause(v), "job_id"),
            (f"resume-{label}", lambda c, v=v: c.jobs.resume(v), "job_id"),
            (f"events-{label}", lambda c, v=v: c.jobs.list_events(v), "job_id"),
            (f"checkpoints-{label}", lambda c, v=v: c.checkpoints.list(v), "job_id"),
            (f"perm-list-{label}", lambda c, v=v: c.permissions.list(v), "checkpoint"),
            (
                f"perm-create-{label}",
                lambda c, v=v: c.permissions.create(v, project_ids=["p"]),
                "checkpoint",
            ),
            (
                f"perm-delete-ckpt-{label}",
                lambda c, v=v: c.permissions.delete(v, "cp_1"),
                "checkpoint",
            ),
            (
                f"perm-delete-id-{label}",
                lambda c, v=v: c.permissions.delete(CKPT, v),
                "permission_id",
            ),
        ]
    for label, value in bad:  # None is a valid "no cursor"
        v = value
        cases += [
            (f"jobs-after-{label}", lambda c, v=v: c.jobs.list(after=v), "after"),
            (f"events-after-{label}", lambda c, v=v: c.jobs.list_events("j", after=v), "after"),
            (f"ckpts-after-{label}", lambda c, v=v: c.checkpoints.list("j", after=v), "after"),
            (f"perms-after-{label}", lambda c, v=v: c.permissions.list(CKPT, after=v), "after"),
            (
                f"perms-project-{label}",
                lambda c, v=v: c.permissions.list(CKPT, project_id=v),
                "project_id",
            ),
        ]
    return cases


def _limits() -> list[Case]:
    lists: dict[str, Call] = {
        "jobs": lambda c: c.jobs.list,
        "events": lambda c: lambda **kw: c.jobs.list_events("j", **kw),
        "checkpoints": lambda c: lambda **kw: c.checkpoints.list("j", **kw),
        "permissions": lambda c: lambda **kw: c.permissions.list(CKPT, **kw),
    }
    cases: list[Case] = []
    for name, lister in lists.items():
        for value in (True, "5", 1.5, [20]):
            cases.append(
                (f"{name}-limit-{value!r}", lambda c, f=lister, v=value: f(c)(limit=v), "limit")
            )
    return cases


def _metadata() -> list[Case]:
    bad: list[tuple[str, Any, str]] = [
        ("17-keys", {f"k{i}": "v" for i in range(17)}, "metadata"),
        ("long-key", {"k" * 65: "v"}, f"metadata[{'k' * 20!r}...]"),
        ("long-value", {"k": "v" * 513}, "metadata['k']"),
        ("int-value", {"k": 1}, "metadata['k']"),
        ("none-value", {"k": None}, "metadata['k']"),
        ("surrogate-key", {"\udc80": "v"}, "metadata['\\udc80']"),
        ("surrogate-value", {"k": "a\ud800"}, "metadata['k']"),
        ("int-key", {1: "v"}, "metadata"),
        ("list", [("k", "v")], "metadata"),
        ("str", "k=v", "metadata"),
    ]
    cases: list[Case] = []
    for label, value, param in bad:
        cases.append((f"create-metadata-{label}", create(metadata=value), param))
        cases.append((f"list-metadata-{label}", lambda c, v=value: c.jobs.list(metadata=v), param))
    return cases


def _job_fields() -> list[Case]:
    cases: list[Case] = [
        (f"suffix-{label}", create(suffix=value), "suffix")
        for label, value in [
            ("empty", ""),
            ("65-chars", "a" * 65),
            ("int", 5),
            ("surrogate", "a\udc80"),
        ]
    ]
    cases += [
        (f"seed-{label}", create(seed=value), "seed")
        for label, value in [
            ("-1", -1),
            ("2**31", 2**31),
            ("bool", True),
            ("str", "1"),
            ("float", 1.5),
        ]
    ]
    cases += [
        ("model-int", create(model=5), "model"),
        ("training-file-none", create(training_file=None), "training_file"),
        ("validation-file-int", create(validation_file=5), "validation_file"),
        (
            "integration-type",
            create(integrations=[{"type": "x", "wandb": {}}]),
            "integrations[0].type",
        ),
        (
            "integration-project",
            create(integrations=[{"type": "wandb", "wandb": {}}]),
            "integrations[0].wandb.project",
        ),
        ("model-surrogate", create(model="gpt\udc80"), "model"),
        ("training-file-surrogate", create(training_file="file-\ud800"), "training_file"),
        ("method-type", create(method={"type": "rlhf"}), "method.type"),
        (
            "unknown-field-nan",
            create(method={"type": "dpo", "x_new": float("nan")}),
            "method.x_new",
        ),
        ("unknown-field-object", create(method={"type": "dpo", "x": object()}), "method.x"),
        ("unknown-key-surrogate", create(method={"type": "dpo", "\udc80": 1}), "method.\udc80"),
    ]
    return cases


RANGES: list[tuple[str, Any]] = [
    ("n_epochs", 0),
    ("n_epochs", 51),
    ("n_epochs", "Auto"),
    ("n_epochs", True),
    ("batch_size", 0),
    ("batch_size", 257),
    ("batch_size", "max"),
    ("learning_rate_multiplier", 0),
    ("learning_rate_multiplier", -1),
    ("learning_rate_multiplier", "fast"),
    ("learning_rate_multiplier", float("nan")),
    ("learning_rate_multiplier", float("inf")),
]
EXTRA_RANGES: dict[str, list[tuple[str, Any]]] = {
    "supervised": [],
    "dpo": [("beta", 0), ("beta", 2.5), ("beta", "big")],
    "reinforcement": [
        ("compute_multiplier", 0),
        ("compute_multiplier", 11),
        ("eval_interval", 0),
        ("eval_samples", 0),
        ("reasoning_effort", "maximum"),
    ],
}


def _hyperparameters() -> list[Case]:
    cases: list[Case] = []
    for kind, extra in EXTRA_RANGES.items():
        for name, value in RANGES + extra:
            block: dict[str, Any] = {"hyperparameters": {name: value}}
            if kind == "reinforcement":
                block["grader"] = STRING_CHECK
            param = f"method.{kind}.hyperparameters.{name}"
            cases.append((f"{kind}-{name}-{value!r}", create(method=method(kind, **block)), param))
    for name, value in RANGES:
        param = f"hyperparameters.{name}"
        cases.append((f"deprecated-{name}-{value!r}", create(hyperparameters={name: value}), param))
    return cases


def _graders() -> list[Case]:
    variants: list[tuple[str, dict[str, Any], str]] = []
    for kind, grader in GRADERS.items():
        for field in grader:
            if field != "type":
                broken = {k: v for k, v in grader.items() if k != field}
                variants.append((f"{kind}-no-{field}", broken, field))
    variants += [
        ("string_check-operation", {**STRING_CHECK, "operation": "gt"}, "operation"),
        (
            "text_similarity-metric",
            {**GRADERS["text_similarity"], "evaluation_metric": "x"},
            "evaluation_metric",
        ),
        ("unknown-type", {"type": "regex", "name": "r"}, "type"),
        ("label_model-outside-multi", LABEL_MODEL, "type"),
        (
            "multi-label-no-labels",
            {
                **GRADERS["multi"],
                "graders": {k: v for k, v in LABEL_MODEL.items() if k != "labels"},
            },
            "graders.labels",
        ),
        (
            "multi-label-no-passing",
            {
                **GRADERS["multi"],
                "graders": {k: v for k, v in LABEL_MODEL.items() if k != "passing_labels"},
            },
            "graders.passing_labels",
        ),
        ("score_model-range", {**GRADERS["score_model"], "range": "0-1"}, "range"),
        ("not-a-mapping", "string_check", ""),
    ]
    cases: list[Case] = []
    for label, grader, field in variants:
        suffix = f".{field}" if field else ""
        cases += [
            (
                f"validate-{label}",
                lambda c, g=grader: c.graders.validate(grader=g),
                f"grader{suffix}",
            ),
            (
                f"run-{label}",
                lambda c, g=grader: c.graders.run(grader=g, model_sample="yes"),
                f"grader{suffix}",
            ),
            (
                f"rft-{label}",
                create(method=method("reinforcement", grader=grader)),
                f"method.reinforcement.grader{suffix}",
            ),
        ]
    cases += [
        (
            "run-item-list",
            lambda c: c.graders.run(grader=STRING_CHECK, model_sample="y", item=[1]),
            "item",
        ),
        (
            "run-sample-int",
            lambda c: c.graders.run(grader=STRING_CHECK, model_sample=3),
            "model_sample",
        ),
    ]
    return cases


def _permissions() -> list[Case]:
    return [
        (
            f"project_ids-{label}",
            lambda c, v=value: c.permissions.create(CKPT, project_ids=v),
            param,
        )
        for label, value, param in [
            ("empty", [], "project_ids"),
            ("str", "proj-a", "project_ids"),
            ("none", None, "project_ids"),
            ("blank-item", ["proj-a", ""], "project_ids[1]"),
            ("int-item", [5], "project_ids[0]"),
        ]
    ] + [("order", lambda c: c.permissions.list(CKPT, order="newest"), "order")]


def _headers() -> list[Case]:
    cases: list[Case] = []
    for label, value in [
        ("cr", "a\rb"),
        ("lf", "a\nX-Evil: 1"),
        ("nul", "a\x00"),
        ("sur", "\udc80"),
    ]:
        cases += [
            (
                f"extra-headers-{label}",
                lambda c, v=value: c.jobs.retrieve("j", extra_headers={"X-A": v}),
                "extra_headers['X-A']",
            ),
            (
                f"extra-headers-list-{label}",
                lambda c, v=value: c.jobs.list(extra_headers={"X-A": v}),
                "extra_headers['X-A']",
            ),
            (f"idempotency-key-{label}", create(idempotency_key=value), "idempotency_key"),
        ]
    for label, name in [("colon", "X:A"), ("space", "X A"), ("lf", "X\nA"), ("empty", "")]:
        cases.append(
            (
                f"header-name-{label}",
                lambda c, n=name: c.jobs.retrieve("j", extra_headers={n: "v"}),
                f"extra_headers[{name!r}]",
            )
        )
    for label, headers in [("int-name", {1: "x"}), ("str", "X: y"), ("list", ["X"])]:
        cases.append(
            (
                f"extra-headers-{label}",
                lambda c, h=headers: c.jobs.retrieve("j", extra_headers=h),
                "extra_headers",
            )
        )
    cases += [
        (
            "extra-headers-int-value",
            lambda c: c.jobs.cancel("j", extra_headers={"X-A": 1}),
            "extra_headers['X-A']",
        ),
        ("idempotency-key-600", create(idempotency_key="k" * 600), "idempotency_key"),
        ("idempotency-key-empty", create(idempotency_key=""), "idempotency_key"),
        ("idempotency-key-int", create(idempotency_key=5), "idempotency_key"),
    ]
    return cases


CASES: list[Case] = [
    *_path_ids(),
    *_limits(),
    *_metadata(),
    *_job_fields(),
    *_hyperparameters(),
    *_graders(),
    *_permissions(),
    *_headers(),
    *ENTRY_POINT_CASES,
]
CATEGORIES = {
    "path parameters and cursors": len(_path_ids()),
    "limit": len(_limits()),
    "metadata": len(_metadata()),
    "suffix, seed and other job fields": len(_job_fields()),
    "hyperparameters": len(_hyperparameters()),
    "graders": len(_graders()),
    "permissions": len(_permissions()),
    "headers and idempotency keys": len(_headers()),
    **ENTRY_POINT_CATEGORIES,
}
