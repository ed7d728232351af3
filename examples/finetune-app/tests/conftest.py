"""Suite-wide configuration of ftclient's fixtures: a fixed seed makes ids and metrics repeat."""

import pytest


@pytest.fixture
def ft_emulator_options():
    return {"seed": 7}
