"""Suite-wide configuration of ftclient's fixtures: a fixed seed makes ids and metrics repeat."""

import pytest


@pytest.fixture
def ft_emulator_options():
    # This suite names made-up training files (a name with "fail" fails validation): the
    # switch takes any id. Without it, a job needs an uploaded fine-tune file, as on the service
    # (test_seeded.py shows the ft_training_file fixture and seed_file).
    return {"seed": 7, "require_files": False}
