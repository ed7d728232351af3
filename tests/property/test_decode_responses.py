"""Every schema-valid response of every operation decodes into its model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftclient
from ftclient import models
from ftclient._core.response import Response, ResponseInfo
from ftclient.resources._base import decode
from tests.spec.request_validator import validate_schema

from .strategies import instances

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Each response schema of the 13 operations, and the model the client decodes it into.
RESPONSES = [
    "FineTuningJob",
    "ListPaginatedFineTuningJobsResponse",
    "ListFineTuningJobEventsResponse",
    "ListFineTuningJobCheckpointsResponse",
    "ListFineTuningCheckpointPermissionResponse",
    "DeleteFineTuningCheckpointPermissionResponse",
    "RunGraderResponse",
    "ValidateGraderResponse",
]
INFO = ResponseInfo(
    status=200,
    headers={"x-request-id": "req_1"},
    request_id="req_1",
    attempts=1,
    retry_waits=(),
    elapsed=0.0,
)


def decoded(name: str, document: Any) -> Any:
    body = json.dumps(document).encode()
    return decode(Response(INFO, body), getattr(models, name), method="GET", url="/x")


@pytest.mark.parametrize("name", RESPONSES)
@SETTINGS
@given(data=st.data())
def test_schema_valid_response_decodes(name: str, data: st.DataObject) -> None:
    document = data.draw(instances(name), label="response")
    assert validate_schema(document, {"$ref": f"#/components/schemas/{name}"}) == []
    obj = decoded(name, document)
    assert isinstance(obj, getattr(models, name))
    assert ftclient.response_info(obj) is INFO
    if "id" in document:
        assert obj.id == document["id"]
    if "data" in document and isinstance(document["data"], list):
        assert len(obj.data) == len(document["data"])
        ids = [item.get("id") for item in document["data"] if isinstance(item, dict)]
        assert [getattr(item, "id", None) for item in obj.data] == ids
