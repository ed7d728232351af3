"""The simulated clock, and the pytest fixtures shipped by the plugin."""

from __future__ import annotations

import pytest

from ftclient.testing import FineTuningEmulator, SimulatedClock, _clock


def test_clock_moves_only_when_advanced() -> None:
    clock = SimulatedClock(start=1_000)
    assert clock.now() == 1_000
    assert clock.advance(2.5) == 1_002.5
    assert clock.now() == 1_002.5
    assert clock.speed is None
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)


def test_clock_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = [100.0]
    monkeypatch.setattr(_clock.time, "monotonic", lambda: real[0])
    clock = SimulatedClock(start=0, speed=60)
    real[0] += 2
    assert clock.now() == 120
    clock.advance(5)
    assert clock.now() == 125
    with pytest.raises(ValueError, match="speed"):
        SimulatedClock(speed=-1)


def test_default_start_is_wall_clock() -> None:
    import time

    assert abs(SimulatedClock().now() - time.time()) < 5


async def test_shared_clock() -> None:
    clock = SimulatedClock(start=5_000)
    async with FineTuningEmulator(clock=clock) as emu:
        assert emu.clock is clock


async def test_ft_emulator_fixture(ft_emulator: FineTuningEmulator) -> None:
    assert ft_emulator.url.startswith("http://127.0.0.1:")
    assert ft_emulator.jobs == {}


@pytest.mark.ft_emulator(seed=99, organization_id="org-marked")
async def test_ft_emulator_marker(ft_emulator: FineTuningEmulator) -> None:
    assert ft_emulator.state.organization_id == "org-marked"


async def test_ft_client_fixture(ft_client: object, ft_emulator: FineTuningEmulator) -> None:
    from ftclient import FineTuningClient

    assert isinstance(ft_client, FineTuningClient)
    assert ft_client.base_url.rstrip("/") == ft_emulator.url
