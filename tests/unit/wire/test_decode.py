"""``decode``: a response into its model, what a decoded object carries, and the JSON helpers."""

from __future__ import annotations

import json

import pytest

import ftclient
from ftclient import models
from ftclient._core.response import Response, ResponseInfo, keep_info, keep_slot
from ftclient._wire.decode import decode
from tests import built

INFO = ResponseInfo(
    status=201,
    headers={"x-request-id": "req_9"},
    request_id="req_9",
    attempts=2,
    retry_waits=(0.5,),
    elapsed=1.0,
)


JOB = built.BARE_JOB
EVENT = {"id": "e1", "object": "fine_tuning.job.event", "created_at": 1, "level": "info"}
EVENT = {**EVENT, "message": "m", "future": 1}


def answer(body: bytes) -> Response:
    return Response(INFO, body)


def test_decode_keeps_the_document_on_each_object_and_the_info_on_the_page_and_its_items() -> None:
    document = {"object": "list", "data": [EVENT], "has_more": False}
    page = decode(
        answer(json.dumps(document).encode()),
        models.ListFineTuningJobEventsResponse,
        method="GET",
        url="/x",
    )
    assert ftclient.response_info(page) is INFO
    assert ftclient.response_info(page.data[0]) is INFO
    assert ftclient.to_dict(page.data[0]) == EVENT
    assert ftclient.response_info(object()) is None
    assert ftclient.response_info(None) is None


def test_a_model_no_response_gave_has_no_info_and_says_so() -> None:
    with pytest.raises(ftclient.InvalidParameterError, match="FineTuningJob that no response gave"):
        ftclient.response_info(built.job())
    with pytest.raises(ftclient.InvalidParameterError) as refused:
        ftclient.response_info(built.job())
    assert refused.value.param == "obj"  # the parameter named, as every refusal does
    job = decode(
        answer(json.dumps({**JOB, "error": {"code": "c"}}).encode()),
        models.FineTuningJob,
        method="GET",
        url="/j",
    )
    assert job.error is not None
    with pytest.raises(ftclient.InvalidParameterError, match="nested in a returned object"):
        ftclient.response_info(job.error)  # nested: ask the job


def test_keep_info_records_on_models_and_ignores_other_objects() -> None:
    job = built.job()
    keep_info(job, INFO)
    assert ftclient.response_info(job) is INFO
    plain: list[int] = []
    keep_info(plain, INFO)  # not a model: nothing to record, and no error
    assert ftclient.response_info(plain) is None


def test_keep_slot_sets_a_models_slot_and_leaves_any_other_object_alone() -> None:
    job = built.job()
    keep_slot(job, "_ftc_info", INFO)
    assert ftclient.response_info(job) is INFO
    other = object()
    keep_slot(other, "_ftc_info", INFO)  # the core knows no model classes: no slot, no error
    assert ftclient.response_info(other) is None


def test_a_body_that_is_not_json() -> None:
    with pytest.raises(ftclient.APIResponseValidationError) as info:
        decode(answer(b"<html>"), models.FineTuningJob, method="GET", url="/fine_tuning/jobs/j")
    error = info.value
    assert error.message.startswith("response body is not valid JSON (")
    assert (error.status, error.request_id) == (201, "req_9")
    assert (error.method, error.url, error.path) == ("GET", "/fine_tuning/jobs/j", "$")


def test_a_document_of_the_wrong_kind_names_the_path() -> None:
    second = {k: v for k, v in JOB.items() if k != "model"}
    body = json.dumps({"object": "list", "data": [JOB, second]}).encode()
    with pytest.raises(ftclient.APIResponseValidationError) as info:
        decode(answer(body), models.ListPaginatedFineTuningJobsResponse, method="GET", url="/l")
    error = info.value
    assert error.path == "$.data[1].model"
    assert error.message == (
        "response does not match ListPaginatedFineTuningJobsResponse: "
        "$.data[1].model: required field missing (FineTuningJob.model)"
    )
    assert (error.status, error.request_id, error.method, error.url) == (201, "req_9", "GET", "/l")


def test_to_json_keeps_unicode_and_takes_an_indent() -> None:
    job = built.job(metadata={"team": "café"})
    assert json.loads(ftclient.to_json(job)) == {**JOB, "metadata": {"team": "café"}}
    assert '"team": "café"' in ftclient.to_json(job)
    assert ftclient.to_json(job, indent=2).startswith('{\n  "id": "ftjob-1",')
    assert ftclient.to_dict([job, {"k": job}]) == [
        ftclient.to_dict(job),
        {"k": ftclient.to_dict(job)},
    ]
