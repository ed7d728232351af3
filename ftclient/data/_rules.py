"""The rules a provider sets for a whole training file, as a value: how many examples, and how
many tokens one example may hold.

OpenAI's minimum is 10 examples for every method ("The minimum number of examples you can provide
for fine-tuning is 10", its supervised fine-tuning guide). Other providers of the same API add
their own: Amazon Bedrock's reinforcement fine-tuning of open-weight models needs 100 to 20,000
records ("Prepare data for open-weight models", its user guide). A provider passes its rules to
:func:`ftclient.data.check` as ``rules=``; :data:`DEFAULT_RULES` are OpenAI's.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ..errors import InvalidParameterError

__all__ = ["BEDROCK_REINFORCEMENT_RULES", "DEFAULT_RULES", "METHODS", "DataRules"]

METHODS = ("supervised", "dpo", "reinforcement")
"""The fine-tuning methods whose line formats :func:`ftclient.data.check` knows."""


def _count(name: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(f"rules.{name}", f"must be an integer >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class DataRules:
    """Whole-file rules: at least ``min_examples`` valid examples, at most ``max_examples``
    (None: no limit), and at most ``context_tokens`` tokens per example (None: the model's own
    limit, see :data:`ftclient.data.DEFAULT_CONTEXT_TOKENS`).

    Raises:
        InvalidParameterError: a count that is not an integer >= 1, or a maximum below the minimum.
    """

    min_examples: int = 10
    max_examples: int | None = None
    context_tokens: int | None = None

    def __attrs_post_init__(self) -> None:
        _count("min_examples", self.min_examples, optional=False)
        _count("max_examples", self.max_examples, optional=True)
        _count("context_tokens", self.context_tokens, optional=True)
        if self.max_examples is not None and self.max_examples < self.min_examples:
            raise InvalidParameterError(
                "rules.max_examples",
                f"{self.max_examples} is below min_examples ({self.min_examples})",
            )


DEFAULT_RULES: Mapping[str, DataRules] = MappingProxyType(
    {method: DataRules(min_examples=10) for method in METHODS}
)
"""OpenAI's rules for each method."""

BEDROCK_REINFORCEMENT_RULES = DataRules(min_examples=100, max_examples=20_000)
"""Amazon Bedrock's rules for a reinforcement training set (open-weight models)."""
