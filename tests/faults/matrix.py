"""The fault matrix: every operation x every injected fault -> the outcome the caller sees.

This is the single source of the expected outcomes: ``test_fault_matrix.py`` checks the client
against it, and ``docs/reliability.md`` carries the table :func:`markdown_table` renders (a test
fails when the doc drifts). Regenerate the doc's table with
``.venv/bin/python -m tests.faults.matrix``.
"""

from __future__ import annotations

from typing import Final

import attrs

MAX_RETRIES: Final = 2  # the client's default policy: 3 attempts in all
PERSISTENT_TIMES: Final = MAX_RETRIES + 2  # a fault that outlasts every attempt
READ_TIMEOUT: Final = 0.5  # per-attempt read limit for the slow faults (seconds)
SLOW_RETRY_WAIT: Final = 2.5  # the slow column's backoff: the late server has acted by then
SLOW_SECONDS: Final = 1.5  # how long the slow faults hold the answer back

# operationId -> how the caller spells it.
OPERATIONS: Final[dict[str, str]] = {
    "createFineTuningJob": "jobs.create",
    "listPaginatedFineTuningJobs": "jobs.list",
    "retrieveFineTuningJob": "jobs.retrieve",
    "cancelFineTuningJob": "jobs.cancel",
    "pauseFineTuningJob": "jobs.pause",
    "resumeFineTuningJob": "jobs.resume",
    "listFineTuningEvents": "jobs.list_events",
    "listFineTuningJobCheckpoints": "checkpoints.list",
    "createFineTuningCheckpointPermission": "permissions.create",
    "listFineTuningCheckpointPermissions": "permissions.list",
    "deleteFineTuningCheckpointPermission": "permissions.delete",
    "runGrader": "graders.run",
    "validateGrader": "graders.validate",
}

# Operations with a side effect that a retry could repeat, and that therefore check first.
CREATE: Final = "createFineTuningJob"
CHECKED: Final = frozenset(
    {
        CREATE,
        "cancelFineTuningJob",
        "pauseFineTuningJob",
        "resumeFineTuningJob",
        "createFineTuningCheckpointPermission",
        "deleteFineTuningCheckpointPermission",
    }
)


@attrs.frozen
class Fault:
    """One column: the emulator fault that produces it."""

    label: str
    kind: str
    params: dict[str, object] = attrs.field(factory=dict, hash=False)
    slow: bool = False  # needs the short per-call timeout


FAULTS: Final[dict[str, Fault]] = {
    "429": Fault("429 + Retry-After", "rate_limit", {"retry_after": 1}),
    "500": Fault("500", "status", {"status": 500}),
    "502": Fault("502", "status", {"status": 502}),
    "503": Fault("503", "status", {"status": 503}),
    "html": Fault("HTML 502 page", "html"),
    "drop_before": Fault("reset before acting", "drop_before"),
    "drop_after": Fault("answer lost after acting", "drop_after"),
    "truncate": Fault("truncated body", "truncate"),
    "delay": Fault("slow headers", "delay", {"seconds": SLOW_SECONDS}, slow=True),
    "slow_body": Fault("slow body", "slow_body", {"seconds": SLOW_SECONDS}, slow=True),
}

# The server acted before the failure, and the answer never arrived.
ACTED_THEN_LOST: Final = frozenset({"drop_after", "truncate", "slow_body"})

OK = "ok"  # sent again and succeeded
RECOVERED = "recovered"  # the earlier attempt took effect: its result, nothing sent again


@attrs.frozen
class Outcome:
    """What one cell must show.

    Attributes:
        result: ``"ok"``, ``"recovered"`` or the name of the exception class raised.
        sends: how many times the operation itself reached the server.
        effects: how many times the operation changed the server's state (``None`` for reads).
    """

    result: str
    sends: int
    effects: int | None

    @property
    def error(self) -> str | None:
        return None if self.result in (OK, RECOVERED) else self.result


def _persistent_error(fault: str) -> str:
    if fault == "429":
        return "RateLimitError"
    if fault in ("500", "502", "503", "html"):
        return "InternalServerError"
    if fault in ("delay", "slow_body"):
        return "APITimeoutError"
    return "APIConnectionError"


def expected(operation: str, fault: str, persistent: bool) -> Outcome:
    """The outcome of ``operation`` when ``fault`` hits it once (or on every attempt)."""
    writes = operation in CHECKED
    effects = 1 if writes else None
    if writes and (fault in ACTED_THEN_LOST or fault == "delay"):
        # The first attempt acted (for slow headers: late, while the client had given up on the
        # read); the check before the retry, one backoff wait later, finds it done.
        return Outcome(RECOVERED, 1, effects)
    if not persistent:
        return Outcome(OK, 2, effects)
    # Every attempt failed before acting (or, for reads, changed nothing).
    return Outcome(_persistent_error(fault), MAX_RETRIES + 1, 0 if writes else None)


def markdown_table() -> str:
    """The matrix as a markdown table: one row per operation, one column per fault."""
    short = {OK: "ok", RECOVERED: "recovered"}

    def cell(operation: str, fault: str) -> str:
        once = expected(operation, fault, persistent=False)
        always = expected(operation, fault, persistent=True)
        first = short.get(once.result, once.result)
        second = short.get(always.result, always.result)
        return first if first == second else f"{first} / {second}"

    header = ["operation", *(f.label for f in FAULTS.values())]
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    for operation, name in OPERATIONS.items():
        cells = [cell(operation, fault) for fault in FAULTS]
        lines.append("| " + " | ".join([f"`{name}`", *cells]) + " |")
    return "\n".join(lines) + "\n"


def cells() -> list[tuple[str, str, bool]]:
    """Every (operation, fault, persistent) combination."""
    return [(op, fault, p) for op in OPERATIONS for fault in FAULTS for p in (False, True)]


if __name__ == "__main__":  # pragma: no cover - a maintenance helper
    print(markdown_table(), end="")
