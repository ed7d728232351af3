"""A faithful local emulator of the Fine-Tuning API, for tests, demos and offline development.

::

    from ftclient.testing import FineTuningEmulator

    async with FineTuningEmulator() as emu:
        training_file = emu.seed_file(SAMPLE_TRAINING_DATA)["id"]  # or upload it over HTTP
        ...  # point any client at emu.url; move time with emu.clock.advance(seconds)

See ``docs/emulator.md`` for the lifecycle, failure switches, faults and the pytest fixtures.
"""

from ._clock import SimClock, SimulatedClock
from ._datarules import SAMPLE_TRAINING_DATA
from ._faults import FaultQueue, FaultSpec
from ._files import FileRules
from ._lifecycle import Job, JobTimings
from ._limits import JobLimits
from ._recording import EmulatorStats, RecordedRequest
from ._server import FineTuningEmulator
from ._state import EmulatorState
from ._webhooks import DEFAULT_WEBHOOK_SECRET, WebhookDelivery

__all__ = [
    "DEFAULT_WEBHOOK_SECRET",
    "SAMPLE_TRAINING_DATA",
    "EmulatorState",
    "EmulatorStats",
    "FaultQueue",
    "FaultSpec",
    "FileRules",
    "FineTuningEmulator",
    "Job",
    "JobLimits",
    "JobTimings",
    "RecordedRequest",
    "SimClock",
    "SimulatedClock",
    "WebhookDelivery",
]
