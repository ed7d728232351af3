"""The models' one ``__repr__``, ``__eq__`` and ``__hash__`` (``Model``'s) behave as the ones
attrs would write for each class.

The models are declared with ``repr=False, eq=False`` so that importing ftclient does not compile
the three per class; every model class is compared here with an attrs class of the same name and
fields.
"""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import pytest

from ftclient import models
from ftclient.models._base import Model

MODELS = [
    cls
    for _, cls in inspect.getmembers(models, inspect.isclass)
    if issubclass(cls, Model) and cls is not Model
]


def attrs_twin(cls: type[Any]) -> type[Any]:
    """An attrs class with ``cls``'s name and fields and attrs' own dunders."""
    fields = {a.name: attrs.field(default=None) for a in attrs.fields(cls)}
    return attrs.make_class(cls.__name__, fields, kw_only=True, frozen=True)


def sample(cls: type[Any], salt: int = 0) -> dict[str, Any]:
    """A distinct value of a different kind per field: text, number, null, list."""
    kinds = [lambda i: f"v{i}", lambda i: i + 0.5, lambda i: None, lambda i: [i, "x"]]
    return {a.name: kinds[(i + salt) % 4](i) for i, a in enumerate(attrs.fields(cls))}


def test_every_model_is_covered() -> None:
    assert len(MODELS) >= 40
    assert models.FineTuningJob in MODELS
    assert models.GraderMulti in MODELS


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_repr_is_the_one_attrs_writes(cls: type[Any]) -> None:
    for salt in range(4):
        values = sample(cls, salt)
        assert repr(cls(**values)) == repr(attrs_twin(cls)(**values))


def test_repr_of_nested_and_recursive_values() -> None:
    job = models.FineTuningJob(id="ftjob-1", error=models.FineTuningJobError(code="x"))
    assert repr(job).startswith("FineTuningJob(id='ftjob-1', created_at=None, error=")
    assert "error=FineTuningJobError(code='x', message=None, param=None)," in repr(job)
    tags: list[Any] = []
    wandb = models.WandbIntegration(project="p", tags=tags)
    tags.append(wandb)
    twin = attrs_twin(models.WandbIntegration)(project="p", tags=[])
    twin.tags.append(twin)
    assert (
        repr(wandb)
        == repr(twin)
        == "WandbIntegration(project='p', name=None, entity=None, tags=[...])"
    )


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_equality_is_the_one_attrs_writes(cls: type[Any]) -> None:
    twin = attrs_twin(cls)
    values = sample(cls)
    assert cls(**values) == cls(**values)
    assert (cls(**values) != cls(**values)) is False
    for name in values:  # one field differs: unequal, whichever it is
        other = {**values, name: "changed"}
        assert (cls(**values) == cls(**other)) is (twin(**values) == twin(**other)) is False
        assert cls(**values) != cls(**other)
    assert cls(**values).__eq__(values) is NotImplemented
    assert cls(**values) != values


def test_models_of_different_classes_are_unequal() -> None:
    empty = {"batch_size": None, "learning_rate_multiplier": None, "n_epochs": None}
    supervised = models.FineTuneSupervisedHyperparameters(**empty)
    assert supervised != models.FineTuningJobHyperparameters(**empty)
    assert supervised == models.FineTuneSupervisedHyperparameters()


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_hash_follows_equality(cls: type[Any]) -> None:
    values = {a.name: f"v{i}" for i, a in enumerate(attrs.fields(cls))}
    same = cls(**values)
    assert hash(same) == hash(cls(**values))
    assert len({same, cls(**values), *(cls(**{**values, k: "changed"}) for k in values)}) == (
        1 + len(values)
    )
    if values:
        with pytest.raises(TypeError, match="unhashable"):
            hash(cls(**{**values, next(iter(values)): ["a list"]}))
