"""The clients of the cloud servers of the API: Azure OpenAI and Amazon Bedrock.

Each is :class:`FineTuningClient` with its provider's description (:mod:`ftclient.providers`):
how its base URL is formed, which environment variables it reads, how the key travels, and what
it refuses before sending.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from . import _checks
from ._base_url import split_base_url
from ._client import FineTuningClient
from ._config import Secret, setting
from .errors import InvalidParameterError
from .providers import AZURE, BEDROCK, check_region

__all__ = ["AzureFineTuningClient", "BedrockFineTuningClient"]

ENV_AZURE_ENDPOINT = AZURE.url_variables[0]
ENV_API_VERSION = "OPENAI_API_VERSION"


class AzureFineTuningClient(FineTuningClient):
    """A client for an Azure OpenAI resource, sending what the official SDK's Azure client sends.

    Requests go to ``{azure_endpoint}/openai/fine_tuning/...?api-version={api_version}`` with the
    key in an ``api-key`` header, or, with ``azure_ad_token_provider``, a Microsoft Entra ID token
    as ``Authorization: Bearer <token>``. Everything else is :class:`FineTuningClient`'s.

    An endpoint pasted with a query (``https://res.openai.azure.com?api-version=2025-04-01``)
    keeps it in every request; its ``api-version`` is used when ``api_version`` is not given.

    Args:
        azure_endpoint: e.g. ``https://my-resource.openai.azure.com``; defaults to
            ``AZURE_OPENAI_ENDPOINT``.
        api_version: e.g. ``"2025-04-01-preview"``; defaults to the endpoint's ``api-version``,
            then ``OPENAI_API_VERSION``.
        api_key: defaults to ``AZURE_OPENAI_API_KEY`` (not read when a token provider is given).
        azure_ad_token_provider: a coroutine function returning an Entra ID token (a string, or
            an object with ``token`` and ``expires_on`` such as azure-identity's
            ``AccessToken``), e.g. wrapping ``azure.identity.aio.DefaultAzureCredential`` for the
            scope ``https://cognitiveservices.azure.com/.default``. It is called when no token is
            held or the one held expires within 5 minutes (a JWT's ``exp`` claim counts), and
            after a 401.
        **options: any other :class:`FineTuningClient` argument except ``base_url``.

    Raises:
        InvalidParameterError: no endpoint, API version or credential anywhere; both a key and a
            token provider; or a malformed argument.
    """

    _provider = AZURE

    def __init__(
        self,
        *,
        azure_endpoint: str | None = None,
        api_version: str | None = None,
        api_key: str | None = None,
        azure_ad_token_provider: Callable[[], Awaitable[Any]] | None = None,
        default_query: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        secret = Secret(api_key) if api_key is not None else None
        del api_key  # only the masked Secret from here on
        if azure_endpoint is not None:
            _checks.text(azure_endpoint, "azure_endpoint")
        # The portal's URL carries ?api-version=...: its query is kept, and its version used
        # unless api_version is given.
        endpoint = setting(
            azure_endpoint or None, ENV_AZURE_ENDPOINT, None, split_base_url, "azure_endpoint"
        )
        if endpoint is None:
            raise InvalidParameterError(
                "azure_endpoint", f"pass azure_endpoint=... or set {ENV_AZURE_ENDPOINT}"
            )
        base, query = endpoint
        version = api_version or query.pop("api-version", None) or os.environ.get(ENV_API_VERSION)
        if version is not None:
            _checks.text(version, "api_version")
        if not version:
            raise InvalidParameterError(
                "api_version", f"pass api_version=... or set {ENV_API_VERSION}"
            )
        if "base_url" in options:
            raise InvalidParameterError("base_url", "is azure_endpoint + '/openai' here")
        if azure_ad_token_provider is not None:
            if not callable(azure_ad_token_provider):
                raise InvalidParameterError(
                    "azure_ad_token_provider", "must be a coroutine function returning a token"
                )
            self._token_provider = azure_ad_token_provider
        super().__init__(
            secret,
            base_url=base + AZURE.path_prefix,
            default_query={**query, "api-version": version, **(default_query or {})},
            **options,
        )


class BedrockFineTuningClient(FineTuningClient):
    """A client for Amazon Bedrock's OpenAI-compatible fine-tuning API (open-weight models).

    Requests go to ``https://bedrock-mantle.{region}.api.aws/v1/fine_tuning/...`` with a Bedrock
    API key as ``Authorization: Bearer <key>``. What Bedrock documents as unsupported (a job's
    ``suffix``, checkpoint permissions, the grader endpoints) is refused before sending with an
    error naming Bedrock; its lambda grader (:class:`~ftclient.models.GraderLambda`) is accepted.

    Args:
        region: e.g. ``"us-west-2"``; defaults to ``AWS_REGION``, then ``AWS_DEFAULT_REGION``.
        api_key: a Bedrock API key; defaults to ``AWS_BEARER_TOKEN_BEDROCK``.
        base_url: another URL to send to (a VPC endpoint, a proxy, a local emulator); then
            ``region`` is not needed.
        **options: any other :class:`FineTuningClient` argument.

    Raises:
        InvalidParameterError: no region (or base_url) or key anywhere, or a malformed argument.
    """

    _provider = BEDROCK

    def __init__(
        self,
        *,
        region: str | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        **options: Any,
    ) -> None:
        secret = Secret(api_key) if api_key is not None else None
        del api_key  # only the masked Secret from here on
        if base_url is None:
            base_url = BEDROCK.base_url.format(region=_region(region))
        elif region is not None:
            check_region(region)
        super().__init__(secret, base_url=base_url, **options)


def _region(region: str | None) -> str:
    if region is not None:
        return check_region(region)
    for variable in BEDROCK.url_variables:
        value = os.environ.get(variable)
        if value:
            return check_region(value, f"region (from {variable})")
    names = " or ".join(BEDROCK.url_variables)
    raise InvalidParameterError("region", f"pass region=... or set {names}")
