"""The input checks one by one, at their boundaries: what passes, what is refused, and the
parameter and message the error names."""

from __future__ import annotations

import logging
import math
from typing import Any

import pytest

from ftclient import InvalidParameterError
from ftclient import _checks as inputs
from ftclient._wire.requests import request_body


def refused(check: Any, *args: Any, **kwargs: Any) -> InvalidParameterError:
    with pytest.raises(InvalidParameterError) as caught:
        check(*args, **kwargs)
    return caught.value


@pytest.mark.parametrize("value", [1e-300, 0.5, 1, 600, 2**53, 1e300])
def test_seconds_accepts_finite_positive_numbers(value: float) -> None:
    result = inputs.seconds(value, "t")
    assert result == float(value)
    assert isinstance(result, float)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "must be finite and > 0 seconds, got 0"),
        (0.0, "must be finite and > 0 seconds, got 0.0"),
        (-1e-300, "must be finite and > 0 seconds"),
        (math.inf, "got inf"),
        (-math.inf, "got -inf"),
        (math.nan, "got nan"),
        (10**400, "must be finite and > 0 seconds"),
        (True, "must be a number of seconds, got bool"),
        ("5", "must be a number of seconds, got str"),
        (None, "must be a number of seconds, got NoneType"),
    ],
)
def test_seconds_refuses(value: object, message: str) -> None:
    exc = refused(inputs.seconds, value, "timeout")
    assert exc.param == "timeout"
    assert message in exc.message


def test_seconds_zero_and_unit() -> None:
    assert inputs.seconds(0, "d", zero=True) == 0.0
    exc = refused(inputs.seconds, -1, "d", zero=True)
    assert exc.message == "must be finite and >= 0 seconds, got -1"
    exc = refused(inputs.seconds, "x", "rate", unit="requests per second")
    assert exc.message == "must be a number of requests per second, got str"
    assert inputs.optional_seconds(None, "t") is None
    assert inputs.optional_seconds(2, "t") == 2.0


def test_text_identifier_and_surrogates() -> None:
    assert inputs.text("", "p") == ""
    assert inputs.identifier(" a ", "p") == " a "
    assert refused(inputs.text, b"x", "p").message == "must be a string, got bytes"
    exc = refused(inputs.text, "ab\udc80", "model")
    assert (exc.param, exc.message) == (
        "model",
        "cannot be encoded as UTF-8 (lone surrogate at index 2)",
    )
    for blank in ("", " ", "\t\n"):
        assert refused(inputs.identifier, blank, "job_id").message == "must be a non-empty string"


def test_identifiers() -> None:
    assert inputs.identifiers(iter(["a", "b"]), "ids") == ["a", "b"]
    assert inputs.identifiers(("a",), "ids") == ["a"]
    assert inputs.identifiers([], "ids") == []
    for bad in ("ftjob-abc", b"ab", {"a": 1}, 5, None):
        exc = refused(inputs.identifiers, bad, "job_ids")
        assert exc.param == "job_ids"
        assert exc.message.startswith("must be a collection of id strings")
    assert refused(inputs.identifiers, ["a", " "], "job_ids").param == "job_ids[1]"


def test_statuses() -> None:
    assert inputs.statuses(["paused", "paused"]) == frozenset({"paused"})
    assert inputs.statuses(()) == frozenset()
    for bad in ("paused", 5, {"paused": 1}, None):
        assert refused(inputs.statuses, bad).param == "stop_on"
    assert refused(inputs.statuses, [1]).param == "stop_on[1]"


def test_positive_int_and_limit() -> None:
    assert inputs.positive_int(1, "n") == 1
    for bad in (0, -1, True, 1.0, "1"):
        assert refused(inputs.positive_int, bad, "n").message.startswith("must be an integer >= 1")
    for limit in (None, 0, -5, 10**6):
        assert inputs.check_limit(limit) == limit
    for bad in (True, 1.5, "5"):
        exc = refused(inputs.check_limit, bad)
        assert (exc.param, exc.message[:21]) == ("limit", "must be an integer, g")


def test_instance_of_and_callback() -> None:
    inputs.instance_of(5, int, "n", "an int")
    exc = refused(inputs.instance_of, "5", (int, float), "n", "a number")
    assert exc.message == "must be a number, got str"
    inputs.callback(None, "cb")
    inputs.callback(print, "cb")
    assert refused(inputs.callback, 5, "on_update").message == "must be a callable or None, got int"


TOKEN_CHARS = "!#$%&'*+-.^_`|~09azAZ"


def test_header_names() -> None:
    assert inputs.header_name(TOKEN_CHARS, "h") == TOKEN_CHARS
    for bad in ("", "X:A", "X A", "X\rA", "X\nA", "X\x00", "é", "X(A)", "X/A", '"', "X\udc80"):
        exc = refused(inputs.header_name, bad, "extra_headers")
        assert exc.param == f"extra_headers[{bad!r}]"
    assert refused(inputs.header_name, 1, "h").message == "header names must be strings, got int"


def test_header_values_and_mappings() -> None:
    assert inputs.header_value("a b: c;é", "v") == "a b: c;é"
    for bad in ("a\rb", "a\nb", "a\x00b"):
        assert refused(inputs.header_value, bad, "v").message.startswith("must not contain CR")
    assert "UTF-8" in refused(inputs.header_value, "\ud800", "v").message
    assert refused(inputs.header_value, 1, "v").message == "must be a string, got int"
    assert inputs.check_headers(None) == {}
    headers = {"X-A": "1"}
    assert inputs.check_headers(headers) == headers
    assert inputs.check_headers(headers) is not headers
    assert refused(inputs.check_headers, ["X"]).param == "extra_headers"
    assert refused(inputs.check_headers, {"X": 1}, "default_headers").param == (
        "default_headers['X']"
    )


def test_idempotency_key_limits() -> None:
    assert inputs.idempotency_key("k" * 512) == "k" * 512
    assert inputs.idempotency_key("k") == "k"
    for bad in ("", "k" * 513, "k" * 600):
        exc = refused(inputs.idempotency_key, bad)
        assert exc.param == "idempotency_key"
        assert exc.message == f"must have 1 to 512 characters, got {len(bad)}"


def test_metadata_limits_at_their_boundaries() -> None:
    inputs.check_metadata(None)
    inputs.check_metadata({f"k{i}": "v" for i in range(16)})
    inputs.check_metadata({"k" * 64: "v" * 512, "": ""})
    exc = refused(inputs.check_metadata, {f"k{i}": "v" for i in range(17)})
    assert (exc.param, exc.message) == ("metadata", "at most 16 keys are allowed, got 17")
    exc = refused(inputs.check_metadata, {"k" * 65: "v"})
    assert exc.param == f"metadata[{'k' * 20!r}...]"
    assert exc.message == "keys have at most 64 characters, got 65"
    exc = refused(inputs.check_metadata, {"k" * 20: "v" * 513})
    assert exc.param == f"metadata[{'k' * 20!r}]"
    assert exc.message == "values have at most 512 characters, got 513"
    assert refused(inputs.check_metadata, {1: "v"}).message == "keys must be strings, got int"
    assert refused(inputs.check_metadata, "k=v").param == "metadata"
    assert refused(inputs.check_metadata, {"k": 1}, "filter").param == "filter['k']"


def test_json_object_and_query_params() -> None:
    assert inputs.json_object(None, "extra_body") == {}
    assert inputs.json_object({"a": [1, 2.5, None, True, {"b": "c"}]}, "extra_body") == {
        "a": [1, 2.5, None, True, {"b": "c"}]
    }
    assert refused(inputs.json_object, {"a": [math.nan]}, "extra_body").param == "extra_body.a[0]"
    assert refused(inputs.json_object, {"a": {1: 2}}, "extra_body").param == "extra_body.a"
    assert refused(inputs.json_object, {"a": {1, 2}}, "extra_body").message == (
        "is not a JSON value, got set"
    )
    assert refused(inputs.json_object, [1], "extra_body").param == "extra_body"
    query = {"a": "x", "b": 1, "c": 2.5, "d": True, "e": None}
    assert inputs.query_params(query, "extra_query") == query
    assert inputs.query_params(None, "extra_query") == {}
    assert refused(inputs.query_params, {"a": [1]}, "extra_query").param == "extra_query['a']"
    assert refused(inputs.query_params, {"a": math.inf}, "extra_query").param == "extra_query['a']"
    assert refused(inputs.query_params, {"a": "\udc80"}, "extra_query").param == "extra_query['a']"
    assert refused(inputs.query_params, {1: "a"}, "extra_query").param == "extra_query"
    assert refused(inputs.query_params, "a=1", "extra_query").param == "extra_query"


def test_request_body_drops_none_and_logs_unknown_keys(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="ftclient")
    body = request_body(
        "CreateFineTuningJobRequest", {"model": "m", "training_file": "f", "suffix": None}
    )
    assert body == {"model": "m", "training_file": "f"}
    assert caplog.records == []
    request_body(
        "ValidateGraderRequest", {"grader": {"type": "python", "name": "p", "source": "s", "x": 1}}
    )
    [record] = caplog.records
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == (
        "sending fields that ValidateGraderRequest does not name, as given: grader.x"
    )
    exc = refused(request_body, "CreateFineTuningJobRequest", {"model": "m"})
    assert (exc.param, exc.message) == ("training_file", "is required")


@pytest.mark.parametrize(
    ("check", "args", "message"),
    [
        (
            inputs.identifiers,
            (5, "ids"),
            "must be a collection of id strings (a list, say), got int",
        ),
        (inputs.check_limit, ("5",), "must be an integer, got str"),
        (inputs.statuses, (5,), "must be a collection of status strings (a set, say), got int"),
        (inputs.check_headers, ("X: y",), "must be a mapping of header names to values, got str"),
        (inputs.check_metadata, ([],), "must be a mapping of str to str, got list"),
        (
            inputs.header_name,
            ("X:A", "h"),
            "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)",
        ),
        (inputs.json_object, ([], "extra_body"), "must be a mapping or None, got list"),
        (inputs.json_object, ({"a": {2: 1}}, "extra_body"), "keys must be strings, got int"),
        (inputs.query_params, ([], "extra_query"), "must be a mapping or None, got list"),
        (
            inputs.query_params,
            ({"a": b"x"}, "extra_query"),
            "must be a string, a number or a bool, got bytes",
        ),
    ],
)
def test_messages_say_what_was_expected_and_what_came(
    check: Any, args: tuple[Any, ...], message: str
) -> None:
    assert refused(check, *args).message == message


def test_boundaries_of_the_key_excerpt_and_header_characters() -> None:
    # Keys of up to 20 characters are shown whole; longer ones are cut.
    assert refused(inputs.check_metadata, {"k" * 21: 1}).param == f"metadata[{'k' * 20!r}...]"
    assert refused(inputs.check_metadata, {"k" * 20: 1}).param == f"metadata[{'k' * 20!r}]"
    assert inputs.header_value("XX", "v") == "XX"
