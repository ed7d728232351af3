"""What the emulator remembers about the traffic it served."""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

__all__ = ["EmulatorStats", "RecordedRequest"]


@attrs.define(kw_only=True)
class RecordedRequest:
    """One request as received, and how the emulator answered it.

    It is appended to ``emu.requests`` on arrival; ``operation_id``, ``status`` and ``fault``
    are filled in as the request is handled.

    Attributes:
        method: the HTTP method.
        path: the raw path, still percent-encoded, without the query string.
        query: the decoded query pairs, in order, repeats kept.
        headers: the request headers (the last value of a repeated header).
        body: the raw request body.
        json: the decoded body, or ``None`` when empty or not JSON.
        operation_id: the matched operation, or ``None`` for an unknown route.
        status: the status the emulator answered (or would have, for ``drop_after``); 0 while
            the answer is pending and when the connection was dropped before acting.
        fault: the kind of the injected fault, ``"rate_limited"`` for the rate limiter, or
            ``None``.
        request_id: the ``x-request-id`` the answer carried.
    """

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    json: Any
    operation_id: str | None
    status: int
    fault: str | None
    request_id: str = ""


@attrs.define
class EmulatorStats:
    """Counters, as ``emu.stats``.

    Attributes:
        requests: requests answered (or dropped) in total.
        rate_limited: requests refused by the ``rate_limit`` token bucket.
        faults: faults injected.
        by_operation: requests per operationId (``None`` for unknown routes).
    """

    requests: int = 0
    rate_limited: int = 0
    faults: int = 0
    by_operation: Counter[str | None] = attrs.field(factory=Counter)
