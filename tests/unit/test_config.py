"""Configuration resolution: environment, defaults, bad values, key hygiene."""

from __future__ import annotations

import pytest

import ftclient
from ftclient._config import DEFAULT_BASE_URL, resolve_config


def resolve(environ: dict[str, str], **kwargs: object) -> ftclient._config.ClientConfig:
    args: dict[str, object] = {
        "api_key": None,
        "base_url": None,
        "organization": None,
        "project": None,
        "timeout": ftclient.DEFAULT_TIMEOUTS,
        "max_retries": None,
        "retry_policy": None,
        "max_connections": 100,
        "default_headers": None,
    }
    args.update(kwargs)
    return resolve_config(environ=environ, **args)  # type: ignore[arg-type]


def test_environment_supplies_key_url_org_and_project() -> None:
    cfg = resolve(
        {
            "OPENAI_API_KEY": "sk-env",
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1/",
            "OPENAI_ORG_ID": "org-e",
            "OPENAI_PROJECT_ID": "proj-e",
        }
    )
    assert (cfg.api_key.reveal(), cfg.base_url, cfg.organization, cfg.project) == (
        "sk-env",
        "http://127.0.0.1:9/v1",
        "org-e",
        "proj-e",
    )


def test_arguments_win_over_environment() -> None:
    cfg = resolve({"OPENAI_API_KEY": "sk-env"}, api_key="sk-arg", base_url="https://x.test/v1")
    assert cfg.api_key.reveal() == "sk-arg"
    assert cfg.base_url == "https://x.test/v1"


def test_default_base_url() -> None:
    assert resolve({"OPENAI_API_KEY": "k"}).base_url == DEFAULT_BASE_URL


def test_missing_key_is_a_clear_error_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ftclient.InvalidParameterError, match="OPENAI_API_KEY") as info:
        ftclient.FineTuningClient()
    assert info.value.param == "api_key"


def test_key_never_appears_in_config_or_client_repr() -> None:
    cfg = resolve({}, api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(cfg)
    client = ftclient.FineTuningClient(api_key="sk-very-secret", base_url="http://127.0.0.1:1/v1")
    assert "sk-very-secret" not in repr(client)


def test_max_retries_overrides_policy() -> None:
    policy = ftclient.RetryPolicy(max_retries=5, base_delay=0.1)
    cfg = resolve({}, api_key="k", retry_policy=policy, max_retries=0)
    assert cfg.retry.max_retries == 0
    assert cfg.retry.base_delay == 0.1


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"base_url": "ftp://x"}, "base_url"),
        ({"max_connections": 0}, "max_connections"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"api_key": "sk\nx"}, "api_key"),
    ],
)
def test_bad_configuration_names_the_parameter(kwargs: dict[str, object], param: str) -> None:
    kwargs.setdefault("api_key", "k")
    with pytest.raises(ftclient.InvalidParameterError) as info:
        resolve({}, **kwargs)
    assert info.value.param == param


def test_timeouts_coerce() -> None:
    t = ftclient.Timeouts.coerce(3)
    assert (t.total, t.connect, t.read) == (3.0, 3.0, 3.0)
    assert ftclient.Timeouts.coerce(None).total is None
    with pytest.raises(ftclient.InvalidParameterError):
        ftclient.RetryPolicy(max_retries=-1)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v1",
        "http://localhost/v1",
        "http://[::1]:9/v1",
        "https://api.example.com/v1",
    ],
)
def test_secure_or_loopback_urls_do_not_warn(url: str) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve({}, api_key="k", base_url=url).base_url == url


def test_plain_http_to_another_host_warns() -> None:
    with pytest.warns(ftclient.InsecureURLWarning, match="unencrypted"):
        resolve({}, api_key="k", base_url="http://api.example.com/v1")


def test_credentials_in_the_base_url_are_refused() -> None:
    with pytest.raises(ftclient.InvalidParameterError, match="credentials"):
        resolve({}, api_key="k", base_url="https://user:pw@api.example.com/v1")


def test_trace_configs_cannot_be_added_to_a_borrowed_session() -> None:
    import aiohttp

    with pytest.raises(ftclient.InvalidParameterError, match="borrowed"):
        ftclient.FineTuningClient(
            api_key="k",
            base_url="http://127.0.0.1:9/v1",
            session=object(),  # type: ignore[arg-type]
            trace_configs=[aiohttp.TraceConfig()],
        )
