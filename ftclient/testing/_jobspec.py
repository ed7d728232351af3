"""Checks on ``CreateFineTuningJobRequest`` beyond its schema, and hyperparameter resolution.

The schema check (``ftclient._wire.schema``) runs first; this module adds the rules the document
states only in prose (metadata limits) and resolves ``"auto"`` to concrete values the way the
service reports them once a job runs. Its own assumptions, each listed in docs/emulator.md: an
empty ``model`` or ``training_file`` is refused; at most 5 integrations; the block named by
``method.type`` is the one used (blocks for other methods are checked against their schema and
then ignored); hyperparameters given in the method's block win over the deprecated top-level
ones, which fill in the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ftclient._checks import MAX_METADATA_KEY_CHARS, MAX_METADATA_KEYS, MAX_METADATA_VALUE_CHARS
from ftclient._wire.schema import SchemaViolation, component, validate

from ._errors import bad_request, from_violation
from ._graders import check_grader

__all__ = ["JobRequest", "check_metadata", "parse_create_request", "resolve_hyperparameters"]

MAX_INTEGRATIONS = 5

#: Hyperparameters each method reports, with the value shown before the job resolves them.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "supervised": {"batch_size": "auto", "learning_rate_multiplier": "auto", "n_epochs": "auto"},
    "dpo": {
        "beta": "auto",
        "batch_size": "auto",
        "learning_rate_multiplier": "auto",
        "n_epochs": "auto",
    },
    "reinforcement": {
        "batch_size": "auto",
        "learning_rate_multiplier": "auto",
        "n_epochs": "auto",
        "reasoning_effort": "default",
        "compute_multiplier": "auto",
        "eval_interval": "auto",
        "eval_samples": "auto",
    },
}
_AUTO_LEARNING_RATE = {"supervised": 1.8, "dpo": 1.0, "reinforcement": 1.0}


@attrs.frozen(kw_only=True)
class JobRequest:
    """A checked create request, normalised to one method with every hyperparameter present."""

    model: str
    training_file: str
    validation_file: str | None
    suffix: str | None
    seed: int | None
    metadata: dict[str, str] | None
    integrations: list[dict[str, Any]] | None
    method_type: str
    hyperparameters: dict[str, Any]
    grader: dict[str, Any] | None


def check_metadata(metadata: Mapping[str, Any] | None, param: str = "metadata") -> None:
    """Enforce the prose limits of ``Metadata``: 16 keys, keys <= 64 and values <= 512 chars.

    Raises:
        EmulatorError: a 400 naming the offending key.
    """
    if metadata is None:
        return
    if len(metadata) > MAX_METADATA_KEYS:
        raise bad_request(
            f"Invalid 'metadata': at most {MAX_METADATA_KEYS} keys allowed, got {len(metadata)}.",
            param,
        )
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY_CHARS:
            raise bad_request(
                f"Invalid 'metadata': key {key[:20]!r}... is longer than "
                f"{MAX_METADATA_KEY_CHARS} characters.",
                f"{param}.{key}",
            )
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise bad_request(
                f"Invalid 'metadata': value of {key!r} is longer than "
                f"{MAX_METADATA_VALUE_CHARS} characters.",
                f"{param}.{key}",
            )


def parse_create_request(body: Any) -> JobRequest:
    """Validate a decoded create-job body and normalise it.

    Args:
        body: the decoded JSON request body.

    Returns:
        The normalised request.

    Raises:
        EmulatorError: a 400 whose ``param`` is the dotted path of the first bad field.
    """
    try:
        validate(body, component("CreateFineTuningJobRequest"))
    except SchemaViolation as exc:
        raise from_violation(exc) from None
    for name in ("model", "training_file"):
        if not body[name].strip():
            raise bad_request(f"Invalid '{name}': must not be empty.", name)
    check_metadata(body.get("metadata"))
    integrations = body.get("integrations")
    if integrations is not None and len(integrations) > MAX_INTEGRATIONS:
        raise bad_request(
            f"Invalid 'integrations': at most {MAX_INTEGRATIONS} integrations allowed.",
            "integrations",
        )
    method_type, hyperparameters, grader = _method(body)
    return JobRequest(
        model=body["model"],
        training_file=body["training_file"],
        validation_file=body.get("validation_file"),
        suffix=body.get("suffix"),
        seed=body.get("seed"),
        metadata=dict(body["metadata"]) if body.get("metadata") is not None else None,
        integrations=[_integration(item) for item in integrations] if integrations else None,
        method_type=method_type,
        hyperparameters=hyperparameters,
        grader=grader,
    )


def _method(body: Mapping[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    legacy = body.get("hyperparameters")
    method = body.get("method")
    if method is None:
        return "supervised", _known("supervised", legacy), None
    kind: str = method["type"]
    block: Mapping[str, Any] = method.get(kind) or {}
    # The method's own hyperparameters win; the deprecated top-level ones fill in the rest.
    given = {**(legacy or {}), **(block.get("hyperparameters") or {})}
    grader = None
    if kind == "reinforcement":
        if "grader" not in block:
            raise bad_request(
                "Invalid 'method.reinforcement': a reinforcement job needs a grader.",
                "method.reinforcement.grader",
            )
        grader = dict(block["grader"])
        check_grader(grader, "method.reinforcement.grader")
    return kind, _known(kind, given), grader


def _known(kind: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    # Unknown keys are ignored like the service does, and never echoed back.
    defaults = _DEFAULTS[kind]
    return {key: (given or {}).get(key, value) for key, value in defaults.items()}


def _integration(item: Mapping[str, Any]) -> dict[str, Any]:
    wandb: Mapping[str, Any] = item["wandb"]
    out: dict[str, Any] = {
        "project": wandb["project"],
        "name": wandb.get("name"),
        "entity": wandb.get("entity"),
    }
    if "tags" in wandb:
        out["tags"] = list(wandb["tags"])
    return {"type": "wandb", "wandb": out}


def resolve_hyperparameters(
    method_type: str,
    requested: Mapping[str, Any],
    *,
    default_epochs: int,
    batch_size: int,
    steps_per_epoch: int,
) -> dict[str, Any]:
    """Replace every ``"auto"`` with the concrete value the job trains with.

    Args:
        method_type: ``supervised``, ``dpo`` or ``reinforcement``.
        requested: the hyperparameters as requested (``"auto"`` where not given).
        default_epochs: what ``n_epochs: "auto"`` becomes.
        batch_size: what ``batch_size: "auto"`` becomes.
        steps_per_epoch: used for ``eval_interval: "auto"``.

    Returns:
        A new mapping with the same keys and no ``"auto"`` values.
    """
    auto = {
        "batch_size": batch_size,
        "learning_rate_multiplier": _AUTO_LEARNING_RATE[method_type],
        "n_epochs": default_epochs,
        "beta": 0.1,
        "compute_multiplier": 1.0,
        "eval_interval": steps_per_epoch,
        "eval_samples": 1,
    }
    return {key: auto[key] if value == "auto" else value for key, value in requested.items()}
