"""Fixtures for tests against servers ftclient did not write."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import ftclient

from .fake_api import FakeAPI, SimClock
from .recorder import KEY as RECORDED_KEY
from .recorder import Recorder, recorder

KEY = "sk-proj-WORLD-0123456789abcdef"


@pytest.fixture
async def api() -> AsyncIterator[FakeAPI]:
    async with FakeAPI(SimClock()).running() as server:
        yield server


@pytest.fixture
async def make_client(api: FakeAPI) -> AsyncIterator[Callable[..., ftclient.FineTuningClient]]:
    """Clients of ``api`` driven by its simulated clock (waits cost no real time)."""
    made: list[ftclient.FineTuningClient] = []

    def make(**options: Any) -> ftclient.FineTuningClient:
        options.setdefault("clock", api.clock)
        client = ftclient.FineTuningClient(api_key=KEY, base_url=api.url, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()


@pytest.fixture
async def recorded() -> AsyncIterator[Recorder]:
    """A server answering every path with one status and recording what came (recorder.py)."""
    async with recorder() as state:
        yield state


@pytest.fixture
async def recorded_client(recorded: Recorder) -> AsyncIterator[ftclient.FineTuningClient]:
    """A client of ``recorded`` on a SimClock, with the default policy (2 retries)."""
    async with ftclient.FineTuningClient(
        api_key=RECORDED_KEY, base_url=recorded.url, clock=SimClock()
    ) as client:
        yield client
