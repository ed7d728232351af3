"""Bearer tokens from a caller's coroutine (Microsoft Entra ID), kept until they expire.

The official SDK's ``azure_ad_token_provider`` is called before every request and left to cache
on its own (``azure.identity.get_bearer_token_provider`` does). Here the token is kept until it
is about to expire, so that a provider that does not cache is not called per request:

- a provider may return an object with ``token`` and ``expires_on`` (Unix seconds), as
  ``azure.core.credentials.AccessToken`` is; or a plain string. A string that is a JWT (Entra's
  tokens are) expires at its ``exp`` claim; any other string is asked for again on every request;
- a token is renewed ``REFRESH_MARGIN`` seconds before it expires, once for all the requests
  waiting on it (one lock), and dropped when the server answers 401 (revoked, or a clock off).

The token is held as a masked :class:`~ftclient._config.Secret`: only the transport's send reveals
it, as it does the API key.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .._config import Secret
from ..errors import InvalidParameterError

__all__ = ["REFRESH_MARGIN", "TokenProvider", "TokenSource", "jwt_expiry"]

REFRESH_MARGIN = 300.0
"""Seconds before expiry when a token is renewed (as azure-identity's credentials do)."""

TokenProvider = Callable[[], Awaitable[Any]]
"""A coroutine function returning a token: a string, or an object with ``token``/``expires_on``."""


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, or None when ``token`` is not a JWT that has one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class TokenSource:
    """Calls the provider when no token is held or the one held is about to expire."""

    def __init__(self, provider: TokenProvider, *, clock: Callable[[], float] = time.time) -> None:
        if not callable(provider):
            raise InvalidParameterError(
                "azure_ad_token_provider", "must be a coroutine function returning a token"
            )
        self._provider = provider
        self._clock = clock
        self._token: Secret | None = None
        self._expires: float | None = None
        self._lock: asyncio.Lock | None = None
        self.calls = 0
        """How many times the provider was called (for tests and diagnostics)."""

    def _fresh(self) -> Secret | None:
        if self._token is None or self._expires is None:
            return None
        return self._token if self._clock() < self._expires - REFRESH_MARGIN else None

    async def token(self) -> Secret:
        """The token to send now.

        Raises:
            InvalidParameterError: the provider returned something that is not a token.
        """
        held = self._fresh()
        if held is not None:
            return held
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            held = self._fresh()  # another request renewed it while this one waited
            if held is not None:
                return held
            self.calls += 1
            value = await self._provider()
            secret, expires = _parse(value)
            self._token, self._expires = secret, expires
            return secret

    def invalidate(self) -> None:
        """Forget the token held (the server refused it), so the next request asks again."""
        self._token = self._expires = None


def _parse(value: Any) -> tuple[Secret, float | None]:
    token = getattr(value, "token", value)
    expires = getattr(value, "expires_on", None)
    if not isinstance(token, str) or not token.strip() or not token.isascii():
        raise InvalidParameterError(
            "azure_ad_token_provider",
            f"must return a non-empty ASCII token string, got {type(token).__name__}",
        )
    token = token.strip()
    if not token.isprintable():
        raise InvalidParameterError(
            "azure_ad_token_provider", "returned a token with control characters"
        )
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        expires = jwt_expiry(token)
    return Secret(token), None if expires is None else float(expires)
