"""Protocol functions at their edges: exact messages, boundaries, what each error carries.

Written against the mutants that survived ``tools/mutation.sh _protocol``: each test names a
behaviour that a small change of the code would break without any other test noticing.
"""

from __future__ import annotations

import email.utils
import json

import pytest

import ftclient
from ftclient import _checks
from ftclient._core import protocol
from ftclient._transport import USER_AGENT as AGENT
from tests.unit.core.test_protocol import make_config


def test_no_metadata_is_one_value_that_says_its_name() -> None:
    assert protocol.NoMetadata() is protocol.NO_METADATA
    assert repr(protocol.NO_METADATA) == "NO_METADATA"


def test_json_nested_too_deeply_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "_loads", json.loads)
    with pytest.raises(ValueError, match=r"^JSON nested too deeply$"):
        protocol.loads(b"[" * 100_000 + b"]" * 100_000)


def test_a_clean_header_passes_unchanged() -> None:
    # Header checks live in _inputs (run when the client is built and at each call).
    assert _checks.header_value("XYZ abc: 1", "extra_headers['X-Trace']") == "XYZ abc: 1"


def test_a_header_value_that_is_not_a_string_names_the_header() -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        make_config(default_headers={"X-Trace": 5})
    assert info.value.param == "default_headers['X-Trace']"
    assert str(info.value).endswith("must be a string, got int")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "X-A",
            "a\rb",
            "must not contain CR, LF, NUL or other control characters (tab is allowed), "
            "found '\\r' at index 1",
        ),
        ("X:A", "v", "is not a valid header name"),
        ("X A", "v", "is not a valid header name"),
    ],
)
def test_a_header_that_would_split_the_request_names_the_header(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        make_config(default_headers={name: value})
    assert info.value.param == f"default_headers[{name!r}]"
    assert message in str(info.value)


def test_base_headers_ask_for_json_and_carry_checked_default_headers() -> None:
    headers = protocol.base_headers(make_config(default_headers={"X-Team": "ml"}), AGENT)
    assert headers["Accept"] == "application/json"
    assert headers["X-Team"] == "ml"
    with pytest.raises(
        ftclient.InvalidParameterError, match="CR, LF, NUL or other control characters"
    ):
        protocol.base_headers(make_config(default_headers={"X-Team": "a\nb"}), AGENT)


def test_booleans_in_a_query_are_lowercase_words() -> None:
    pairs = protocol.query_pairs({"a": True, "b": False})
    assert pairs == [("a", "true"), ("b", "false")]


def error(status: int, body: bytes, headers: dict[str, str] | None = None) -> ftclient.APIError:
    return protocol.error_from_response(
        status, headers or {}, body, method="POST", url="/fine_tuning/jobs"
    )


def test_an_error_carries_its_body_method_url_and_retry_after() -> None:
    body = {"error": {"message": "slow down", "type": "requests", "code": None, "param": None}}
    exc = error(429, json.dumps(body).encode(), {"retry-after": "2"})
    assert isinstance(exc, ftclient.RateLimitError)
    assert exc.body == body
    assert (exc.method, exc.url, exc.retry_after) == ("POST", "/fine_tuning/jobs", 2.0)


def test_error_fields_that_are_not_strings_are_dropped() -> None:
    exc = error(400, b'{"error": {"message": "m", "code": 5, "type": ["x"], "param": "p"}}')
    assert isinstance(exc, ftclient.APIStatusError)
    assert (exc.message, exc.code, exc.type, exc.param) == ("m", None, None, "p")


def test_a_json_body_that_is_not_an_error_object_is_kept_as_the_body() -> None:
    exc = error(500, b"[1, 2]")
    assert isinstance(exc, ftclient.APIStatusError)
    assert exc.body == [1, 2]
    assert exc.message == "HTTP 500: [1, 2]"


def test_an_error_given_as_a_string_is_the_message() -> None:
    exc = error(429, b'{"error": "quota exceeded"}')
    assert isinstance(exc, ftclient.APIStatusError)
    assert exc.message == "quota exceeded"


def test_an_empty_error_body_is_just_the_status() -> None:
    exc = error(500, b"")
    assert isinstance(exc, ftclient.APIStatusError)
    assert exc.message == "HTTP 500"


def test_a_page_that_is_not_json_keeps_its_text_excerpt_as_the_body() -> None:
    exc = error(502, b"<html><b>Bad</b>   gateway\xff</html>")
    assert isinstance(exc, ftclient.APIStatusError)
    assert exc.message == "HTTP 502: Bad gateway\ufffd"  # tags and runs of space folded
    assert exc.body == "Bad gateway\ufffd"


@pytest.mark.parametrize(("length", "suffix"), [(200, ""), (201, "...")])
def test_the_excerpt_is_cut_at_200_characters(length: int, suffix: str) -> None:
    exc = error(502, b"y" * length)
    assert isinstance(exc, ftclient.APIStatusError)
    assert exc.message == "HTTP 502: " + "y" * 200 + suffix


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "0"}, 0.0),
        ({"retry-after-ms": "0"}, 0.0),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after-ms": "-5", "retry-after": "3"}, 3.0),
    ],
)
def test_retry_after_edges(headers: dict[str, str], seconds: float | None) -> None:
    assert protocol.retry_after(headers) == seconds


def test_a_past_http_date_means_now() -> None:
    past = email.utils.formatdate(999_000, usegmt=True)
    assert protocol.retry_after({"retry-after": past}, now=1_000_000) == 0.0


def test_server_wait_reads_a_date_against_the_given_time() -> None:
    date = {"retry-after": email.utils.formatdate(1_000_030, usegmt=True)}
    assert protocol.server_wait(date, 60.0, now=1_000_000) == pytest.approx(30.0)
    assert protocol.server_wait(date, 29.0, now=1_000_000) is None  # above the cap
    assert protocol.server_wait(date, 30.0, now=1_000_000) == pytest.approx(30.0)  # at it


@pytest.mark.parametrize(("status", "retried"), [(499, False), (500, True), (599, True)])
def test_the_5xx_boundary(status: int, retried: bool) -> None:
    exc = ftclient.APIStatusError("x", status=status, headers={})
    assert protocol.should_retry(exc, ftclient.RetryPolicy()) is retried
