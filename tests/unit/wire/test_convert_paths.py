"""Errors name the failing JSON path; every sample of the corpus decodes and round-trips.

The decoding converter reads a model with ``_wire.unrolled``'s hook; a failure is read again by
the converter with cattrs' detailed validation and cattrs' generated hook, which gives the path.

The paths and messages below are the ones main gave before the converter became plain cattrs
(a fast converter, and a detailed one that explains a failure): they must not change.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftclient import models
from ftclient._wire import convert as _convert
from tests.integration import variants
from tests.property.strategies import instances

m = models
SAMPLES = [
    *[(m.FineTuningJob, d) for d in variants.JOBS.values()],
    *[(m.FineTuningJobEvent, d) for d in variants.EVENTS.values()],
    *[(m.FineTuningJobCheckpoint, d) for d in variants.CHECKPOINTS.values()],
    *[(m.FineTuningCheckpointPermission, d) for d in variants.PERMISSIONS.values()],
    *[(m.RunGraderResponse, d) for d in variants.GRADER_RUNS.values()],
    *[(m.ValidateGraderResponse, d) for d in variants.GRADER_VALIDATIONS.values()],
]
Job, Events = m.FineTuningJob, m.ListFineTuningJobEventsResponse
# The required fields of a job and an event, each the first of its documents below.
J = {"id": "j", "object": "fine_tuning.job", "created_at": 1, "model": "m", "status": "queued"}
J = {**J, "training_file": "file-t"}
E = {"id": "e", "object": "fine_tuning.job.event", "created_at": 1, "level": "info", "message": "m"}
BROKEN: list[tuple[type, Any, str, str]] = [
    (Job, {"id": 3}, "$.id", "expected str, got int 3"),
    (Job, {"object": "fine_tuning.job"}, "$.id", "required field missing (FineTuningJob.id)"),
    (
        Events,
        {"data": [E, {k: v for k, v in E.items() if k != "message"}]},
        "$.data[1].message",
        "required field missing (FineTuningJobEvent.message)",
    ),
    (Job, {**J, "created_at": "x"}, "$.created_at", "expected int, got str 'x'"),
    (
        Job,
        {**J, "status": ["running"]},
        "$.status",
        "expected str (FineTuningJobStatus), got array",
    ),
    (
        Job,
        {**J, "hyperparameters": {"n_epochs": 2.5}},
        "$.hyperparameters.n_epochs",
        "expected int or str, got float 2.5",
    ),
    (Job, {**J, "metadata": {"k": 1}}, "$.metadata['k']", "expected str, got int 1"),
    (Job, {**J, "result_files": [1]}, "$.result_files[0]", "expected str, got int 1"),
    (
        Job,
        {**J, "integrations": [{"type": 1}]},
        "$.integrations[0].type",
        "expected str, got int 1",
    ),
    (
        Job,
        {**J, "method": {"type": "dpo", "dpo": []}},
        "$.method.dpo",
        "expected object (FineTuneDPOMethod), got array",
    ),
    (
        Job,
        {**J, "method": {"reinforcement": {"grader": "g"}}},
        "$.method.reinforcement.grader",
        "expected grader object, got str 'g'",
    ),
    (Events, {"data": [E, {**E, "id": None}]}, "$.data[1].id", "expected str, got null"),
    (Events, {"data": {"id": "e"}}, "$.data", "expected array, got object"),
    (
        Events,
        {"data": [{**E, "level": {}}]},
        "$.data[0].level",
        "expected str (FineTuningJobEventLevel), got object",
    ),
    (m.RunGraderResponse, {"reward": "1"}, "$.reward", "expected number, got str '1'"),
    (
        m.RunGraderResponse,
        {"reward": 0, "metadata": {"errors": {"other_error": "no"}}},
        "$.metadata.errors.other_error",
        "expected bool, got str 'no'",
    ),
    (
        m.EvalItem,
        {"content": [{"type": "input_text", "text": 1}]},
        "$.content[0].text",
        "expected str, got int 1",
    ),
    (m.EvalItem, {"content": 3}, "$.content", "expected content item object, got int 3"),
    (
        m.GraderMulti,
        {"graders": {"a": {"type": "python", "source": 1}}},
        "$.graders['a'].source",
        "expected str, got int 1",
    ),
    (Job, [], "$", "expected object (FineTuningJob), got array"),
    (Job, "job", "$", "expected object (FineTuningJob), got str 'job'"),
    # The first failing field in field order, depth first, when there are several.
    (
        Job,
        {**J, "created_at": "x", "error": {"code": 1}, "method": {"dpo": 1}},
        "$.created_at",
        "expected int, got str 'x'",
    ),
    (
        Events,
        {"data": [{**E, "level": 1, "message": 2}, {**E, "id": 3}]},
        "$.data[0].level",
        "expected str (FineTuningJobEventLevel), got int 1",
    ),
    # " @ " in a message or in a key does not move the split between path and message.
    (Job, {**J, "metadata": {"a @ b": 1}}, "$.metadata['a @ b']", "expected str, got int 1"),
    (
        Job,
        {**J, "created_at": "a @ $.b"},
        "$.created_at",
        "expected int, got str 'a @ $.b'",
    ),
]


@pytest.mark.parametrize(("cls", "document"), SAMPLES)
def test_the_corpus_decodes_and_round_trips(cls: type, document: Any) -> None:
    decoded = _convert.structure(document, cls)
    assert isinstance(decoded, cls)
    assert _convert.unstructure(decoded) == document
    # The converter that explains failures (cattrs' own hooks) reads it the same way, and its
    # result keeps the document too (models compare by their fields alone).
    explained = _convert._explaining().structure(document, cls)
    assert explained == decoded
    assert _convert.unstructure(explained) == document


@pytest.mark.parametrize(("cls", "document"), SAMPLES)
def test_the_decoding_converter_alone_reads_the_corpus(cls: type, document: Any) -> None:
    # structure() reads a document again with the explaining converter whenever the decoding
    # one fails, which would hide a broken decoding converter (only slower): call it directly.
    decoded = _convert.converter().structure(document, cls)
    assert decoded == _convert._explaining().structure(document, cls)
    assert _convert.unstructure(decoded) == document


NULLS = {**E, "type": None, "data": None}


def test_the_decoding_converter_alone_takes_defaults_for_nulls_and_absent_fields() -> None:
    for document in (NULLS, E):
        decoded = _convert.converter().structure(document, m.FineTuningJobEvent)
        assert decoded == m.FineTuningJobEvent(**E)  # type: ignore[arg-type]
        assert (decoded.type, decoded.data) == (None, None)
        assert _convert.unstructure(decoded) == document
    page = {"data": [], "has_more": None, "object": None}
    decoded_page = _convert.converter().structure(page, Events)
    assert (decoded_page.has_more, decoded_page.object) == (False, "list")


def test_the_explaining_converter_takes_the_same_defaults_for_nulls() -> None:
    # It reads what the decoding one refused, so it must not refuse a null the decoding one
    # takes: a failure elsewhere in the document would be reported at the null instead.
    page = {"data": [NULLS], "has_more": None, "object": None}
    explained = _convert._explaining().structure(page, Events)
    assert explained == _convert.converter().structure(page, Events)
    assert (explained.has_more, explained.object, explained.data[0].type) == (False, "list", None)


def test_the_decoding_converter_alone_reads_values_no_release_knows() -> None:
    job = _convert.converter().structure({**J, "status": "throttled"}, Job)
    assert (job.status, job.status.is_known) == ("throttled", False)
    page = {"data": [{**E, "level": "trace", "type": "new"}], "has_more": False}
    (event,) = _convert.converter().structure(page, Events).data
    assert (event.level, event.type) == ("trace", "new")


def test_a_fresh_interpreter_decodes_with_either_converter() -> None:
    # The models' annotations are strings until attrs resolves them, once per process: a test
    # process has resolved them long before, so only a fresh one shows the converter doing it.
    script = (
        "from ftclient import models\n"
        "from ftclient._wire import convert\n"
        f"job = convert.converter().structure({J!r}, models.FineTuningJob)\n"
        "convert._explaining().structure({'data': []}, models.ListFineTuningJobEventsResponse)\n"
        "print(job.id, job.created_at)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "j 1\n", "")


def test_a_missing_field_without_an_owner_is_named_as_missing() -> None:
    # _mark_owners names the class of a field a class validation missed; a KeyError raised
    # anywhere else still reads as a missing field, without an owner in parentheses.
    assert _convert._message(KeyError("id")) == "required field missing"
    owned = KeyError("id")
    owned.ftc_field = "FineTuningJob.id"  # type: ignore[attr-defined]
    assert _convert._message(owned) == "required field missing (FineTuningJob.id)"


def test_a_document_that_fits_is_read_without_the_explaining_converter() -> None:
    _convert._explaining.cache_clear()  # built at the first failure, not before
    job = _convert.structure(J, Job)
    assert (job.id, _convert.unstructure(job)) == ("j", J)
    assert _convert._explaining.cache_info().currsize == 0
    with pytest.raises(_convert.DecodeError):
        _convert.structure({**J, "id": 3}, Job)
    assert _convert._explaining.cache_info().currsize == 1


@pytest.mark.parametrize(("cls", "document", "path", "message"), BROKEN)
def test_the_decoding_converter_alone_refuses_the_broken_documents(
    cls: type, document: Any, path: str, message: str
) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011  # which one is the explaining one's job
        _convert.converter().structure(document, cls)


@pytest.mark.parametrize(("cls", "document", "path", "message"), BROKEN)
def test_a_refused_document_names_its_path(
    cls: type, document: Any, path: str, message: str
) -> None:
    with pytest.raises(_convert.DecodeError) as info:
        _convert.structure(document, cls)
    assert (info.value.path, info.value.message) == (path, message)
    assert str(info.value) == f"{path}: {message}"


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.sampled_from(
        [
            "FineTuningJob",
            "ListFineTuningJobEventsResponse",
            "ListFineTuningJobCheckpointsResponse",
            "ListFineTuningCheckpointPermissionResponse",
            "RunGraderResponse",
            "ValidateGraderResponse",
        ]
    ).flatmap(lambda name: st.tuples(st.just(name), instances(name)))
)
def test_generated_documents_decode_and_round_trip(sample: tuple[str, Any]) -> None:
    name, document = sample
    decoded = _convert.converter().structure(document, getattr(models, name))
    assert decoded == _convert._explaining().structure(document, getattr(models, name))
    assert _convert.unstructure(decoded) == document


def test_the_unrolled_hook_refuses_classes_whose_slots_it_cannot_set_directly() -> None:
    from ftclient._wire.unrolled import unrolled_hook

    @attrs.frozen
    class Checked:
        a: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen
    class Converted:
        a: int = attrs.field(converter=int)

    @attrs.frozen
    class Derived:
        a: int = attrs.field(init=False, default=1)

    @attrs.frozen
    class Finished:
        a: int = 1

        def __attrs_post_init__(self) -> None:
            pass

    for cls in (Checked, Converted, Derived, Finished):
        with pytest.raises(TypeError, match=f"{cls.__name__}: models have no validators"):
            unrolled_hook(cls, [])
    kept = unrolled_hook(m.FineTuningJobError, [])({"x": 1}, None)  # a model: accepted
    assert _convert.unstructure(kept) == {"x": 1}


def test_a_bare_union_of_scalars_has_its_own_check() -> None:
    # Every such field of today's models is also "| None" (hooks.nullable checks it there); a
    # bare one (a list's items, a future field) is served by the scalar factory.
    assert _convert.structure([7, "auto"], list[int | str]) == [7, "auto"]
    with pytest.raises(_convert.DecodeError) as refused:
        _convert.structure([7, 2.5], list[int | str])
    assert (refused.value.path, refused.value.message) == (
        "$[1]",
        "expected int or str, got float 2.5",
    )
    with pytest.raises(_convert.DecodeError) as refused:  # null only where "| None" says so
        _convert.structure([7, None], list[int | str])
    assert (refused.value.path, refused.value.message) == ("$[1]", "expected int or str, got null")
