"""The suite's independent request check catches what it must (so a green suite means something)."""

from __future__ import annotations

import json

from tests.spec.request_validator import operation_for, validate_request

AUTH = {"Authorization": "Bearer sk-x", "Content-Type": "application/json"}


def body(data: object) -> bytes:
    return json.dumps(data).encode()


def test_every_operation_is_routed() -> None:
    cases = {
        ("POST", "/v1/fine_tuning/jobs"): "createFineTuningJob",
        ("GET", "/v1/fine_tuning/jobs"): "listPaginatedFineTuningJobs",
        ("GET", "/v1/fine_tuning/jobs/ftjob-1"): "retrieveFineTuningJob",
        ("POST", "/v1/fine_tuning/jobs/ftjob-1/cancel"): "cancelFineTuningJob",
        ("POST", "/v1/fine_tuning/jobs/ftjob-1/pause"): "pauseFineTuningJob",
        ("POST", "/v1/fine_tuning/jobs/ftjob-1/resume"): "resumeFineTuningJob",
        ("GET", "/v1/fine_tuning/jobs/ftjob-1/events"): "listFineTuningEvents",
        ("GET", "/v1/fine_tuning/jobs/ftjob-1/checkpoints"): "listFineTuningJobCheckpoints",
        (
            "GET",
            "/v1/fine_tuning/checkpoints/ft:x/permissions",
        ): "listFineTuningCheckpointPermissions",
        ("POST", "/v1/fine_tuning/checkpoints/ft:x/permissions"): (
            "createFineTuningCheckpointPermission"
        ),
        ("DELETE", "/v1/fine_tuning/checkpoints/ft:x/permissions/cp_1"): (
            "deleteFineTuningCheckpointPermission"
        ),
        ("POST", "/v1/fine_tuning/alpha/graders/run"): "runGrader",
        ("POST", "/v1/fine_tuning/alpha/graders/validate"): "validateGrader",
    }
    for (method, path), op_id in cases.items():
        found = operation_for(method, path)
        assert found is not None
        assert found[0] == op_id


def test_conforming_request_passes() -> None:
    good = body({"model": "gpt-4o-mini", "training_file": "file-1", "seed": 3})
    assert validate_request("POST", "/v1/fine_tuning/jobs", [], AUTH, good) == []
    query = [("limit", "5"), ("metadata[team]", "a")]
    assert validate_request("GET", "/v1/fine_tuning/jobs", query, AUTH, b"") == []


def test_non_conforming_requests_are_caught() -> None:
    bad_seed = body({"model": "m", "training_file": "f", "seed": -4})
    assert validate_request("POST", "/v1/fine_tuning/jobs", [], AUTH, bad_seed)
    assert validate_request("POST", "/v1/fine_tuning/jobs", [], AUTH, body({"model": "m"}))
    assert validate_request("GET", "/v1/fine_tuning/jobs", [("limit", "x")], AUTH, b"")
    assert validate_request("GET", "/v1/fine_tuning/jobs", [("bogus", "1")], AUTH, b"")
    assert validate_request("GET", "/v1/fine_tuning/jobs", [], {}, b"")  # no bearer
    assert validate_request("GET", "/v1/fine_tuning/nowhere", [], AUTH, b"")
    order = [("order", "sideways")]
    assert validate_request("GET", "/v1/fine_tuning/checkpoints/c/permissions", order, AUTH, b"")
    extra = body({"project_ids": ["p"], "x": 1})
    assert validate_request("POST", "/v1/fine_tuning/checkpoints/c/permissions", [], AUTH, extra)
