"""The call as a value, and the sans-I/O protocol of the guards that keep side effects single.

A :class:`Call` holds everything about one logical API call: what to send, the limits it runs
under (already resolved: the client's default filled in where the caller gave none), how to
decode the answer and, for a call with side effects, a :class:`Guard`. The transport and the
runner both import it; neither imports the other.

A guard says *what* to check; the runner (``_core/runner.py``) runs it. Each hook is a plain
generator, like gidgethub's sans-I/O core: it yields :class:`Check` requests (a call to make on
the guard's behalf) and :class:`Note` lines, is sent each check's result back (or has the check's
failure thrown into it), and returns a decision:

* ``before_send``: ``None`` (send the call) or :class:`Recovered` (a result that already exists);
* ``after_ambiguous``: :class:`Recovered`, or the :class:`Call` to send again; raising gives up;
* ``confirm`` (after a resend): the outcome, or a :class:`Recovered` result reconciled by checks.

A guard never calls the runner, and the runner holds no domain words: what a caller should do
about a call that may have acted (``if_maybe_acted``, ``if_timed_out``) is the guard's text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any, Generic, TypeAlias, TypeVar

import attrs

from .._config import Timeouts
from ..errors import APIConnectionError, APIError, APIStatusError
from .body import Form, Sink
from .response import Response

__all__ = [
    "NO_LIMITS",
    "Call",
    "Check",
    "Exchange",
    "Guard",
    "Handler",
    "Hook",
    "Note",
    "Raw",
    "Recovered",
    "Request",
    "may_have_acted",
]

T = TypeVar("T")
R = TypeVar("R")
Raw = tuple[int, dict[str, str], bytes]
"""What one exchange returns: status, headers (names lower-cased) and the whole body."""
Exchange = Callable[["Call[Any]"], Awaitable[Raw]]
"""One HTTP exchange of a call (the transport); raises APIConnectionError when it gets no answer."""


@attrs.frozen(kw_only=True)
class Request:
    """One HTTP request exactly as the client would send it, for ``FineTuningClient(handler=)``.

    Attributes:
        method: ``"GET"``, ``"POST"`` or ``"DELETE"``.
        url: the whole URL, percent-encoded, with its query.
        headers: every header sent, the key's included (a handler is the caller's own code).
        content: the JSON body as bytes, or None.
        operation: what the caller called, e.g. ``"jobs.create"`` or
            ``"jobs.create (look up its idempotency key)"`` for a check made on its behalf.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes | None = attrs.field(repr=False)
    operation: str


Handler = Callable[[Request], Awaitable[tuple[int, Mapping[str, str], bytes]]]
"""``async (Request) -> (status, headers, body)``: a client's whole HTTP, in place of aiohttp.

It may raise :class:`~ftclient.APIConnectionError` (``request_sent=True`` for an answer lost
after the server acted) to play a failed exchange."""
NO_LIMITS = Timeouts(total=None, connect=None, read=None)
"""The limits of a check: none of its own, it runs within the deadline of the call it serves."""


def may_have_acted(exc: BaseException) -> bool:
    """Whether the server may have acted on the attempt that raised ``exc`` (5xx, lost answer)."""
    if isinstance(exc, APIStatusError):
        return exc.status >= 500
    return isinstance(exc, APIConnectionError) and exc.request_sent


@attrs.frozen(kw_only=True)
class Call(Generic[T]):
    """One logical API call, everything about it in one frozen value.

    A check or a resend is a new call (:meth:`derive`, ``attrs.evolve``).

    Attributes:
        operation: what the caller called, e.g. ``"jobs.create"``: errors name it.
        method: HTTP method.
        path: path below the base URL, already percent-encoded.
        decode: turns the 2xx :class:`Response` into the result.
        query: the operation's query parameters (None values are dropped).
        body: the operation's JSON document, or None.
        headers: per-call headers (the client's own and the key are added by the transport).
        extra_query: the caller's additional query parameters, sent as given.
        extra_body: the caller's additional top-level body fields, merged over ``body``.
        timeout: the limits of the whole call, resolved once where the call is built (the
            runner enforces ``total``, the transport the per-connection ones).
        guard: how to check whether a failed attempt acted (None: a failure is resent).
        form: a ``multipart/form-data`` body instead of ``body`` (file uploads).
        sink: where a 2xx answer is streamed instead of being read into memory (downloads).
        max_retries: retries after the first attempt for this call (and the checks made on its
            behalf), in place of the runner's ``RetryPolicy.max_retries``; None: the policy's.
    """

    operation: str
    method: str
    path: str
    decode: Callable[[Response], T] = attrs.field(repr=False)
    query: Mapping[str, Any] = attrs.field(factory=dict)
    body: Any = attrs.field(default=None, repr=False)
    headers: Mapping[str, str] = attrs.field(factory=dict)
    extra_query: Mapping[str, Any] = attrs.field(factory=dict)
    extra_body: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    timeout: Timeouts = NO_LIMITS
    guard: Guard[T] | None = None
    form: Form | None = attrs.field(default=None, repr=False)
    sink: Sink | None = attrs.field(default=None, repr=False)
    max_retries: int | None = None

    def json_body(self) -> Any:
        """The document to send: ``body`` with ``extra_body`` merged over it."""
        if not self.extra_body:
            return self.body
        return {**(self.body or {}), **self.extra_body}

    def derive(
        self,
        operation: str,
        method: str,
        path: str,
        decode: Callable[[Response], Any],
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Call[Any]:
        """A call made on this one's behalf (a check): same headers, extra query, deadline and
        retries.

        The original's ``Idempotency-Key`` is not passed on: it names the original request, and
        a server that honours it could answer a check with the original's answer.
        """
        return Call(
            operation=f"{self.operation} ({operation})",
            method=method,
            path=path,
            decode=decode,
            query=query or {},
            body=body,
            headers={k: v for k, v in self.headers.items() if k.lower() != "idempotency-key"},
            extra_query=self.extra_query,
            timeout=NO_LIMITS,  # bounded by the parent call's deadline
            max_retries=self.max_retries,
        )


@attrs.frozen
class Check:
    """A check a guard asks the runner to make; the guard is sent its result.

    Attributes:
        call: the call to make (it may carry a guard of its own, which the runner honours).
        until: keep probing, spaced 0.25 s, 0.5 s, 1 s, then every 2 s, for at most
            ``RetryPolicy.consistency_window`` (and the deadline), until ``until(result)``;
            the result sent back is the last probe's. None: one probe.
        pages: the call lists pages: walk them all with the core paginator (``after`` set per
            page) and send back every item, as a list.
    """

    call: Call[Any]
    until: Callable[[Any], bool] | None = None
    pages: bool = False


@attrs.frozen
class Note:
    """A line of what a guard did on the caller's behalf (``ResponseInfo.recovery``)."""

    text: str


@attrs.frozen
class Recovered(Generic[R]):
    """A guard's decision: ``result`` was obtained by checks, not by the call's own answer.

    The runner records ``how`` in the result's ``ResponseInfo.recovery``.
    """

    result: R
    how: str


Hook: TypeAlias = Generator["Check | Note", Any, R]
"""A guard hook: yields checks and notes, is sent each check's result, returns a decision."""


class Guard(Generic[T]):
    """How a call with side effects checks whether a failed attempt acted. Default: resend.

    One guard object serves one call (it may remember what its checks found).
    """

    resend_before_first: bool = False
    """True when the first send may itself repeat an earlier, lost one (an explicit key)."""
    if_maybe_acted: str | None = None
    """Added to the error raised when the call may have acted and is not sent again."""
    if_timed_out: str | None = None
    """Added to the :class:`~ftclient.APITimeoutError` of a call whose timeout ran out."""

    def before_send(self, call: Call[T]) -> Hook[Recovered[T] | None]:
        """Before the first attempt: a result that already exists, or None to send."""
        return None
        yield  # a generator that checks nothing

    def after_ambiguous(self, call: Call[T], failure: APIError) -> Hook[Recovered[T] | Call[T]]:
        """After an attempt that may have acted: its result, or the call to send again.

        Raises:
            APIError: ``failure`` (with a note), when sending again could act twice.
        """
        return call
        yield  # a generator that checks nothing

    def confirm(self, call: Call[T], outcome: T | APIStatusError) -> Hook[T | Recovered[T]]:
        """After a resend that followed a possibly acted attempt: reconcile its outcome.

        Raises:
            APIStatusError: ``outcome``, when it is an error the checks do not explain.
        """
        if isinstance(outcome, APIStatusError):
            raise outcome
        return outcome
        yield  # a generator that checks nothing
