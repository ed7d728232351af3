"""``Value``'s one ``__repr__``, ``__eq__`` and ``__hash__`` give what attrs' generated ones give.

The models and the frozen value classes (``Timeouts``, ``RetryPolicy``, ...) are declared
``repr=False, eq=False`` and derive from ``ftclient._value.Value``, so that importing ftclient
does not compile the three per class. Every such class is compared here with an attrs class of
the same name and fields that has attrs' own.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import ftclient
from ftclient import _config, models
from ftclient._value import Value


def subclasses(cls: type[Any]) -> list[type[Any]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


VALUES = [cls for cls in subclasses(Value) if attrs.has(cls)]


def attrs_twin(cls: type[Any]) -> type[Any]:
    """An attrs class with ``cls``'s name and fields and attrs' own dunders."""
    fields = {a.name: attrs.field(default=None, repr=a.repr) for a in attrs.fields(cls)}
    return attrs.make_class(cls.__name__, fields, kw_only=True, frozen=True)


def build(cls: type[Any], values: dict[str, Any]) -> Any:
    """An instance holding ``values`` as they are (validators would refuse the samples)."""
    obj = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(obj, name, value)
    return obj


def sample(cls: type[Any], salt: int = 0) -> dict[str, Any]:
    """A distinct value of a different kind per field: text, number, null, list."""
    kinds = [lambda i: f"v{i}", lambda i: i + 0.5, lambda i: None, lambda i: [i, "x"]]
    return {a.name: kinds[(i + salt) % 4](i) for i, a in enumerate(attrs.fields(cls))}


def test_every_model_and_value_class_is_covered() -> None:
    names = {cls.__name__ for cls in VALUES}
    assert len(VALUES) >= 50
    assert {"FineTuningJob", "GraderMulti", "Timeouts", "RetryPolicy", "Field"} <= names
    assert {"FlowControl", "ClientConfig", "PollSchedule", "WaitResult", "ResponseInfo"} <= names


@pytest.mark.parametrize("cls", VALUES, ids=lambda c: c.__name__)
def test_no_field_asks_for_what_value_ignores(cls: type[Any]) -> None:
    # Value compares and hashes every field and shows all but repr=False ones: other per-field
    # options would be ignored.
    for a in attrs.fields(cls):
        assert (a.eq, a.hash) == (True, None), a.name
        assert a.repr is True or a.repr is False, a.name
    assert cls.__repr__ is Value.__repr__
    assert cls.__eq__ is Value.__eq__


@pytest.mark.parametrize("cls", VALUES, ids=lambda c: c.__name__)
def test_repr_is_the_one_attrs_writes(cls: type[Any]) -> None:
    for salt in range(4):
        values = sample(cls, salt)
        assert repr(build(cls, values)) == repr(attrs_twin(cls)(**values))


def test_repr_of_nested_and_recursive_values() -> None:
    job = models.FineTuningJob(id="ftjob-1", error=models.FineTuningJobError(code="x"))
    assert repr(job).startswith("FineTuningJob(id='ftjob-1', created_at=None, error=")
    assert "error=FineTuningJobError(code='x', message=None, param=None)," in repr(job)
    tags: list[Any] = []
    wandb = models.WandbIntegration(project="p", tags=tags)
    tags.append(wandb)
    twin = attrs_twin(models.WandbIntegration)(project="p", tags=[])
    twin.tags.append(twin)
    text = "WandbIntegration(project='p', name=None, entity=None, tags=[...])"
    assert repr(wandb) == repr(twin) == text
    assert repr(ftclient.Timeouts(total=5)) == "Timeouts(total=5, connect=10.0, read=600.0)"
    info = ftclient.ResponseInfo(
        status=200, headers={"a": "b"}, request_id=None, attempts=1, retry_waits=(), elapsed=0.5
    )
    assert "headers" not in repr(info)
    assert repr(info).startswith("ResponseInfo(status=200, request_id=None, attempts=1,")


def test_repr_names_a_class_defined_in_a_function_as_attrs_does() -> None:
    class Outer:
        @attrs.frozen(repr=False, eq=False)
        class Inner(Value):
            a: int = 1

        @attrs.frozen
        class Twin:
            a: int = 1

    assert repr(Outer.Inner()) == "Outer.Inner(a=1)"
    assert repr(Outer.Twin()) == "Outer.Twin(a=1)"


@pytest.mark.parametrize("cls", VALUES, ids=lambda c: c.__name__)
def test_equality_is_the_one_attrs_writes(cls: type[Any]) -> None:
    twin = attrs_twin(cls)
    values = sample(cls)
    assert build(cls, values) == build(cls, values)
    assert (build(cls, values) != build(cls, values)) is False
    for name in values:  # one field differs: unequal, whichever it is
        other = {**values, name: "changed"}
        assert (build(cls, values) == build(cls, other)) is (twin(**values) == twin(**other))
        assert build(cls, values) != build(cls, other)
    assert build(cls, values).__eq__(values) is NotImplemented
    assert build(cls, values) != values


def test_values_of_different_classes_are_unequal() -> None:
    empty = {"batch_size": None, "learning_rate_multiplier": None, "n_epochs": None}
    supervised = models.FineTuneSupervisedHyperparameters(**empty)
    assert supervised != models.FineTuningJobHyperparameters(**empty)
    assert supervised == models.FineTuneSupervisedHyperparameters()
    assert _config.RetryPolicy() == _config.DEFAULT_RETRY_POLICY
    assert ftclient.RetryPolicy(max_retries=3) != ftclient.RetryPolicy()


@pytest.mark.parametrize("cls", VALUES, ids=lambda c: c.__name__)
def test_hash_follows_equality(cls: type[Any]) -> None:
    values = {a.name: f"v{i}" for i, a in enumerate(attrs.fields(cls))}
    same = build(cls, values)
    assert hash(same) == hash(build(cls, values))
    variants = {same, build(cls, values), *(build(cls, {**values, k: "x"}) for k in values)}
    assert len(variants) == 1 + len(values)
    if values:
        with pytest.raises(TypeError, match="unhashable"):
            hash(build(cls, {**values, next(iter(values)): ["a list"]}))


def test_the_defaults_are_hashable_values() -> None:
    assert {ftclient.DEFAULT_RETRY_POLICY, ftclient.RetryPolicy()} == {ftclient.RetryPolicy()}
    assert hash(ftclient.DEFAULT_TIMEOUTS) == hash(ftclient.Timeouts())
    assert ftclient.PollSchedule() == ftclient.PollSchedule()
