"""Bad input gets an InvalidParameterError naming the parameter, before any request leaves."""

from __future__ import annotations

import inspect

import pytest

import ftclient
from ftclient.testing import FineTuningEmulator

from .bad_inputs import CASES, CATEGORIES, Call


async def invoke(call: Call, client: ftclient.FineTuningClient) -> None:
    result = call(client)  # list methods check their arguments before returning the paginator
    if inspect.isawaitable(result):
        await result


@pytest.mark.parametrize(("call", "param"), [pytest.param(c, p, id=i) for i, c, p in CASES])
async def test_bad_input_is_refused_before_sending(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, call: Call, param: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        await invoke(call, client)
    assert isinstance(caught.value, ValueError)
    assert caught.value.param == param, str(caught.value)
    assert caught.value.message
    assert emulator.requests == []


def test_case_count() -> None:
    ids = [case[0] for case in CASES]
    assert len(ids) == len(set(ids)), "case ids are unique"
    assert sum(CATEGORIES.values()) == len(CASES)


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\x00b"])
async def test_client_wide_header_values_with_line_breaks_are_refused(
    emulator: FineTuningEmulator, value: str
) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        ftclient.FineTuningClient(
            api_key="sk-test", base_url=emulator.url, default_headers={"X-Team": value}
        )
    assert caught.value.param == "default_headers['X-Team']"
    if "\r" in value or "\n" in value:
        with pytest.raises(ftclient.InvalidParameterError) as key_error:
            ftclient.FineTuningClient(api_key=f"sk-{value}", base_url=emulator.url)
        assert key_error.value.param == "api_key"
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("organization", "org-1\r\nX-Evil: 1"), ("project", "p\nX-Evil: 1"), ("api_key", "sk-\x00")],
)
async def test_organization_project_and_key_with_control_characters_are_refused(
    emulator: FineTuningEmulator, field: str, value: str
) -> None:
    settings = {"api_key": "sk-test", "base_url": emulator.url, field: value}
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        ftclient.FineTuningClient(**settings)
    assert caught.value.param == field
