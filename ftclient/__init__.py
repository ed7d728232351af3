"""ftclient: an asyncio-first SDK for the OpenAI Fine-Tuning API.

::

    import ftclient

    async with ftclient.FineTuningClient() as client:
        job = await client.jobs.create(model="gpt-4o-mini", training_file="file-abc")
        async for event in client.jobs.list_events(job.id):
            print(event.message)
"""

from typing import TYPE_CHECKING

from ._client import AzureFineTuningClient, FineTuningClient
from ._config import (
    DEFAULT_RETRY_POLICY,
    DEFAULT_TIMEOUTS,
    Clock,
    FlowControl,
    RetryPolicy,
    Timeouts,
)
from ._core.call import Handler, Request
from ._core.gate import RateGate
from ._core.pagination import AsyncPaginator
from ._core.protocol import NO_METADATA, NoMetadata
from ._core.response import ResponseInfo, response_info
from ._version import __version__
from ._wire.decode import to_dict, to_json
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    FTClientError,
    InsecureURLWarning,
    InternalServerError,
    InvalidParameterError,
    InvalidWebhookPayloadError,
    InvalidWebhookSignatureError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from .polling.changes import JobChange
from .polling.wait import PollSchedule
from .polling.waiter import JobWaiter, WaitResult
from .resources._submit import Submitted

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "DEFAULT_TIMEOUTS",
    "NO_METADATA",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "AzureFineTuningClient",
    "BadRequestError",
    "ClientClosedError",
    "Clock",
    "ConflictError",
    "FTClientError",
    "FineTuningClient",
    "FlowControl",
    "Handler",
    "InsecureURLWarning",
    "InternalServerError",
    "InvalidParameterError",
    "InvalidWebhookPayloadError",
    "InvalidWebhookSignatureError",
    "JobChange",
    "JobWaiter",
    "NoMetadata",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "PollSchedule",
    "RateGate",
    "RateLimitError",
    "Request",
    "ResponseInfo",
    "RetryPolicy",
    "Submitted",
    "Timeouts",
    "UnprocessableEntityError",
    "WaitResult",
    "WaitTimeoutError",
    "__version__",
    "response_info",
    "to_dict",
    "to_json",
    "webhooks",
]


if TYPE_CHECKING:
    from . import webhooks
else:
    # ``ftclient.webhooks`` is imported on first use (PEP 562): a client that receives no
    # webhooks does not pay for its event classes and hmac at ``import ftclient``. Hidden from
    # type checkers, which would otherwise accept any misspelt ``ftclient.<name>``.
    def __getattr__(name):
        if name == "webhooks":
            from importlib import import_module

            return import_module(".webhooks", __name__)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__():
        return sorted({*globals(), *__all__})
