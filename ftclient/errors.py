"""The exception tree of ftclient.

::

    FTClientError                      root of every error this package raises
    ├── InvalidParameterError          bad caller input, raised before any request (also ValueError)
    ├── ClientClosedError              the client was closed (also RuntimeError)
    ├── PaginationError                a list's pages cannot be followed; the walk stopped
    ├── NoNextPageError                get_next_page() on a page with none to fetch (RuntimeError)
    ├── WaitTimeoutError               a wait helper ran out of time (also TimeoutError)
    ├── InvalidWebhookSignatureError   a webhook delivery that does not verify (also ValueError)
    ├── InvalidWebhookPayloadError     a signed webhook body that is not an event (ValueError)
    └── APIError                       something went wrong talking to the API
        ├── APIConnectionError         no usable response: refused, reset, DNS, truncated body
        │   └── APITimeoutError        the request timed out
        ├── APIResponseValidationError a 2xx response that does not decode into the model
        └── APIStatusError             the API answered with a 4xx/5xx status
            ├── BadRequestError             400
            ├── AuthenticationError         401
            ├── PermissionDeniedError       403
            ├── NotFoundError               404
            ├── ConflictError               409
            ├── UnprocessableEntityError    422
            ├── RateLimitError              429
            └── InternalServerError         >= 500

Warnings: :class:`InsecureURLWarning` (a plain ``http`` base URL to a host that is not loopback).

No exception text ever contains the API key: messages are built from the response and the
request's method and path only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "FTClientError",
    "InsecureURLWarning",
    "InternalServerError",
    "InvalidParameterError",
    "InvalidWebhookPayloadError",
    "InvalidWebhookSignatureError",
    "NoNextPageError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
]


def printable(text: str) -> str:
    """``text`` with lone surrogates escaped, so that printing or logging it cannot fail."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class FTClientError(Exception):
    """Root of every exception raised by ftclient.

    ``str()`` of every ftclient error can be encoded as UTF-8: a lone surrogate that came from a
    response body or from the caller is shown escaped (``\\udc80``), so ``print(exc)`` never fails.
    """

    def __str__(self) -> str:
        return printable(super().__str__())


class InvalidParameterError(FTClientError, ValueError):
    """A caller-supplied argument is invalid; raised before any request is sent.

    Attributes:
        param: dotted path of the offending argument, e.g. ``method.supervised.hyperparameters``.
    """

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        self.message = message
        super().__init__(f"{param}: {message}" if param else message)


class ClientClosedError(FTClientError, RuntimeError):
    """The client has been closed and cannot send requests any more."""


class PaginationError(FTClientError):
    """A list's pages cannot be followed; the paginator stops instead of looping or truncating.

    The server sent a cursor it had sent before, or a page that says ``has_more`` with no
    usable cursor (no ``last_id``, and an empty, blank or missing last item id).

    Attributes:
        operation: what was being listed, e.g. ``"jobs.list_events"``.
        page: the number of the page at fault (1 for the first this walk fetched).
        after: the cursor that page was fetched with (None for the first page).
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str | None = None,
        page: int | None = None,
        after: str | None = None,
    ) -> None:
        self.operation = operation
        self.page = page
        self.after = after
        super().__init__(message)


class NoNextPageError(FTClientError, RuntimeError):
    """``page.get_next_page()`` was called on a page that has no next page to fetch.

    The page says ``has_more`` is false (check ``page.has_next_page()`` first), or it was not
    fetched by a client's list call (built by hand, or the answer of ``permissions.create``), so
    there is no list to go on with. A mistake in the calling code rather than the server's: it is
    a ``RuntimeError``, as the official SDK's error for the same call is. A server whose pages
    cannot be followed raises :class:`PaginationError` instead.
    """


class WaitTimeoutError(FTClientError, TimeoutError):
    """A wait helper gave up; ``last`` holds the last object it saw (or None)."""

    def __init__(self, message: str, last: Any = None) -> None:
        self.last = last
        super().__init__(message)


class InvalidWebhookSignatureError(FTClientError, ValueError):
    """A webhook delivery failed verification: a missing or malformed header, no matching
    signature, or a timestamp outside the tolerance. The message says which."""


class InvalidWebhookPayloadError(FTClientError, ValueError):
    """A verified webhook body that is not an event.

    Attributes:
        path: JSON path of the failing field, e.g. ``$.data.id``.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"webhook body {path}: {message}")


class APIError(FTClientError):
    """An error while talking to the API.

    Attributes:
        message: human-readable description.
        method: HTTP method of the request, when known.
        url: URL of the request without query string, when known.
    """

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None) -> None:
        self.message = message
        self.method = method
        self.url = url
        self.attempts: int | None = None
        """How many times the request was sent before this error was raised (set by the
        client when it gives up; None for an error raised before or outside a call)."""
        super().__init__(message)

    def _where(self) -> str:
        """`` (GET /fine_tuning/jobs/x)``, unless the message already names the request."""
        if not (self.method and self.url) or self.url in self.message:
            return ""
        return f" ({self.method} {self.url})"

    def _tried(self) -> list[str]:
        return [f"{self.attempts} attempts"] if self.attempts and self.attempts > 1 else []


class APIConnectionError(APIError):
    """The request did not produce a usable response (refused, reset, DNS failure, cut body).

    Attributes:
        request_sent: False when the request certainly never reached the server (connection
            refused, name not resolved, connect timeout); True when it may have, so the server
            may have acted on it.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        request_sent: bool = True,
    ) -> None:
        self.request_sent = request_sent
        super().__init__(message, method=method, url=url)

    def __str__(self) -> str:
        sent = "not sent" if not self.request_sent else "it may have reached the server"
        return printable(
            "; ".join([self.message + self._where(), sent, *self._tried(), self._check()])
        )

    def _check(self) -> str:
        return (
            "check that base_url is right and that its host is reachable from here "
            "(network, proxy, firewall)"
        )


class APITimeoutError(APIConnectionError):
    """The request or the whole call ran out of time (connect, read, or the call's ``timeout``)."""

    def _check(self) -> str:
        if not self.request_sent:
            return super()._check()
        return "raise timeout= (per call or on the client) if the server is slow but working"


class APIResponseValidationError(APIError):
    """A successful response whose body does not match the expected model.

    Attributes:
        path: JSON path of the first failing field, e.g. ``$.data[3].created_at``.
        status: the HTTP status of the response.
        request_id: the ``x-request-id`` response header, when present.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "$",
        status: int = 200,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.path = path
        self.status = status
        self.request_id = request_id
        super().__init__(message, method=method, url=url)


class APIStatusError(APIError):
    """The API answered with an error status.

    Attributes:
        status: HTTP status code.
        type: the error body's ``type`` field, if any.
        code: the error body's ``code`` field, if any.
        param: the error body's ``param`` field, if any.
        request_id: the ``x-request-id`` response header, if any.
        headers: the response headers.
        body: the decoded error body (dict) or a short excerpt of a non-JSON body (str).
        retry_after: seconds the server asked to wait (``retry-after-ms``/``Retry-After``), if
            any; a 429 whose wait is above ``RetryPolicy.max_retry_after`` is raised at once
            with it, so that you can schedule the call again.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.headers: Mapping[str, str] = dict(headers or {})
        self.body = body
        self.retry_after = retry_after
        super().__init__(message, method=method, url=url)

    def __str__(self) -> str:
        rid = f" [request id {self.request_id}]" if self.request_id else ""
        after = [*self._tried(), *self._check()]
        tail = "".join(f"; {part}" for part in after)
        return printable(f"{self.status} {self.message}{self._where()}{rid}{tail}")

    def _check(self) -> list[str]:
        """What to check, for the statuses whose usual cause is the client's configuration."""
        if self.status == 404 and (
            self.message.startswith("Invalid URL") or not isinstance(self.body, dict)
        ):
            return ["no such path on this server: is base_url the API's, ending in /v1?"]
        if self.status == 401:
            return ["check the API key (api_key= or OPENAI_API_KEY) and that it is this server's"]
        return []


class BadRequestError(APIStatusError):
    """400 Bad Request."""


class AuthenticationError(APIStatusError):
    """401 Unauthorized: missing or invalid API key."""


class PermissionDeniedError(APIStatusError):
    """403 Forbidden."""


class NotFoundError(APIStatusError):
    """404 Not Found."""


class ConflictError(APIStatusError):
    """409 Conflict."""


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity."""


class RateLimitError(APIStatusError):
    """429 Too Many Requests (rate limit or, with code ``insufficient_quota``, quota)."""


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


class InsecureURLWarning(UserWarning):
    """The base URL sends the API key in clear text (``http://`` to a host that is not loopback)."""
