"""Small helpers for integration tests."""

from __future__ import annotations

from typing import Any

import ftclient
from ftclient.models import FineTuningJob
from ftclient.testing import FineTuningEmulator


def sent(emulator: FineTuningEmulator, operation_id: str) -> list[Any]:
    """Requests the emulator recorded for one operation, in order."""
    return [r for r in emulator.requests if r.operation_id == operation_id]


async def finished_job(
    client: ftclient.FineTuningClient, emulator: FineTuningEmulator, **kwargs: Any
) -> FineTuningJob:
    """Create a job and move the emulator's clock until it has succeeded."""
    job = await client.jobs.create(
        model=kwargs.pop("model", "gpt-4o-mini"),
        training_file=kwargs.pop("training_file", "file-train"),
        **kwargs,
    )
    emulator.clock.advance(24 * 3600)
    done = await client.jobs.retrieve(job.id)
    assert done.status == "succeeded"
    return done
