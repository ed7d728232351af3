"""A corpus of response bodies as real deployments send them, where they differ from the spec.

Each entry is a JSON document the client must decode without error and give back unchanged
through ``ftclient.to_dict``. Sources: the spec's own examples, spec/README.md (the multi
grader's map, openai/openai-java#647), Azure OpenAI's documented responses (``status:
"pending"``, ``organization_id: null``, ``result_files: null``, integer hyperparameters, jobs
without ``organization_id``, ``seed``, ``error``), and drift a newer service may bring (unknown
fields, types, constants). Every document has the fields the models require (those every known
server sends); tests/hostile/test_required_fields.py sends documents without one.
"""

from __future__ import annotations

from typing import Any

STRING_CHECK = {
    "type": "string_check",
    "name": "exact",
    "input": "{{sample.output_text}}",
    "reference": "{{item.label}}",
    "operation": "eq",
}
SIMILARITY = {
    "type": "text_similarity",
    "name": "near",
    "input": "{{sample.output_text}}",
    "reference": "{{item.label}}",
    "evaluation_metric": "fuzzy_match",
}
MULTI_MAP = {
    "type": "multi",
    "name": "combined",
    "graders": {"a": STRING_CHECK, "b": SIMILARITY},
    "calculate_output": "0.5 * a + 0.5 * b",
}


def _job(job_id: str, **fields: Any) -> dict[str, Any]:
    """A spec-complete job (the retrieve example's fields) with ``fields`` changed."""
    return {
        "object": "fine_tuning.job",
        "id": job_id,
        "model": "gpt-4o-mini-2024-07-18",
        "created_at": 1721764800,
        "finished_at": None,
        "fine_tuned_model": None,
        "organization_id": "org-123",
        "result_files": [],
        "status": "running",
        "validation_file": None,
        "training_file": "file-abc123",
        "hyperparameters": {"n_epochs": 4, "batch_size": 1, "learning_rate_multiplier": 1.0},
        "trained_tokens": None,
        "error": None,
        "seed": 42,
        **fields,
    }


def _reinforcement(grader: Any) -> dict[str, Any]:
    return {"type": "reinforcement", "reinforcement": {"grader": grader}}


JOBS: dict[str, dict[str, Any]] = {
    "spec": _job("ftjob-spec", status="succeeded", finished_at=1721765800),
    "unknown fields": _job(
        "ftjob-extra",
        user_provided_suffix="my-suffix",
        usage_metrics={"training_tokens": 1200, "billed": {"usd": 0.5}},
        shared_with_openai=False,
        eval_id="eval_1",
    ),
    "azure": {
        "object": "fine_tuning.job",
        "id": "ftjob-azure",
        "status": "pending",
        "model": "gpt-35-turbo-0613",
        "created_at": 1721764800,
        "organization_id": None,
        "result_files": None,
        "training_file": "file-181a1cbdcdcf4677ada87f63a0928099",
        "hyperparameters": {"n_epochs": 2, "batch_size": 1, "learning_rate_multiplier": 1},
        "seed": 105,
        "integrations": [{"type": "azure_monitor"}],
    },
    # Azure OpenAI's documented "Fine-tuning - Get" answer (api-version 2025-04-01-preview).
    "azure documented": {
        "hyperparameters": {"n_epochs": -1},
        "integrations": [
            {
                "type": "wandb",
                "wandb": {"project": "custom-wandb-project", "tags": ["project:tag", "lineage"]},
            }
        ],
        "method": {"type": "supervised"},
        "status": "succeeded",
        "model": "curie",
        "fine_tuned_model": "curie.ft-72a2792ef7d24ba7b82c7fe4a37e379f",
        "training_file": "file-181a1cbdcdcf4677ada87f63a0928099",
        "result_files": ["file-181a1cbdcdcf4677ada87f63a0928099"],
        "finished_at": 1646127311,
        "trained_tokens": 2342,
        "id": "ft-72a2792ef7d24ba7b82c7fe4a37e379f",
        "created_at": 1646126127,
        "object": "fine_tuning.job",
    },
    "azure resuming": {
        "status": "resuming",
        "model": "curie",
        "training_file": "file-181a1cbdcdcf4677ada87f63a0928099",
        "id": "ft-resuming",
        "created_at": 1646126127,
        "object": "fine_tuning.job",
    },
    "optional fields null": {
        **_job("ftjob-nulls"),
        **dict.fromkeys(
            ["error", "fine_tuned_model", "finished_at", "hyperparameters", "organization_id"],
            None,
        ),
        **dict.fromkeys(["result_files", "trained_tokens", "validation_file", "seed"], None),
        **dict.fromkeys(["integrations", "estimated_finish", "method", "metadata"], None),
    },
    "new object constant": _job("ftjob-object", object="fine_tuning.job.v2"),
    "new status": _job("ftjob-status", status="throttled"),
    "auto variants": _job(
        "ftjob-auto",
        hyperparameters={"n_epochs": "Auto", "batch_size": "auto", "learning_rate_multiplier": "x"},
        method={
            "type": "dpo",
            "dpo": {"hyperparameters": {"beta": "auto", "n_epochs": "default"}},
        },
    ),
    "new method": _job(
        "ftjob-method", method={"type": "grpo", "grpo": {"hyperparameters": {"group": 8}}}
    ),
    "new integration": _job(
        "ftjob-integration",
        integrations=[
            {"type": "mlflow", "mlflow": {"tracking_uri": "https://mlflow.example"}},
            {"type": "wandb", "wandb": {"project": "p", "run_id": "run-1", "entity": None}},
        ],
    ),
    "empty error": _job("ftjob-noerror", error={}),
    "error with extras": _job(
        "ftjob-failed",
        status="failed",
        error={"code": "invalid_file", "message": "Bad line 3", "param": None, "line": 3},
    ),
    "multi grader map": _job("ftjob-multi-map", method=_reinforcement(MULTI_MAP)),
    "multi grader list": _job(
        "ftjob-multi-list",
        method=_reinforcement({**MULTI_MAP, "graders": [STRING_CHECK, SIMILARITY]}),
    ),
    "multi grader single": _job(
        "ftjob-multi-one", method=_reinforcement({**MULTI_MAP, "graders": STRING_CHECK})
    ),
    "new grader type": _job(
        "ftjob-grader",
        method=_reinforcement({"type": "endpoint", "name": "remote", "url": "https://g.example"}),
    ),
    "grader without type": _job("ftjob-notype", method=_reinforcement({"name": "who knows"})),
    "new eval item and content types": _job(
        "ftjob-items",
        method=_reinforcement(
            {
                "type": "score_model",
                "name": "judge",
                "model": "gpt-4o",
                "input": [
                    {"type": "item_reference", "item_reference": "item.messages"},
                    {
                        "role": "user",
                        "type": "message",
                        "content": [
                            "Score {{sample.output_text}}",
                            {"type": "input_video", "video_url": "https://v.example/a.mp4"},
                            {"type": "input_text", "text": "t", "cache": {"mode": "auto"}},
                        ],
                    },
                    {"role": "critic", "content": {"type": "input_file", "file_id": "file-1"}},
                ],
                "sampling_params": {"reasoning_effort": "extreme", "verbosity": "low"},
            }
        ),
    ),
}

EVENTS: dict[str, dict[str, Any]] = {
    "message": {
        "object": "fine_tuning.job.event",
        "id": "ft-event-1",
        "created_at": 1721764800,
        "level": "info",
        "message": "Fine tuning job successfully completed",
        "data": None,
        "type": "message",
    },
    "metrics": {
        "object": "fine_tuning.job.event",
        "id": "ft-event-2",
        "created_at": 1721764801,
        "level": "info",
        "message": "Step 1/100: training loss=0.5",
        "data": {"step": 1, "train_loss": 0.5, "total_steps": 100},
        "type": "metrics",
    },
    "new level, type and object": {
        "object": "fine_tuning.job.event.v2",
        "id": "ft-event-3",
        "created_at": 1721764802,
        "level": "debug",
        "message": "checkpoint saved",
        "type": "checkpoint",
        "checkpoint_id": "ftckpt_1",
    },
    # Azure OpenAI's documented events: no ``data``.
    "azure documented": {
        "id": "ftevent-363dcd7cb4c74539bc53293c1dceef05",
        "created_at": 1646126127,
        "level": "info",
        "message": "Job enqueued. Waiting for jobs ahead to complete.",
        "type": "message",
        "object": "fine_tuning.job.event",
    },
}

CHECKPOINTS: dict[str, dict[str, Any]] = {
    "spec": {
        "object": "fine_tuning.job.checkpoint",
        "id": "ftckpt_1",
        "created_at": 1721764800,
        "fine_tuned_model_checkpoint": "ft:gpt-4o-mini:org:suffix:abc:ckpt-step-100",
        "fine_tuning_job_id": "ftjob-spec",
        "metrics": {"step": 100, "train_loss": 0.1, "full_valid_loss": 0.2},
        "step_number": 100,
    },
    "null metric values, extras": {
        "object": "fine_tuning.job.checkpoint",
        "id": "ftckpt_2",
        "created_at": 1721764800,
        "fine_tuned_model_checkpoint": "ft:gpt-4o-mini:org:suffix:abc:ckpt-step-2",
        "fine_tuning_job_id": "ftjob-spec",
        "metrics": {"step": 2, "train_loss": 0.3, "valid_loss": None},
        "step_number": 2,
        "shared_with_openai": True,
    },
    "new metrics": {
        "object": "fine_tuning.job.checkpoint",
        "id": "ftckpt_3",
        "created_at": 1721764800,
        "fine_tuned_model_checkpoint": "ft:gpt-4o-mini:org:suffix:abc:ckpt-step-3",
        "fine_tuning_job_id": "ftjob-spec",
        "metrics": {"step": 3, "reward": 0.9, "kl": 0.01},
        "step_number": 3,
    },
}

PERMISSIONS: dict[str, dict[str, Any]] = {
    "spec": {
        "object": "checkpoint.permission",
        "id": "cp_1",
        "created_at": 1721764800,
        "project_id": "proj_a",
    },
    "extras": {
        "object": "checkpoint.permission",
        "id": "cp_2",
        "created_at": 1721764800,
        "project_id": "proj_b",
        "org": "o",
    },
}

_FLAGS = {"formula_parse_error": False, "sample_parse_error": False, "other_error": False}

GRADER_RUNS: dict[str, dict[str, Any]] = {
    "flags missing": {
        "reward": 1.0,
        "metadata": {
            "name": "combined",
            "type": "multi",
            "errors": _FLAGS,
            "execution_time": 0.01,
            "scores": {"a": 1.0},
            "token_usage": {"prompt_tokens": 1, "total_tokens": 2},
            "sampled_model_name": None,
        },
        "sub_rewards": {"a": 1.0, "b": 1.0},
        "model_grader_token_usage_per_model": {},
    },
    "new flag and fields": {
        "reward": 0,
        "metadata": {"errors": {**_FLAGS, "quota_error": True}, "trace_id": "t-1"},
        "sub_rewards": {},
        "model_grader_token_usage_per_model": {},
        "cost": {"usd": 0.0},
    },
    "bare": {"reward": 0.5},
}

GRADER_VALIDATIONS: dict[str, dict[str, Any]] = {
    "multi grader map": {"grader": MULTI_MAP},
    "new grader type": {"grader": {"type": "endpoint", "name": "remote", "url": "u"}},
    "no grader": {},
}
