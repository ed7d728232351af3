"""pytest fixtures for code that talks to the Fine-Tuning API, served by the local emulator.

Registered through the ``pytest11`` entry point, so any project with ftclient installed gets:

- ``ft_emulator``: a started :class:`~ftclient.testing.FineTuningEmulator` (one per test);
- ``ft_client``: an ``ftclient.FineTuningClient`` pointed at it, closed after the test;
- ``ft_training_file``: the id of a valid training file in ``ft_emulator`` (a job needs a real
  file, as on the service; ``ft_emulator.seed_file(...)`` makes others);
- ``ft_emulator_options`` / ``ft_client_options``: the keyword arguments they are built with
  (``{}``); override them in a ``conftest.py`` to configure a whole suite;
- markers ``@pytest.mark.ft_emulator(**kwargs)`` and ``@pytest.mark.ft_client(**kwargs)`` to
  configure one test (they win over the options fixtures).

The emulator's clock follows the event loop's clock. With the ``looptime`` plugin installed,
every test that uses ``ft_emulator`` runs on looptime's fast-forwarded loop time (unless marked
``@pytest.mark.looptime(False)``), so the client's polls and retry waits, and the jobs they
watch, take simulated seconds and no real ones.

The fixtures run under pytest-asyncio (strict or auto mode) and under anyio's pytest plugin (a
test that uses ``anyio_backend``). This module is imported at every pytest start-up, so it
imports nothing heavy until a fixture runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ftclient import FineTuningClient
    from ftclient.testing import FineTuningEmulator

__all__ = [
    "ft_client",
    "ft_client_options",
    "ft_emulator",
    "ft_emulator_options",
    "ft_training_file",
]

NEEDS_ASYNC = (
    "The ft_emulator and ft_client fixtures are async: install pytest-asyncio (and use "
    "asyncio_mode = auto or @pytest.mark.asyncio), or use anyio's plugin (@pytest.mark.anyio)."
)
LOOPTIME_PLUGIN = "looptime_plugin"


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers."""
    config.addinivalue_line(
        "markers",
        "ft_emulator(**kwargs): FineTuningEmulator arguments for this test's ft_emulator",
    )
    config.addinivalue_line(
        "markers", "ft_client(**kwargs): FineTuningClient arguments for this test's ft_client"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the tests that use ``ft_emulator`` on looptime's loop time, when looptime is here."""
    if not config.pluginmanager.hasplugin(LOOPTIME_PLUGIN):
        return
    for item in items:
        uses_emulator = "ft_emulator" in getattr(item, "fixturenames", ())
        if uses_emulator and item.get_closest_marker("looptime") is None:
            item.add_marker(pytest.mark.looptime)


def _options(
    request: pytest.FixtureRequest, marker: str, base: Mapping[str, Any]
) -> dict[str, Any]:
    found = request.node.get_closest_marker(marker)
    return {**base, **(found.kwargs if found is not None else {})}


@pytest.fixture
def ft_emulator_options() -> dict[str, Any]:
    """Keyword arguments of every ``ft_emulator`` (override to configure a suite)."""
    return {}


@pytest.fixture
def ft_client_options() -> dict[str, Any]:
    """Keyword arguments of every ``ft_client`` besides ``base_url`` (override to configure)."""
    return {}


@contextlib.asynccontextmanager
async def _serve(
    request: pytest.FixtureRequest, options: Mapping[str, Any]
) -> AsyncIterator[FineTuningEmulator]:
    from ftclient.testing import FineTuningEmulator

    # A fixed seed unless the test names one: a test's jobs take the same course on every run.
    kwargs = {"seed": 0, **_options(request, "ft_emulator", options)}
    async with FineTuningEmulator(**kwargs) as emulator:
        yield emulator


@contextlib.asynccontextmanager
async def _connect(
    request: pytest.FixtureRequest, emulator: FineTuningEmulator, options: Mapping[str, Any]
) -> AsyncIterator[FineTuningClient]:
    from ftclient import FineTuningClient

    kwargs = {"api_key": "sk-test", **_options(request, "ft_client", options)}
    async with FineTuningClient(base_url=emulator.url, **kwargs) as client:
        yield client


def _runner_for(request: pytest.FixtureRequest, name: str) -> Any:
    # One fixture for every async plugin: anyio runs async fixtures of the tests that use
    # ``anyio_backend``; pytest-asyncio runs those it was given with its own decorator.
    if "anyio_backend" in request.fixturenames:
        return request.getfixturevalue(f"_{name}_anyio")
    if pytest_asyncio is None or not request.config.pluginmanager.hasplugin("asyncio"):
        pytest.fail(NEEDS_ASYNC, pytrace=False)
    return request.getfixturevalue(f"_{name}_asyncio")


@pytest.fixture
def ft_emulator(request: pytest.FixtureRequest) -> FineTuningEmulator:
    """A started emulator on a free loopback port, stopped after the test."""
    emulator: FineTuningEmulator = _runner_for(request, "ft_emulator")
    return emulator


@pytest.fixture
def ft_client(request: pytest.FixtureRequest, ft_emulator: FineTuningEmulator) -> FineTuningClient:
    """A ``FineTuningClient`` (key ``sk-test``) talking to ``ft_emulator``."""
    client: FineTuningClient = _runner_for(request, "ft_client")
    return client


@pytest.fixture
def ft_training_file(ft_emulator: FineTuningEmulator) -> str:
    """The id of a processed ``fine-tune`` file holding 10 valid chat examples, in ft_emulator."""
    from ftclient.testing import SAMPLE_TRAINING_DATA

    document = ft_emulator.seed_file(SAMPLE_TRAINING_DATA, filename="ft_training_file.jsonl")
    file_id: str = document["id"]
    return file_id


@pytest.fixture
async def _ft_emulator_anyio(
    request: pytest.FixtureRequest, ft_emulator_options: dict[str, Any]
) -> AsyncIterator[FineTuningEmulator]:
    async with _serve(request, ft_emulator_options) as emulator:
        yield emulator


@pytest.fixture
async def _ft_client_anyio(
    request: pytest.FixtureRequest,
    ft_emulator: FineTuningEmulator,
    ft_client_options: dict[str, Any],
) -> AsyncIterator[FineTuningClient]:
    async with _connect(request, ft_emulator, ft_client_options) as client:
        yield client


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    pytest_asyncio = None  # type: ignore[assignment]
else:

    @pytest_asyncio.fixture
    async def _ft_emulator_asyncio(
        request: pytest.FixtureRequest, ft_emulator_options: dict[str, Any]
    ) -> AsyncIterator[FineTuningEmulator]:
        async with _serve(request, ft_emulator_options) as emulator:
            yield emulator

    @pytest_asyncio.fixture
    async def _ft_client_asyncio(
        request: pytest.FixtureRequest,
        ft_emulator: FineTuningEmulator,
        ft_client_options: dict[str, Any],
    ) -> AsyncIterator[FineTuningClient]:
        async with _connect(request, ft_emulator, ft_client_options) as client:
            yield client
