"""The emulator's key check, answering as the service does: 401 with its error bodies."""

from __future__ import annotations

from collections.abc import Collection

from ._errors import EmulatorError

__all__ = ["authenticate", "incorrect_key_message"]

_KEYS_PAGE = "https://platform.openai.com/account/api-keys"


def incorrect_key_message(token: str) -> str:
    """The service's message for a key it does not know, masked as the service masks it.

    The service shows the first 8 and the last 4 characters of the key, a ``*`` for each
    one between (``sk-VKMIs***...wjh3``), and a short key whole (``kk``, as reported by users).
    """
    shown = token if len(token) <= 12 else token[:8] + "*" * (len(token) - 12) + token[-4:]
    return f"Incorrect API key provided: {shown}. You can find your API key at {_KEYS_PAGE}."


def authenticate(authorization: str, api_keys: Collection[str] | None) -> None:
    """Accept a ``Bearer`` token that is in ``api_keys`` (any non-empty one when None).

    Raises:
        EmulatorError: 401 ``missing_api_key`` without a bearer token, 401 ``invalid_api_key``
            for a token not in ``api_keys``.
    """
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise EmulatorError(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code="missing_api_key",
        )
    if api_keys is not None and token not in api_keys:
        raise EmulatorError(401, incorrect_key_message(token), code="invalid_api_key")
