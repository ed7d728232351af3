"""Injected faults: what the emulator does instead of (or after) answering normally.

Kinds (``FaultSpec.kind``):

- ``status``: answer ``status`` (default 500) with an error body (or ``body``), plus
  ``retry-after``/``retry-after-ms`` headers when ``retry_after``/``retry_after_ms`` are set;
- ``rate_limit``: 429 ``rate_limit_exceeded`` with ``retry-after`` (default 1 s),
  ``retry-after-ms`` and ``x-ratelimit-*`` headers;
- ``html``: ``status`` (default 502) with an HTML page, as a proxy in front of the API sends;
- ``drop_before``: close the connection without acting;
- ``delay``: wait ``seconds`` (real time) and then answer normally;
- ``drop_after``: perform the operation, then close the connection so the answer is lost;
- ``slow_body``: perform the operation, send the headers, wait ``seconds``, then send the body;
- ``truncate``: perform the operation, announce the full ``content-length``, send half the body
  and close.

Faults are consumed first in, first out among those matching the operation (``"*"`` matches
every operation), each ``times`` times.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import attrs
from aiohttp import web

from ._routes import operations

__all__ = ["AFTER_KINDS", "BEFORE_KINDS", "FaultQueue", "FaultSpec"]

BEFORE_KINDS = frozenset({"status", "rate_limit", "html", "drop_before", "delay"})
AFTER_KINDS = frozenset({"drop_after", "slow_body", "truncate"})
KINDS = BEFORE_KINDS | AFTER_KINDS

HTML_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _operation_ids() -> frozenset[str]:
    return frozenset(op["operationId"] for _, _, op in operations())


@attrs.frozen(kw_only=True)
class FaultSpec:
    """One fault to inject.

    Attributes:
        operation_id: the operationId it applies to, or ``"*"`` for any operation.
        kind: one of ``status``, ``rate_limit``, ``html``, ``drop_before``, ``delay``,
            ``drop_after``, ``slow_body``, ``truncate``.
        times: how many matching requests it affects.
        status: the status for ``status`` (default 500) and ``html`` (default 502).
        retry_after: ``retry-after`` header value: seconds (number) or a raw string such as an
            HTTP date.
        retry_after_ms: ``retry-after-ms`` header value in milliseconds.
        body: the body for ``status`` (a dict is sent as JSON, str/bytes as they are).
        seconds: real seconds to wait, for ``delay`` and ``slow_body``.
        headers: extra response headers for ``status``, ``rate_limit`` and ``html`` (e.g.
            ``{"x-should-retry": "false"}``).
    """

    operation_id: str
    kind: str
    times: int = 1
    status: int | None = None
    retry_after: float | str | None = None
    retry_after_ms: float | None = None
    body: dict[str, Any] | str | bytes | None = None
    seconds: float = 0.0
    headers: dict[str, str] | None = None


class FaultQueue:
    """The faults waiting to be injected, as ``emu.faults``."""

    def __init__(self) -> None:
        self._entries: list[list[Any]] = []  # [FaultSpec, remaining]
        self._known = _operation_ids() | {"*"}

    def add(self, operation_id: str, kind: str, *, times: int = 1, **params: Any) -> FaultSpec:
        """Queue a fault.

        Args:
            operation_id: an operationId from the spec, or ``"*"`` for any operation.
            kind: the fault kind (see :class:`FaultSpec`).
            times: how many matching requests it affects (>= 1).
            **params: the other :class:`FaultSpec` fields (``status``, ``retry_after``,
                ``retry_after_ms``, ``body``, ``seconds``, ``headers``).

        Returns:
            The queued spec.

        Raises:
            ValueError: unknown operation or kind, ``times`` < 1, or a bad parameter.
            TypeError: an unknown parameter name.
        """
        if operation_id not in self._known:
            raise ValueError(f"unknown operationId {operation_id!r}")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times}")
        fault = FaultSpec(operation_id=operation_id, kind=kind, times=times, **params)
        if fault.status is not None and not 100 <= fault.status <= 599:
            raise ValueError(f"status must be an HTTP status, got {fault.status}")
        if fault.seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {fault.seconds}")
        self._entries.append([fault, times])
        return fault

    def take(self, operation_id: str) -> FaultSpec | None:
        """Consume and return the first fault matching ``operation_id``, if any."""
        if not self._entries:
            return None
        for entry in self._entries:
            fault: FaultSpec = entry[0]
            if fault.operation_id in (operation_id, "*"):
                entry[1] -= 1
                if entry[1] == 0:
                    self._entries.remove(entry)
                return fault
        return None

    @property
    def pending(self) -> list[tuple[FaultSpec, int]]:
        """The queued faults with how many uses each has left."""
        return [(entry[0], entry[1]) for entry in self._entries]

    def clear(self) -> None:
        """Drop every queued fault."""
        self._entries.clear()


def _error_body(status: int) -> dict[str, Any]:
    if status == 429:
        return {
            "error": {
                "message": "Rate limit reached for requests. Please try again later.",
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        }
    message = "The server had an error while processing your request. Sorry about that!"
    kind = "server_error" if status >= 500 else "invalid_request_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _retry_headers(fault: FaultSpec, headers: dict[str, str], default: float | None) -> None:
    retry_after = fault.retry_after if fault.retry_after is not None else default
    if retry_after is not None:
        if isinstance(retry_after, str):
            headers["retry-after"] = retry_after
        else:
            headers["retry-after"] = f"{retry_after:g}"
    retry_ms = fault.retry_after_ms
    if retry_ms is None and retry_after is not None and not isinstance(retry_after, str):
        retry_ms = retry_after * 1000 if fault.kind == "rate_limit" else None
    if retry_ms is not None:
        headers["retry-after-ms"] = f"{retry_ms:g}"


def abort(request: web.BaseRequest) -> web.Response:
    """Close the client's connection; the returned response is never sent."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=200)


async def respond_before(
    fault: FaultSpec, request: web.BaseRequest, headers: dict[str, str]
) -> web.StreamResponse | None:
    """Act on a fault that replaces the operation; ``None`` means "go on normally" (``delay``)."""
    if fault.kind == "delay":
        await asyncio.sleep(fault.seconds)
        return None
    if fault.kind == "drop_before":
        return abort(request)
    headers.update(fault.headers or {})
    if fault.kind == "html":
        headers["content-type"] = "text/html; charset=utf-8"
        return web.Response(status=fault.status or 502, body=HTML_PAGE.encode(), headers=headers)
    status = 429 if fault.kind == "rate_limit" else fault.status or 500
    if fault.kind == "rate_limit":
        headers.setdefault("x-ratelimit-limit-requests", "60")
        headers["x-ratelimit-remaining-requests"] = "0"
        headers["x-ratelimit-reset-requests"] = "1s"
    _retry_headers(fault, headers, 1.0 if fault.kind == "rate_limit" else None)
    body = fault.body if fault.body is not None else _error_body(status)
    if isinstance(body, dict):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return web.Response(status=status, body=body, headers=headers)


async def respond_after(
    fault: FaultSpec, request: web.BaseRequest, status: int, body: bytes, headers: dict[str, str]
) -> web.StreamResponse:
    """Deliver (or lose) the answer of an operation that was really performed."""
    if fault.kind == "drop_after":
        return abort(request)
    response = web.StreamResponse(status=status, headers=headers)
    response.content_length = len(body)
    await response.prepare(request)
    try:
        if fault.kind == "slow_body":
            await asyncio.sleep(fault.seconds)
            await response.write(body)
            await response.write_eof()
            return response
        await response.write(body[: len(body) // 2])
    except ConnectionResetError:
        # The client gave up first (its read timeout is what a slow body is for).
        return response
    if request.transport is not None:
        request.transport.close()
    return response
