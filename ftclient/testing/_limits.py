"""Optional job limits of the emulator: jobs active at once, and creations per model per day.

The real service refuses a create over its daily limit with a 429 in this shape (reported by
users, e.g. github.com/johny-b/llmcomp issue 58)::

    {"error": {"message": "This fine-tune request has been rate-limited. Your organization has
     reached the maximum of 8 fine-tuning requests per day for the model 'gpt-4.1-2025-04-14'.",
     "type": "invalid_request_error", "param": null, "code": "daily_rate_limit_exceeded"}}

and limits the jobs active (validating, queued or running) at once, per model. The provider's
documentation shows no example of that refusal; the emulator answers it in the same shape with
``code: "rate_limit_exceeded"``. Both answers carry ``retry-after``/``retry-after-ms``: when the
oldest creation leaves the 24-hour window, or when the first active job is due to finish, in
seconds of the event loop (simulated seconds divided by the clock's speed), so that a client
that obeys them is admitted again whatever the emulator's speed. That header is the emulator's
choice: whether the service sends one on these refusals is not documented.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import attrs

from ._errors import EmulatorError
from ._state import EmulatorState

__all__ = ["JobLimits", "LimitGate"]

DAY = 86_400.0
_ACTIVE = frozenset({"validating_files", "queued", "running"})
_REFUSED = "This fine-tune request has been rate-limited. Your organization has reached the"


@attrs.frozen(kw_only=True)
class JobLimits:
    """Limits on job creation; None leaves one off.

    Attributes:
        max_active: most jobs validating, queued or running at once, all models together.
        max_active_per_model: the same, per base model.
        daily_per_model: most jobs created per base model in any 24 hours (simulated time).
    """

    max_active: int | None = None
    max_active_per_model: int | None = None
    daily_per_model: int | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("max_active", "max_active_per_model", "daily_per_model"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError(f"{name} must be an int >= 0 or None, got {value!r}")
            if value is not None and value < 0:
                raise ValueError(f"{name} must be an int >= 0 or None, got {value!r}")


@attrs.define
class LimitGate:
    """Checks each create against :class:`JobLimits` and remembers what was made."""

    limits: JobLimits
    speed: float  # simulated seconds per loop second (0: time moves on advance() only)
    active: dict[str, str] = attrs.Factory(dict)  # job id -> model, maybe still active
    made: dict[str, deque[float]] = attrs.Factory(dict)  # model -> creation times, in a day
    refused: int = 0

    def check(self, state: EmulatorState, now: float, body: Any, headers: dict[str, str]) -> None:
        """Raise the service's 429 if a create of ``body`` now would pass a limit.

        Raises:
            EmulatorError: 429 ``daily_rate_limit_exceeded`` or ``rate_limit_exceeded``.
        """
        model = body.get("model") if isinstance(body, dict) else None
        if not isinstance(model, str):
            return  # the handler refuses it with a 400
        limits = self.limits
        if limits.daily_per_model is not None:
            times = self.made.setdefault(model, deque())
            while times and times[0] <= now - DAY:
                times.popleft()
            if len(times) >= limits.daily_per_model:
                self._refuse(
                    headers,
                    times[0] + DAY - now,
                    f"{_REFUSED} maximum of {limits.daily_per_model} fine-tuning requests per "
                    f"day for the model {model!r}.",
                    "daily_rate_limit_exceeded",
                )
        if limits.max_active is None and limits.max_active_per_model is None:
            return
        running = self._sync(state, now)
        same = [job for job in running if self.active[job.id] == model]
        for limit, jobs, scope in (
            (limits.max_active, running, ""),
            (limits.max_active_per_model, same, f" for the model {model!r}"),
        ):
            if limit is not None and len(jobs) >= limit:
                due = min((_ends(job, state) for job in jobs), default=now + 60.0)
                self._refuse(
                    headers,
                    due - now,
                    f"{_REFUSED} maximum of {limit} active fine-tuning jobs{scope}.",
                    "rate_limit_exceeded",
                )

    def created(self, job: dict[str, Any], now: float) -> None:
        """Count a job the create handler made."""
        model = str(job.get("model"))
        self.active[str(job["id"])] = model
        if self.limits.daily_per_model is not None:
            self.made.setdefault(model, deque()).append(now)

    def _sync(self, state: EmulatorState, now: float) -> list[Any]:
        running = []
        for job_id in list(self.active):
            job = state.job(job_id, now)
            if job.status in _ACTIVE:
                running.append(job)
            else:
                del self.active[job_id]  # ended (paused jobs do not count either)
        return running

    def _refuse(self, headers: dict[str, str], wait: float, message: str, code: str) -> None:
        self.refused += 1
        loop_wait = max(wait, 0.001) / self.speed if self.speed else max(wait, 0.001)
        headers["retry-after"] = str(max(1, math.ceil(loop_wait)))
        headers["retry-after-ms"] = str(math.ceil(loop_wait * 1000))
        raise EmulatorError(429, message, type="invalid_request_error", code=code)


def _ends(job: Any, state: EmulatorState) -> float:
    """When ``job`` is due to finish (pauses aside: a paused job is not active)."""
    timings = state.timings
    return float(
        job.created_at + timings.validating + timings.queued + job.total_steps * timings.per_step
    )
