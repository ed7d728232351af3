"""The generated fast path and the plain reference read every sample the same way.

Both come from one field plan (``_wire.classes``); the converter decodes with the fast path,
which hands any failure to the reference. Here every sample of the corpus, every spec-generated
document and a set of broken ones go through both: same objects, same documents, same errors.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftclient import models
from ftclient._wire import classes as _classes
from ftclient._wire import convert as _convert
from tests.integration import variants
from tests.property.strategies import instances

REFERENCE = _convert.make_converter(fast=False)

SAMPLES = [
    *[(models.FineTuningJob, d) for d in variants.JOBS.values()],
    *[(models.FineTuningJobEvent, d) for d in variants.EVENTS.values()],
    *[(models.FineTuningJobCheckpoint, d) for d in variants.CHECKPOINTS.values()],
    *[(models.FineTuningCheckpointPermission, d) for d in variants.PERMISSIONS.values()],
    *[(models.RunGraderResponse, d) for d in variants.GRADER_RUNS.values()],
    *[(models.ValidateGraderResponse, d) for d in variants.GRADER_VALIDATIONS.values()],
]
BROKEN = [
    (models.FineTuningJob, {"id": 3}),
    (models.FineTuningJob, {"object": "fine_tuning.job"}),
    (models.FineTuningJob, {"id": "j", "created_at": "yesterday"}),
    (models.FineTuningJob, {"id": "j", "status": ["running"]}),
    (models.FineTuningJob, {"id": "j", "hyperparameters": {"n_epochs": 2.5}}),
    (models.FineTuningJob, {"id": "j", "metadata": {"k": 1}}),
    (models.FineTuningJob, {"id": "j", "result_files": [1]}),
    (models.FineTuningJob, {"id": "j", "integrations": [{"type": 1}]}),
    (models.FineTuningJob, {"id": "j", "method": {"type": "dpo", "dpo": []}}),
    (models.FineTuningJob, {"id": "j", "method": {"reinforcement": {"grader": "g"}}}),
    (models.ListFineTuningJobEventsResponse, {"data": [{"id": "e"}, {"id": None}]}),
    (models.ListFineTuningJobEventsResponse, {"data": {"id": "e"}}),
    (models.ListFineTuningJobEventsResponse, {"data": [{"id": "e", "level": {}}]}),
    (models.RunGraderResponse, {"reward": "1"}),
    (models.RunGraderResponse, {"metadata": {"errors": {"other_error": "no"}}}),
    (models.EvalItem, {"content": [{"type": "input_text", "text": 1}]}),
    (models.EvalItem, {"content": 3}),
    (models.GraderMulti, {"graders": {"a": {"type": "python", "source": 1}}}),
    (models.FineTuningJob, []),
    (models.FineTuningJob, "job"),
]


def both(cls: type, document: Any) -> tuple[Any, Any]:
    return _convert.structure(document, cls), REFERENCE.structure(document, cls)


@pytest.mark.parametrize(("cls", "document"), SAMPLES)
def test_both_paths_agree_on_the_corpus(cls: type, document: Any) -> None:
    fast, reference = both(cls, document)
    assert fast == reference
    assert _convert.unstructure(fast) == _convert.unstructure(reference) == document


@pytest.mark.parametrize(("cls", "document"), BROKEN)
def test_both_paths_refuse_the_same_documents_with_the_same_path(cls: type, document: Any) -> None:
    with pytest.raises(_convert.DecodeError) as fast:
        _convert.structure(document, cls)
    with pytest.raises(Exception) as reference:  # noqa: PT011  # cattrs' exception tree
        REFERENCE.structure(document, cls)
    path, leaf = _convert._first_error(reference.value, "$")
    assert (fast.value.path, fast.value.message) == (path, _convert._message(leaf))


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
def test_both_paths_agree_on_generated_documents(sample: tuple[str, Any]) -> None:
    name, document = sample
    fast, reference = both(getattr(models, name), document)
    assert fast == reference
    assert _convert.unstructure(fast) == document


def _faulty() -> _classes.Hook:
    fields = _classes.plan(
        models.FineTuningJobError,
        REFERENCE.get_structure_hook,
        lambda h: (int,) if h is REFERENCE.get_structure_hook(str) else None,  # a wrong check
        lambda h, t: None,
    )
    return _classes.fast_hook(models.FineTuningJobError, fields)


def test_a_fast_path_that_refuses_what_the_reference_accepts_raises_disagreement() -> None:
    with pytest.raises(_classes.Disagreement):
        _faulty()({"code": "c"}, models.FineTuningJobError)


def test_disagreement_is_never_reported_as_a_bad_response(monkeypatch: pytest.MonkeyPatch) -> None:
    converter = _convert.make_converter()
    converter.register_structure_hook(models.FineTuningJobError, _faulty())
    monkeypatch.setattr(_convert, "converter", lambda: converter)
    with pytest.raises(_classes.Disagreement):
        _convert.structure([{"code": "c"}], list[models.FineTuningJobError])
