"""Bedrock's lambda grader through the converter: ``{"type": "lambda", "lambda": {"function":
ARN}}`` both ways, liberal about what a server puts around the ARN, strict about the kind."""

from __future__ import annotations

from typing import Any

import pytest

from ftclient import models as m
from ftclient._wire.convert import DecodeError, structure, unstructure

ARN = "arn:aws:lambda:us-west-2:123456789012:function:reward-fn"
SENT = {"type": "lambda", "name": "reward", "lambda": {"function": ARN}, "timeout": 30}


def test_a_decoded_lambda_grader_has_its_name_and_function_and_keeps_the_document() -> None:
    grader = structure(SENT, m.Grader)  # type: ignore[arg-type]
    assert isinstance(grader, m.GraderLambda)
    assert (grader.name, grader.function) == ("reward", ARN)
    assert unstructure(grader) == SENT  # the field this SDK does not model included


@pytest.mark.parametrize(
    ("document", "name", "function"),
    [
        ({"type": "lambda"}, None, None),
        ({"type": "lambda", "name": 3, "lambda": {"function": 7}}, None, None),
        ({"type": "lambda", "name": ["a"], "lambda": "arn"}, None, None),
        ({"type": "lambda", "name": "n", "lambda": None}, "n", None),
        ({"type": "lambda", "lambda": {"function": ARN, "x": 1}}, None, ARN),
    ],
)
def test_an_odd_lambda_or_name_leaves_it_none(
    document: dict[str, Any], name: str | None, function: str | None
) -> None:
    grader = structure(document, m.GraderLambda)
    assert (grader.name, grader.function) == (name, function)
    assert unstructure(grader) == document


def test_a_lambda_grader_that_is_not_an_object_names_the_kind_expected() -> None:
    with pytest.raises(DecodeError) as refused:
        structure(["lambda"], m.GraderLambda)
    assert (refused.value.path, refused.value.message) == ("$", "expected grader object, got array")


def test_a_built_lambda_grader_sends_the_nested_function_and_its_name_when_given() -> None:
    assert unstructure(m.GraderLambda(function=ARN)) == {
        "type": "lambda",
        "lambda": {"function": ARN},
    }
    assert unstructure(m.GraderLambda(function=ARN, name="reward")) == {
        "type": "lambda",
        "lambda": {"function": ARN},
        "name": "reward",
    }
