"""Decode cost of a 100-item page: ``json.loads`` + ``structure`` against ``json.loads`` alone.

Run: ``.venv/bin/python benchmarks/bench_decode.py [--rounds N]``. Bodies are built from the
spec's example responses (the retrieve-job example, the events example), varied per item. Three
variants are timed in interleaved rounds so drift (CPU frequency, other load) hits them alike:
``json.loads`` alone, plus the converter (its generated fast path), plus the converter's plain
reference reading alone (``make_converter(fast=False)``: what decoding would cost without the
fast path). The ratios of the medians are printed; the decoded pages are checked.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from ftclient._wire.convert import make_converter, structure
from ftclient.models import (
    FineTuningJobEventType,
    FineTuningJobStatus,
    ListFineTuningJobEventsResponse,
    ListPaginatedFineTuningJobsResponse,
)

N = 100
STATUSES = ["validating_files", "queued", "running", "succeeded", "failed", "cancelled"]


def job(i: int) -> dict[str, Any]:
    """The spec's retrieve-job example, with every required field, varied by ``i``."""
    status = STATUSES[i % len(STATUSES)]
    done = status in ("succeeded", "failed", "cancelled")
    return {
        "object": "fine_tuning.job",
        "id": f"ftjob-{i:06d}",
        "model": "gpt-4o-mini-2024-07-18",
        "created_at": 1721764800 + i,
        "finished_at": 1721765800 + i if done else None,
        "fine_tuned_model": f"ft:gpt-4o-mini:my-org:custom_suffix:{i:08x}" if done else None,
        "organization_id": "org-123",
        "result_files": [f"file-res{i}"] if done else [],
        "status": status,
        "validation_file": None if i % 2 else "file-abc123",
        "training_file": "file-abc123",
        "hyperparameters": {"n_epochs": 4, "batch_size": 1, "learning_rate_multiplier": 1.0},
        "trained_tokens": 5768 + i if done else None,
        "error": (
            {"code": "invalid_training_file", "message": "bad line 3", "param": "training_file"}
            if status == "failed"
            else None
        ),
        "integrations": [],
        "seed": i,
        "estimated_finish": None,
        "method": {
            "type": "supervised",
            "supervised": {
                "hyperparameters": {"n_epochs": 4, "batch_size": 1, "learning_rate_multiplier": 1.0}
            },
        },
        "metadata": {"key": "value", "run": str(i)},
        "user_provided_suffix": None,  # unknown field, ignored
    }


def event(i: int) -> dict[str, Any]:
    """The spec's events example, alternating message and metrics events."""
    if i % 2:
        return {
            "object": "fine_tuning.job.event",
            "id": f"ft-event-{i:06d}",
            "created_at": 1721764800 + i,
            "level": "info",
            "message": f"Step {i}/100: training loss=0.{i:03d}",
            "data": {"step": i, "train_loss": 0.5, "total_steps": 100},
            "type": "metrics",
        }
    return {
        "object": "fine_tuning.job.event",
        "id": f"ft-event-{i:06d}",
        "created_at": 1721764800 + i,
        "level": "info",
        "message": "Fine tuning job successfully completed",
        "data": None,
        "type": "message",
    }


def metrics_event(step: int, steps: int) -> dict[str, Any]:
    """The ``metrics`` event of one step of a job with a validation file, as the service logs it."""
    loss = round(2.0 / (1 + step / 100), 5)
    return {
        "object": "fine_tuning.job.event",
        "id": f"ftevent-m{step:06d}",
        "created_at": 1721764800 + step,
        "level": "info",
        "message": f"Step {step}/{steps}: training loss={loss:.4f}, validation loss={loss:.4f}",
        "data": {
            "step": step,
            "train_loss": loss,
            "valid_loss": round(loss * 1.05, 5),
            "total_steps": steps,
            "train_mean_token_accuracy": round(1 - loss / 4, 5),
            "valid_mean_token_accuracy": round(1 - loss / 3.8, 5),
        },
        "type": "metrics",
    }


def checkpoint(step: int) -> dict[str, Any]:
    """The spec's checkpoint example at ``step``."""
    return {
        "object": "fine_tuning.job.checkpoint",
        "id": f"ftckpt_bench{step:06d}",
        "created_at": 1721764800 + step,
        "fine_tuned_model_checkpoint": f"ft:gpt-4o-mini-2024-07-18:org::abc:ckpt-step-{step}",
        "fine_tuning_job_id": "ftjob-bench-metrics",
        "metrics": {
            "step": step,
            "train_loss": 0.478,
            "train_mean_token_accuracy": 0.924,
            "valid_loss": 10.112,
            "valid_mean_token_accuracy": 0.145,
            "full_valid_loss": 0.567,
            "full_valid_mean_token_accuracy": 0.944,
        },
        "step_number": step,
    }


def page(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"object": "list", "data": items, "has_more": True}).encode()


def check_jobs(result: ListPaginatedFineTuningJobsResponse) -> None:
    assert len(result.data) == N
    assert result.has_more
    assert [j.id for j in result.data] == [f"ftjob-{i:06d}" for i in range(N)]
    assert all(isinstance(j.status, FineTuningJobStatus) for j in result.data)
    assert sum(j.is_terminal for j in result.data) == sum(i % 6 >= 3 for i in range(N))
    failed = result.data[4].error
    assert failed is not None
    assert failed.code == "invalid_training_file"


def check_events(result: ListFineTuningJobEventsResponse) -> None:
    assert len(result.data) == N
    assert [e.id for e in result.data] == [f"ft-event-{i:06d}" for i in range(N)]
    assert sum(e.type is FineTuningJobEventType.METRICS for e in result.data) == N // 2


def timed(fn: Callable[[], object], inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def compare(name: str, body: bytes, model: type[Any], rounds: int, inner: int) -> None:
    reference = make_converter(fast=False)

    def loads() -> object:
        return json.loads(body)

    def decode() -> object:
        return structure(json.loads(body), model)

    def decode_reference() -> object:
        return reference.structure(json.loads(body), model)

    variants = [loads, decode, decode_reference]
    for _ in range(20):  # warm up every path (and the converter's hooks)
        for fn in variants:
            fn()
    times: list[list[float]] = [[] for _ in variants]
    for r in range(rounds):
        # Rotate which variant goes first in a round, so none always runs on a warm cache.
        for k in range(len(variants)):
            i = (k + r) % len(variants)
            times[i].append(timed(variants[i], inner))
    base, fast, plain = (statistics.median(t) for t in times)
    print(
        f"{name}: json.loads {base * 1e6:.0f} us; +structure {fast / base:.2f}x "
        f"({(fast - base) / N * 1e6:.2f} us/item); reference alone {plain / base:.2f}x "
        f"({(plain - base) / N * 1e6:.2f} us/item); {len(body) / 1024:.0f} KiB, "
        f"{rounds} rounds x {inner}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--inner", type=int, default=20)
    args = parser.parse_args()

    jobs_body = page([job(i) for i in range(N)])
    events_body = page([event(i) for i in range(N)])
    check_jobs(structure(json.loads(jobs_body), ListPaginatedFineTuningJobsResponse))
    check_events(structure(json.loads(events_body), ListFineTuningJobEventsResponse))

    compare("jobs page", jobs_body, ListPaginatedFineTuningJobsResponse, args.rounds, args.inner)
    compare("events page", events_body, ListFineTuningJobEventsResponse, args.rounds, args.inner)


if __name__ == "__main__":
    main()
