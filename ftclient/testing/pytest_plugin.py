"""pytest fixtures for code that talks to the Fine-Tuning API, served by the local emulator.

Registered through the ``pytest11`` entry point, so any project with ftclient installed gets:

- ``ft_emulator``: a started :class:`~ftclient.testing.FineTuningEmulator` (one per test);
- ``ft_client``: an ``ftclient.FineTuningClient`` pointed at it, closed after the test.

Configure the emulator of one test with the ``ft_emulator`` marker, whose keyword arguments go to
the constructor: ``@pytest.mark.ft_emulator(seed=7, rate_limit=50)``.

Both fixtures are async and need pytest-asyncio; without it they fail with a message saying so.
This module is imported at every pytest start-up, so it imports nothing heavy until a fixture runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ftclient import FineTuningClient
    from ftclient.testing import FineTuningEmulator

__all__ = ["ft_client", "ft_emulator"]

NEEDS_ASYNCIO = (
    "The ft_emulator and ft_client fixtures are async and need pytest-asyncio: "
    "pip install pytest-asyncio (and use asyncio_mode = auto or @pytest.mark.asyncio)."
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``ft_emulator`` marker."""
    config.addinivalue_line(
        "markers",
        "ft_emulator(**kwargs): keyword arguments for the FineTuningEmulator of the "
        "ft_emulator fixture",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("ft_emulator")
    return dict(marker.kwargs) if marker is not None else {}


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    pytest_asyncio = None  # type: ignore[assignment]

if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def ft_emulator(request: pytest.FixtureRequest) -> AsyncIterator[FineTuningEmulator]:
        """A started emulator on a free loopback port, stopped after the test."""
        from ftclient.testing import FineTuningEmulator

        async with FineTuningEmulator(**_options(request)) as emulator:
            yield emulator

    @pytest_asyncio.fixture
    async def ft_client(ft_emulator: FineTuningEmulator) -> AsyncIterator[FineTuningClient]:
        """A ``FineTuningClient`` (key ``sk-test``) talking to ``ft_emulator``."""
        from ftclient import FineTuningClient

        async with FineTuningClient(api_key="sk-test", base_url=ft_emulator.url) as client:
            yield client

else:  # pragma: no cover - exercised only without pytest-asyncio

    @pytest.fixture
    def ft_emulator() -> Any:
        """Unavailable: pytest-asyncio is not installed."""
        pytest.fail(NEEDS_ASYNCIO, pytrace=False)

    @pytest.fixture
    def ft_client() -> Any:
        """Unavailable: pytest-asyncio is not installed."""
        pytest.fail(NEEDS_ASYNCIO, pytrace=False)
