"""What every resource shares: sending through the transport and decoding into a model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from .. import _protocol as protocol
from .._config import TimeoutArg
from .._decode import decode
from .._inputs import check_headers, check_limit
from .._pagination import AsyncPaginator, PageLike
from .._transport import Recover, Transport

__all__ = ["Resource", "TimeoutArg", "decode"]

T = TypeVar("T")
PageT = TypeVar("PageT", bound=PageLike[Any])


class Resource:
    """Base of the resource classes: holds the client's transport."""

    __slots__ = ("_transport",)

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def _request(
        self,
        model: type[T],
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        timeout: TimeoutArg = ...,
        extra_headers: Mapping[str, str] | None = None,
        recover: Recover | None = None,
    ) -> T:
        check_headers(extra_headers)
        response = await self._transport.request(
            method,
            path,
            params=params,
            json_body=body,
            timeout=timeout,
            extra_headers=extra_headers,
            recover=recover,
        )
        return decode(response, model, method=method, url=path)

    def _paginate(
        self,
        page_model: type[PageT],
        path: str,
        params: Mapping[str, Any],
        *,
        after: str | None,
        timeout: TimeoutArg,
        extra_headers: Mapping[str, str] | None,
    ) -> AsyncPaginator[Any, PageT]:
        """Check the common list arguments now, and return a paginator over ``path``."""
        check_limit(params.get("limit"))
        check_headers(extra_headers)
        if after is not None:
            protocol.path_segment(after, "after")

        async def fetch(cursor: str | None) -> PageT:
            return await self._request(
                page_model,
                "GET",
                path,
                params={**params, "after": cursor},
                timeout=timeout,
                extra_headers=extra_headers,
            )

        return AsyncPaginator(fetch, after=after)
