"""``decode``: a response into its model, what a decoded object carries, and the JSON helpers."""

from __future__ import annotations

import json

import pytest

import ftclient
from ftclient import models
from ftclient._core.response import Response, ResponseInfo, keep_info
from ftclient._wire.decode import decode

INFO = ResponseInfo(
    status=201,
    headers={"x-request-id": "req_9"},
    request_id="req_9",
    attempts=2,
    retry_waits=(0.5,),
    elapsed=1.0,
)


def answer(body: bytes) -> Response:
    return Response(INFO, body)


def test_decode_keeps_the_document_and_the_info_on_the_result_only() -> None:
    document = {"object": "list", "data": [{"id": "e1", "future": 1}], "has_more": False}
    page = decode(
        answer(json.dumps(document).encode()),
        models.ListFineTuningJobEventsResponse,
        method="GET",
        url="/x",
    )
    assert ftclient.response_info(page) is INFO
    assert ftclient.response_info(page.data[0]) is None
    assert ftclient.to_dict(page.data[0]) == {"id": "e1", "future": 1}
    assert ftclient.response_info(object()) is None
    assert ftclient.response_info(models.FineTuningJob(id="j")) is None


def test_keep_info_records_on_models_and_ignores_other_objects() -> None:
    job = models.FineTuningJob(id="j")
    keep_info(job, INFO)
    assert ftclient.response_info(job) is INFO
    plain: list[int] = []
    keep_info(plain, INFO)  # not a model: nothing to record, and no error
    assert ftclient.response_info(plain) is None


def test_a_body_that_is_not_json() -> None:
    with pytest.raises(ftclient.APIResponseValidationError) as info:
        decode(answer(b"<html>"), models.FineTuningJob, method="GET", url="/fine_tuning/jobs/j")
    error = info.value
    assert error.message.startswith("response body is not valid JSON (")
    assert (error.status, error.request_id) == (201, "req_9")
    assert (error.method, error.url, error.path) == ("GET", "/fine_tuning/jobs/j", "$")


def test_a_document_of_the_wrong_kind_names_the_path() -> None:
    body = json.dumps({"object": "list", "data": [{"id": "j"}, {"status": "x"}]}).encode()
    with pytest.raises(ftclient.APIResponseValidationError) as info:
        decode(answer(body), models.ListPaginatedFineTuningJobsResponse, method="GET", url="/l")
    error = info.value
    assert error.path == "$.data[1].id"
    assert error.message == (
        "response does not match ListPaginatedFineTuningJobsResponse: "
        "$.data[1].id: required field missing"
    )
    assert (error.status, error.request_id, error.method, error.url) == (201, "req_9", "GET", "/l")


def test_to_json_keeps_unicode_and_takes_an_indent() -> None:
    job = models.FineTuningJob(id="j", metadata={"team": "café"})
    assert (
        ftclient.to_json(job)
        == '{"id": "j", "object": "fine_tuning.job", "metadata": {"team": "café"}}'
    )
    assert ftclient.to_json(job, indent=2).startswith('{\n  "id": "j",')
    assert ftclient.to_dict([job, {"k": job}]) == [
        ftclient.to_dict(job),
        {"k": ftclient.to_dict(job)},
    ]
