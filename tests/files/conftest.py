"""Fixtures: a Files/Uploads service of the tests' own and clients on its simulated clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import ftclient
from tests.hostile.fake_api import SimClock

from .fake_files import FakeFiles


@pytest.fixture
async def service() -> AsyncIterator[FakeFiles]:
    async with FakeFiles(SimClock()).running() as server:
        yield server


@pytest.fixture
async def make_client(
    service: FakeFiles,
) -> AsyncIterator[Callable[..., ftclient.FineTuningClient]]:
    made: list[ftclient.FineTuningClient] = []

    def make(**options: Any) -> ftclient.FineTuningClient:
        options.setdefault("clock", service.clock)
        client = ftclient.FineTuningClient(api_key="sk-test", base_url=service.url, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()
