"""What ``import ftclient`` loads, and that what it leaves for later still works when asked for.

How long the import takes is measured by ``python -m benchmarks`` (scenario ``import``), never
here. Each case runs in a fresh interpreter: in this one, pytest and other tests have imported
everything already.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

# The dependencies first, so that only what ftclient itself adds is looked at.
_FRESH = """
import sys
import aiohttp, attrs, backoff, json
loaded = set(sys.modules)
"""

CASES = {
    "bare import": """
import ftclient
added = set(sys.modules) - loaded
assert not added & {"ftclient.webhooks", "ftclient.data", "hmac", "importlib.resources"}, added
assert "webhooks" in dir(ftclient) and "webhooks" in ftclient.__all__
assert ftclient.webhooks.unwrap is sys.modules["ftclient.webhooks"].unwrap
try:
    ftclient.no_such_name
except AttributeError as exc:
    assert "no_such_name" in str(exc), exc
else:
    raise AssertionError("ftclient.no_such_name did not raise")
""",
    "polling and the converter": """
import ftclient
added = set(sys.modules) - loaded
later = ("ftclient.polling", "ftclient._wire.convert", "ftclient._wire.schema", "cattrs")
assert not {name for name in added if name.startswith(later)}, added
assert {"PollSchedule", "JobWaiter", "WaitResult"} <= set(dir(ftclient)) & set(ftclient.__all__)
assert ftclient.PollSchedule is sys.modules["ftclient.polling.wait"].PollSchedule
assert ftclient.WaitResult is sys.modules["ftclient.polling.watch"].WaitResult
from ftclient import JobWaiter
assert JobWaiter is sys.modules["ftclient.polling.waiter"].JobWaiter
fields = {"id": "ftjob-1", "object": "fine_tuning.job", "created_at": 1, "model": "m"}
fields.update(status="queued", training_file="file-t")
job = ftclient.models.FineTuningJob(**fields)
assert ftclient.to_dict(job) == fields
assert "ftclient._wire.convert" in sys.modules
""",
    "from import": """
from ftclient import webhooks
import ftclient
assert webhooks.sign is ftclient.webhooks.sign
""",
    "submodule import": """
import ftclient.webhooks
assert ftclient.webhooks.verify_signature
""",
    "data on first use": """
import ftclient
assert "ftclient.data" not in sys.modules
assert "data" in dir(ftclient) and "data" in ftclient.__all__
assert ftclient.data.check is sys.modules["ftclient.data"].check
assert "bpe_openai" not in sys.modules  # the tokenizer loads only when a model asks for it
from ftclient.data import check, DataReport
""",
    "star import": """
from ftclient import *
assert webhooks.unwrap and FineTuningClient
""",
}


@pytest.mark.parametrize("case", CASES)
def test_what_is_left_for_later_is_imported_when_first_used(case: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FRESH + CASES[case]],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
