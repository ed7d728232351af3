"""The emulator's constructor refuses what would silently misbehave: a single key string (which
would accept its letters as keys) and a rate limit that is NaN, infinite or not a number."""

from __future__ import annotations

import math

import pytest

import ftclient
from ftclient.testing import FineTuningEmulator


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"api_keys": "sk-one"}, "api_keys"),
        ({"api_keys": ["sk-one", 5]}, "api_keys[1]"),
        ({"rate_limit": math.nan}, "rate_limit"),
        ({"rate_limit": math.inf}, "rate_limit"),
        ({"rate_limit": "10"}, "rate_limit"),
        ({"rate_limit": 0}, "rate_limit"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], param: str) -> None:
    with pytest.raises(ftclient.InvalidParameterError) as caught:
        FineTuningEmulator(**kwargs)  # type: ignore[arg-type]
    assert caught.value.param == param
    assert isinstance(caught.value, ValueError)


async def test_a_list_of_one_key_accepts_that_key_only() -> None:
    async with FineTuningEmulator(api_keys=["sk-one"]) as emu:
        async with ftclient.FineTuningClient(api_key="sk-one", base_url=emu.url) as good:
            await good.jobs.list()
        async with ftclient.FineTuningClient(
            api_key="s", base_url=emu.url, max_retries=0
        ) as letter:
            with pytest.raises(ftclient.AuthenticationError):
                await letter.jobs.list()
