"""Shared fixtures: an emulator on 127.0.0.1 whose every ftclient request is checked against the
OpenAPI document (with jsonschema, independently of the package's own validator), and a client
bound to it with retry waits switched off."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

import ftclient
from ftclient._wire import convert as _convert
from ftclient.testing import FineTuningEmulator
from tests.spec.request_validator import validate_request

NO_WAIT = ftclient.RetryPolicy(wait=False)


def _clear_converters() -> None:
    _convert.converter.cache_clear()
    _convert._explaining.cache_clear()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start every session with converters not built yet.

    A mutation run (mutmut) forks each mutant's session from a process that already decoded
    something; a converter built there would hide the mutants of the code that builds it.
    """
    _clear_converters()


@pytest.fixture(autouse=True)
def _converters_built_per_test_for_mutmut_stats() -> None:
    """In mutmut's pass that learns which tests reach which function, build the converters
    afresh for every test, so that each test that decodes is linked to the code that builds
    them (otherwise only the first one would be, and only it would run against such a mutant).
    """
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        _clear_converters()


def assert_requests_conform(emulator: FineTuningEmulator) -> int:
    """Fail if any request that ftclient sent breaks the contract; return how many were checked."""
    problems: list[str] = []
    checked = 0
    for record in emulator.requests:
        if not record.headers.get("User-Agent", "").startswith("ftclient/"):
            continue  # raw requests that tests send on purpose
        checked += 1
        problems += validate_request(
            record.method, record.path, record.query, record.headers, record.body
        )
    assert not problems, "requests that break the OpenAPI document:\n" + "\n".join(problems)
    return checked


@pytest.fixture
async def emulator() -> AsyncIterator[FineTuningEmulator]:
    """A started emulator with a still clock (time moves only on ``clock.advance``); after the
    test, every ftclient request it saw must conform."""
    # The SDK's tests pass made-up file ids: a job's files are not what they test.
    # seed=0: the tests' jobs take the same course on every run (the default draws a seed).
    async with FineTuningEmulator(speed=0, require_files=False, seed=0) as emu:
        yield emu
        assert_requests_conform(emu)


@pytest.fixture
async def client(emulator: FineTuningEmulator) -> AsyncIterator[ftclient.FineTuningClient]:
    """A client bound to the emulator; retries are counted but never slept."""
    async with ftclient.FineTuningClient(
        api_key="sk-test-key", base_url=emulator.url, retry_policy=NO_WAIT
    ) as c:
        yield c
