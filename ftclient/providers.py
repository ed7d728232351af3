"""The servers of the Fine-Tuning API, described as data: one frozen :class:`Provider` each.

The same API is served by OpenAI, by Azure OpenAI and by Amazon Bedrock (for open-weight
models). They differ in how the base URL is formed, how the key travels, what they add to the
OpenAPI document, what they document as unsupported and what they require of training data.
Each difference is a field here, read by the client (URL, auth, refusals), by the emulator (which
plays a provider from the same description) and by training-data checks (``data_rules``), so
that supporting a server is writing its description, not forking the client.

Sources, as read in 2026-12 (each rule below names its own):

- Bedrock: docs.aws.amazon.com/bedrock/latest/userguide/rft-open-weight-access-security.html
  (``https://bedrock-mantle.<region>.api.aws/v1``, a Bedrock API key as the bearer token);
  .../api-keys-use.html (the key's variable ``AWS_BEARER_TOKEN_BEDROCK``, sent as
  ``Authorization: Bearer``); .../rft-prepare-data-open-weight.html (100 to 20K records);
  .../API_LambdaGraderConfig.html (the Lambda ARN pattern).
- Azure: ``{endpoint}/openai/...?api-version=...`` with an ``api-key`` header, or a Microsoft
  Entra ID token as ``Authorization: Bearer`` (scope ``https://cognitiveservices.azure.com/.default``),
  as the official SDK's ``azure_ad_token_provider`` sends it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from .errors import InvalidParameterError

__all__ = [
    "AZURE",
    "BEDROCK",
    "OPENAI",
    "PROVIDERS",
    "DataRule",
    "Provider",
    "Unsupported",
    "provider",
]


@attrs.frozen(kw_only=True)
class Unsupported:
    """Something a provider documents as not supported, refused before it is sent.

    Args:
        operation: the client operation (``"jobs.create"``, ``"permissions.create"``).
        field: the top-level body field that is refused; None refuses the whole operation.
        source: where the provider says so.
    """

    operation: str
    field: str | None = None
    source: str = ""


@attrs.frozen(kw_only=True)
class DataRule:
    """What a provider requires of a training file for one fine-tuning method.

    ``data.check`` applies the rules of the provider it is given: a file of the ``method`` with
    fewer than ``min_examples`` or more than ``max_examples`` lines is an error naming the
    provider.

    Args:
        method: ``"supervised"``, ``"dpo"`` or ``"reinforcement"``.
        min_examples: fewest examples (lines) accepted, or None.
        max_examples: most examples accepted, or None.
        source: where the provider says so.
    """

    method: str
    min_examples: int | None = None
    max_examples: int | None = None
    source: str = ""


@attrs.frozen(kw_only=True)
class Provider:
    """One server of the API.

    Args:
        name: ``"openai"``, ``"azure"`` or ``"bedrock"``.
        title: the name shown in errors (``"Amazon Bedrock"``).
        base_url: the base URL, with ``{region}`` or ``{endpoint}`` where the caller's value goes.
        path_prefix: put between the host and the API's paths (Azure: ``/openai``).
        required_query: query parameters every request carries (Azure: ``api-version``).
        auth_header: ``Authorization`` (``Bearer <key>``) or ``api-key`` (the key as is).
        key_variable: the environment variable the key is read from.
        url_variables: the environment variables the URL's placeholder is read from, in order.
        additions: what the provider accepts beyond the OpenAPI document (``"grader:lambda"``).
        unsupported: what it documents as unsupported; refused locally under its client.
        data_rules: its training-data requirements.
    """

    name: str
    title: str
    base_url: str
    path_prefix: str = ""
    required_query: tuple[str, ...] = ()
    auth_header: str = "Authorization"
    key_variable: str = "OPENAI_API_KEY"
    url_variables: tuple[str, ...] = ()
    additions: frozenset[str] = frozenset()
    unsupported: tuple[Unsupported, ...] = ()
    data_rules: tuple[DataRule, ...] = ()

    def refuse(self, operation: str, body: Mapping[str, Any] | None) -> None:
        """Raise if ``operation`` (with ``body``) uses what this provider does not support.

        Raises:
            InvalidParameterError: naming the field (or ``operation``) and the provider.
        """
        for rule in self.unsupported:
            if rule.operation != operation:
                continue
            if rule.field is None:
                raise InvalidParameterError(
                    operation, f"is not supported by {self.title} ({rule.source})"
                )
            if body is not None and body.get(rule.field) is not None:
                raise InvalidParameterError(
                    rule.field, f"is not supported by {self.title} ({rule.source})"
                )

    def data_rule(self, method: str) -> DataRule | None:
        """The training-data rule for ``method``, if this provider has one."""
        return next((rule for rule in self.data_rules if rule.method == method), None)


# The suffix and the endpoint list come from the summary of Bedrock's guide in the project's spec
# README; the guide's own page was not found by the docs search (2026-12-07), the others were.
_BEDROCK_GUIDE = "Bedrock's open-weight fine-tuning guide"
_BEDROCK_DATA = "docs.aws.amazon.com/bedrock/latest/userguide/rft-prepare-data-open-weight.html"

OPENAI = Provider(name="openai", title="OpenAI", base_url="https://api.openai.com/v1")

AZURE = Provider(
    name="azure",
    title="Azure OpenAI",
    base_url="{endpoint}/openai",
    path_prefix="/openai",
    required_query=("api-version",),
    auth_header="api-key",
    key_variable="AZURE_OPENAI_API_KEY",
    url_variables=("AZURE_OPENAI_ENDPOINT",),
)

BEDROCK = Provider(
    name="bedrock",
    title="Amazon Bedrock",
    base_url="https://bedrock-mantle.{region}.api.aws/v1",
    key_variable="AWS_BEARER_TOKEN_BEDROCK",
    url_variables=("AWS_REGION", "AWS_DEFAULT_REGION"),
    additions=frozenset({"grader:lambda"}),
    unsupported=(
        Unsupported(operation="jobs.create", field="suffix", source=_BEDROCK_GUIDE),
        # Bedrock serves Files, jobs, events and checkpoints; not the permission or grader
        # endpoints.
        *(
            Unsupported(operation=op, source=_BEDROCK_GUIDE)
            for op in (
                "permissions.create",
                "permissions.list",
                "permissions.delete",
                "graders.run",
                "graders.validate",
            )
        ),
    ),
    data_rules=(
        DataRule(
            method="reinforcement", min_examples=100, max_examples=20_000, source=_BEDROCK_DATA
        ),
    ),
)

PROVIDERS: Mapping[str, Provider] = {p.name: p for p in (OPENAI, AZURE, BEDROCK)}
"""Every provider by name."""

_REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-\d{1,2}")
_LAMBDA_ARN = re.compile(
    r"arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}(-gov)?-[a-z]+-\d{1}:\d{12}:function:"
    r"[a-zA-Z0-9-_\.]+(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
"""The Lambda ARN pattern of Bedrock's ``LambdaGraderConfig.lambdaArn`` (API reference)."""


def provider(name: str) -> Provider:
    """The provider called ``name``.

    Raises:
        InvalidParameterError: no such provider.
    """
    found = PROVIDERS.get(name) if isinstance(name, str) else None
    if found is None:
        raise InvalidParameterError(
            "profile", f"must be one of {', '.join(map(repr, PROVIDERS))}, got {name!r}"
        )
    return found


def check_region(value: object, param: str = "region") -> str:
    """An AWS region name (``us-west-2``), stripped.

    Raises:
        InvalidParameterError: not a region name.
    """
    if not isinstance(value, str) or not _REGION.fullmatch(value.strip()):
        raise InvalidParameterError(
            param, f"must be an AWS region such as 'us-west-2', got {value!r}"
        )
    return value.strip()


def is_lambda_arn(value: str) -> bool:
    """Whether ``value`` matches the Lambda function ARN pattern Bedrock documents."""
    return _LAMBDA_ARN.fullmatch(value) is not None
