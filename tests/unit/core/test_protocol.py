"""Pure protocol functions: headers, encoding, errors, Retry-After, retry decisions."""

from __future__ import annotations

import email.utils
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ftclient
from ftclient._config import RetryPolicy, resolve_config
from ftclient._core import protocol
from ftclient._transport import USER_AGENT as AGENT


def make_config(**overrides: object) -> ftclient._config.ClientConfig:
    args: dict[str, object] = {
        "api_key": "sk-secret-value",
        "base_url": None,
        "organization": None,
        "project": None,
        "timeout": 5.0,
        "max_retries": None,
        "retry_policy": None,
        "max_connections": 10,
        "default_headers": None,
        "environ": {},
    }
    args.update(overrides)
    return resolve_config(**args)  # type: ignore[arg-type]


def test_base_headers_carry_auth_org_project_and_user_agent() -> None:
    config = make_config(organization="org-1", project="proj-1")
    headers = protocol.base_headers(config, AGENT)
    assert "Authorization" not in headers  # added by the transport's send, at the last moment
    assert protocol.auth_header(config) == ("Authorization", "Bearer sk-secret-value")
    azure = make_config(auth_header="api-key")
    assert protocol.auth_header(azure) == ("api-key", "sk-secret-value")
    assert headers["OpenAI-Organization"] == "org-1"
    assert headers["OpenAI-Project"] == "proj-1"
    ua = headers["User-Agent"]
    assert ua.startswith(f"ftclient/{ftclient.__version__} Python/")
    assert "aiohttp/" in ua


def test_base_headers_omit_unset_org_and_project() -> None:
    headers = protocol.base_headers(make_config(), AGENT)
    assert "OpenAI-Organization" not in headers
    assert "OpenAI-Project" not in headers


@pytest.mark.parametrize("bad", ["a\r\nX-Evil: 1", "a\nb", "nul\x00"])
def test_header_values_with_line_breaks_are_refused(bad: str) -> None:
    with pytest.raises(ftclient.InvalidParameterError, match="CR, LF, NUL or other control"):
        make_config(default_headers={"X-Custom": bad})


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("ftjob-abc123", "ftjob-abc123"),
        ("ft:gpt-4o-mini:org::B7R9:ckpt-step-2", "ft:gpt-4o-mini:org::B7R9:ckpt-step-2"),
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("q?x=1", "q%3Fx%3D1"),
        ("frag#1", "frag%231"),
        ("sp ace", "sp%20ace"),
        ("ctl\x01", "ctl%01"),
        ("ünï", "%C3%BCn%C3%AF"),
        ("..", "%2E%2E"),
        (".", "%2E"),
    ],
)
def test_path_segments_cannot_escape_their_endpoint(raw: str, encoded: str) -> None:
    assert protocol.path_segment(raw, "job_id") == encoded


_SAFE = st.text(st.sampled_from("azAZ09-_.~:"), max_size=4)  # what the shortcut may keep
_IDS = st.builds(
    lambda a, c, b: a + c + b, _SAFE, st.sampled_from("./?#% \x00\x7fü") | _SAFE, _SAFE
)


@given(_IDS | st.text(min_size=1, max_size=8))
def test_the_plain_id_shortcut_encodes_as_the_full_rule_does(raw: str) -> None:
    # The usual id skips quote(); whatever the string, the segment is the one quote() gives.
    if not raw.strip() or any(0xD800 <= ord(c) <= 0xDFFF for c in raw):
        return  # refused (blank, or not UTF-8): tested above and below
    expected = quote(raw, safe=":")
    expected = expected.replace(".", "%2E") if expected in (".", "..") else expected
    assert protocol.path_segment(raw, "job_id") == expected


@pytest.mark.parametrize("bad", ["", "   ", None, 12, b"id"])
def test_path_segment_rejects_empty_and_non_strings(bad: object) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as info:
        protocol.path_segment(bad, "job_id")
    assert info.value.param == "job_id"


def test_query_pairs_encode_metadata_as_deep_object_and_skip_none() -> None:
    pairs = protocol.query_pairs({"limit": 5, "after": None, "metadata": {"team": "a", "env": "b"}})
    assert pairs == [("limit", "5"), ("metadata[team]", "a"), ("metadata[env]", "b")]


def test_query_pairs_no_metadata_sentinel_sends_null() -> None:
    assert protocol.query_pairs({"metadata": protocol.NO_METADATA}) == [("metadata", "null")]


def test_error_from_json_body_fills_every_field() -> None:
    body = (
        b'{"error": {"message": "bad n_epochs", "type": "invalid_request_error",'
        b' "param": "n_epochs", "code": "invalid_value"}}'
    )
    exc = protocol.error_from_response(
        400, {"x-request-id": "req_1"}, body, method="POST", url="/fine_tuning/jobs"
    )
    assert type(exc) is ftclient.BadRequestError
    assert (exc.status, exc.message, exc.type, exc.param, exc.code, exc.request_id) == (
        400,
        "bad n_epochs",
        "invalid_request_error",
        "n_epochs",
        "invalid_value",
        "req_1",
    )
    assert "req_1" in str(exc)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ftclient.BadRequestError),
        (401, ftclient.AuthenticationError),
        (403, ftclient.PermissionDeniedError),
        (404, ftclient.NotFoundError),
        (409, ftclient.ConflictError),
        (422, ftclient.UnprocessableEntityError),
        (429, ftclient.RateLimitError),
        (500, ftclient.InternalServerError),
        (503, ftclient.InternalServerError),
        (418, ftclient.APIStatusError),
    ],
)
def test_status_maps_to_its_error_class(status: int, cls: type[Exception]) -> None:
    exc = protocol.error_from_response(status, {}, b"{}", method="GET", url="/x")
    assert type(exc) is cls
    assert isinstance(exc, ftclient.APIStatusError)
    assert isinstance(exc, ftclient.FTClientError)


def test_html_error_page_yields_right_class_with_short_excerpt() -> None:
    page = (
        b"<html><head><title>502 Bad Gateway</title></head><body>" + b"x" * 5000 + b"</body></html>"
    )
    exc = protocol.error_from_response(502, {}, page, method="GET", url="/x")
    assert type(exc) is ftclient.InternalServerError
    assert "502 Bad Gateway" in exc.message
    assert len(exc.message) < 260
    assert "<" not in exc.message


def test_retry_after_prefers_milliseconds_then_seconds_then_http_date() -> None:
    assert protocol.retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert protocol.retry_after({"retry-after": "2"}) == 2.0
    assert protocol.retry_after({"retry-after": "0.25"}) == 0.25
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert protocol.retry_after({"retry-after": date}, now=1_000_000) == pytest.approx(30.0)
    assert protocol.retry_after({"retry-after": "soon"}) is None
    assert protocol.retry_after({"retry-after": "-3"}) is None
    assert protocol.retry_after({}) is None


def _status(
    status: int, headers: dict[str, str] | None = None, code: str | None = None
) -> ftclient.APIStatusError:
    return ftclient.APIStatusError("x", status=status, headers=headers or {}, code=code)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    assert protocol.should_retry(_status(status), RetryPolicy())


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    assert not protocol.should_retry(_status(status), RetryPolicy())


def test_insufficient_quota_is_never_retried() -> None:
    assert not protocol.should_retry(_status(429, code="insufficient_quota"), RetryPolicy())


def test_x_should_retry_overrides_the_status_rule() -> None:
    assert protocol.should_retry(_status(400, {"x-should-retry": "true"}), RetryPolicy())
    assert not protocol.should_retry(_status(503, {"x-should-retry": "false"}), RetryPolicy())


def test_connection_errors_and_timeouts_are_retried() -> None:
    policy = RetryPolicy()
    assert protocol.should_retry(ftclient.APIConnectionError("reset"), policy)
    assert protocol.should_retry(ftclient.APITimeoutError("slow"), policy)
    assert not protocol.should_retry(ValueError("x"), policy)


@pytest.mark.parametrize("decoder", ["stdlib", "installed"])
def test_deeply_nested_json_is_a_value_error_with_either_decoder(
    decoder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    if decoder == "stdlib":
        monkeypatch.setattr(protocol, "_loads", json.loads)
    with pytest.raises(ValueError, match=r"(?i)nested too deeply|recursion|depth"):
        protocol.loads(b"[" * 100_000 + b"]" * 100_000)
    assert protocol.loads(b'{"a": [1, 2]}') == {"a": [1, 2]}
