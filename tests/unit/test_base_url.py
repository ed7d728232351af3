"""``split_base_url`` and ``warn_if_cleartext``: each rule's exact outcome and message."""

from __future__ import annotations

import warnings

import pytest

import ftclient
from ftclient._base_url import split_base_url, warn_if_cleartext


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://api.example.com/v1/", "https://api.example.com/v1"),
        ("https://api.example.com//v1//", "https://api.example.com/v1"),
        ("https://api.example.com/", "https://api.example.com"),
        ("https://api.example.com", "https://api.example.com"),
        ("  https://api.example.com/v1\n", "https://api.example.com/v1"),
        ("http://127.0.0.1:8000/v1/x/", "http://127.0.0.1:8000/v1/x"),
    ],
)
def test_the_base_keeps_its_path_without_a_trailing_or_doubled_slash(given: str, base: str) -> None:
    assert split_base_url(given) == (base, {})


def test_the_query_comes_back_as_parameters_in_order() -> None:
    assert split_base_url("https://h.example/v1?b=2&a=1&c=") == (
        "https://h.example/v1",
        {"b": "2", "a": "1", "c": ""},
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "https://h.example/v1?a=1&b=2&a=3",
            "gives the query parameter 'a' more than once; give it once",
        ),
        (
            "https://h.example/v1?b=1&a=1&a=1",
            "gives the query parameter 'a' more than once; give it once",
        ),
        (
            "https://h.example:port/v1",
            "is not a valid URL (Port could not be cast to integer value as 'port')",
        ),
        ("ftp://h.example/v1", "must be an http(s) URL with a host, got 'ftp://h.example/v1'"),
        ("https:///v1", "must be an http(s) URL with a host, got 'https:///v1'"),
        ("https://user:pw@h.example/v1", "must not contain credentials"),
        ("https://h.example/v1#top", "must not contain a #fragment: it never reaches the server"),
    ],
)
def test_a_url_that_cannot_be_meant_names_the_parameter_and_the_reason(
    given: str, message: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        split_base_url(given, "azure_endpoint")
    assert (caught.value.param, caught.value.message) == ("azure_endpoint", message)


def test_a_host_yarl_refuses_is_not_a_valid_url() -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        split_base_url("https://a\u200db.example/v1")  # a zero-width joiner in the host
    assert caught.value.param == "base_url"
    assert caught.value.message.startswith("is not a valid URL (")


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/v1",
        "http://127.0.0.5/v1",
        "http://[::1]:80/v1",
        "https://api.example.com/v1",
    ],
)
def test_no_warning_on_loopback_or_https(url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_cleartext(url)


def test_plain_http_off_the_machine_warns_where_the_client_is_built() -> None:
    with pytest.warns(ftclient.InsecureURLWarning) as caught:
        ftclient.FineTuningClient(api_key="sk-test", base_url="http://gateway.example/v1")
    assert str(caught[0].message) == (
        "base_url 'http://gateway.example/v1' is plain http to a host that is not loopback: "
        "the API key would travel unencrypted; use https"
    )
