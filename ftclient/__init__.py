"""ftclient: an asyncio-first SDK for the OpenAI Fine-Tuning API.

::

    import ftclient

    async with ftclient.FineTuningClient() as client:
        job = await client.jobs.create(model="gpt-4o-mini", training_file="file-abc")
        async for event in client.jobs.list_events(job.id):
            print(event.message)
"""

from typing import TYPE_CHECKING

from ._client import FineTuningClient
from ._cloud import AzureFineTuningClient, BedrockFineTuningClient
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
from ._core.response import ResponseInfo
from ._version import __version__
from ._wire.decode import response_info, to_dict, to_json
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
    NoNextPageError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
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
    "BedrockFineTuningClient",
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
    "NoNextPageError",
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
    "data",
    "response_info",
    "to_dict",
    "to_json",
    "webhooks",
]


if TYPE_CHECKING:
    from . import data, webhooks
    from .polling.changes import JobChange
    from .polling.wait import PollSchedule
    from .polling.waiter import JobWaiter, WaitResult
else:
    # Imported on first use (PEP 562): a client that receives no webhooks and checks no files
    # does not pay for their event classes, hmac or data rules at ``import ftclient``, nor one
    # that never waits for a job for ftclient.polling. Hidden from type checkers, which would
    # otherwise accept any misspelt ``ftclient.<name>``.
    _LAZY = {
        "webhooks": (".webhooks", None),
        "data": (".data", None),
        "PollSchedule": (".polling.wait", "PollSchedule"),
        "JobWaiter": (".polling.waiter", "JobWaiter"),
        "WaitResult": (".polling.waiter", "WaitResult"),
        "JobChange": (".polling.changes", "JobChange"),
    }

    def __getattr__(name):
        if name in _LAZY:
            from importlib import import_module

            module, attribute = _LAZY[name]
            found = import_module(module, __name__)
            return found if attribute is None else getattr(found, attribute)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__():
        return sorted({*globals(), *__all__})
