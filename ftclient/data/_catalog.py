"""What the service does with a base model: its tokenizer, its limit per example, its price, and
how many epochs ``"auto"`` trains for. Every number here is data, dated, and in one place.

Sources (read 2026-12-07):

- Per-example limit: 65,536 tokens for ``gpt-4o`` and ``gpt-4o-mini`` ("Training example context
  length", Azure OpenAI's fine-tuning model table); 16,385 for ``gpt-3.5-turbo`` (its context
  window; OpenAI's cookbook notebook ``Chat_finetuning_data_prep.ipynb``). A model not listed gets
  :data:`DEFAULT_CONTEXT_TOKENS`, the figure of the current families.
- Encodings: ``o200k_base`` for the gpt-4o, gpt-4.1 and o-series families, ``cl100k_base`` for
  gpt-3.5 and gpt-4.
- Prices: OpenAI's pricing page, fine-tuning section (``developers.openai.com/api/docs/pricing``),
  as two public price tables quote it; pass your own :class:`PriceTable` to override. OpenAI bills
  supervised and DPO training per token; reinforcement by hours of training (o4-mini $100 an hour,
  OpenAI's RFT billing guide), so no token price applies to it.
- ``"auto"`` epochs: the rule of OpenAI's cookbook notebook: 3 epochs, unless examples x 3 would
  fall below 100 (then ``100 // examples``, at most 25) or exceed 25,000 (then
  ``25,000 // examples``, at least 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ..errors import InvalidParameterError

__all__ = [
    "DEFAULT_CONTEXT_TOKENS",
    "DEFAULT_PRICES",
    "CostEstimate",
    "ModelInfo",
    "PriceTable",
    "auto_epochs",
    "base_model",
    "model_info",
]

DEFAULT_CONTEXT_TOKENS = 65_536
"""Tokens allowed per training example when the model is not known (the gpt-4o family's)."""

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_AUTO_EPOCHS = 1
MAX_AUTO_EPOCHS = 25


@attrs.frozen(kw_only=True)
class ModelInfo:
    """What matters about a base model for its training data."""

    encoding: str
    context_tokens: int = DEFAULT_CONTEXT_TOKENS


# Longest prefix wins: "gpt-4o-mini-2024-07-18" is a "gpt-4o-mini", not a "gpt-4o".
_MODELS: Mapping[str, ModelInfo] = MappingProxyType(
    {
        "gpt-4.1": ModelInfo(encoding="o200k_base"),
        "gpt-4.1-mini": ModelInfo(encoding="o200k_base"),
        "gpt-4.1-nano": ModelInfo(encoding="o200k_base"),
        "gpt-4o": ModelInfo(encoding="o200k_base", context_tokens=65_536),
        "gpt-4o-mini": ModelInfo(encoding="o200k_base", context_tokens=65_536),
        "o4-mini": ModelInfo(encoding="o200k_base"),
        "gpt-4": ModelInfo(encoding="cl100k_base", context_tokens=8_192),
        "gpt-3.5-turbo": ModelInfo(encoding="cl100k_base", context_tokens=16_385),
    }
)


def base_model(model: str) -> str:
    """The base model of a model name: ``ft:gpt-4o-mini-2024-07-18:org::abc`` ->
    ``gpt-4o-mini-2024-07-18`` (training can continue from a fine-tuned model)."""
    if model.startswith("ft:"):
        return model[3:].split(":", 1)[0]
    return model


def _longest_prefix(model: str, table: Mapping[str, object]) -> str | None:
    name = base_model(model)
    best: str | None = None
    for prefix in table:
        if name.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def model_info(model: str | None) -> ModelInfo | None:
    """The facts for ``model`` (any dated or fine-tuned variant of a listed family), or None."""
    if model is None:
        return None
    key = _longest_prefix(model, _MODELS)
    return None if key is None else _MODELS[key]


@attrs.frozen(kw_only=True)
class CostEstimate:
    """What training should cost: ``billed_tokens`` at ``usd_per_million`` (prices of ``as_of``)."""

    usd: float
    usd_per_million: float
    billed_tokens: int
    as_of: str
    source: str


def _frozen_copy(prices: Mapping[str, float]) -> Mapping[str, float]:
    # A copy, so that changing the caller's dict later does not change the table.
    if not isinstance(prices, Mapping):
        raise InvalidParameterError("prices.usd_per_million", f"must be a mapping, got {prices!r}")
    return MappingProxyType(dict(prices))


@attrs.frozen(kw_only=True)
class PriceTable:
    """Training prices in USD per million billed tokens, keyed by model family (longest prefix
    of the base model wins), with the date they were read and where.

    Build your own to override: ``PriceTable(as_of="2027-01-01", source="my contract",
    usd_per_million={"gpt-4o-mini": 2.0})``.
    """

    as_of: str
    source: str
    usd_per_million: Mapping[str, float] = attrs.field(converter=_frozen_copy)

    def __attrs_post_init__(self) -> None:
        for family, price in self.usd_per_million.items():
            if not isinstance(family, str) or not family:
                raise InvalidParameterError("prices", f"a model family must be a name: {family!r}")
            if isinstance(price, bool) or not isinstance(price, int | float) or not price >= 0:
                raise InvalidParameterError(
                    f"prices.{family}", f"must be a number of dollars >= 0, got {price!r}"
                )

    def price_for(self, model: str | None) -> float | None:
        """USD per million training tokens for ``model``, or None if the table has no price."""
        if model is None:
            return None
        key = _longest_prefix(model, self.usd_per_million)
        return None if key is None else float(self.usd_per_million[key])

    def estimate(self, model: str | None, billed_tokens: int) -> CostEstimate | None:
        """The cost of ``billed_tokens`` on ``model``, or None without a price for it."""
        price = self.price_for(model)
        if price is None:
            return None
        return CostEstimate(
            usd=billed_tokens * price / 1_000_000,
            usd_per_million=price,
            billed_tokens=billed_tokens,
            as_of=self.as_of,
            source=self.source,
        )


DEFAULT_PRICES = PriceTable(
    as_of="2026-12-07",
    source="OpenAI API pricing, fine-tuning (developers.openai.com/api/docs/pricing)",
    usd_per_million={
        "gpt-4.1": 25.0,
        "gpt-4.1-mini": 5.0,
        "gpt-4.1-nano": 1.5,
        "gpt-4o": 25.0,
        "gpt-4o-mini": 3.0,
        "gpt-3.5-turbo": 8.0,
    },
)
"""OpenAI's supervised and DPO training prices; reinforcement is billed by the hour instead."""


def auto_epochs(examples: int) -> int:
    """The epochs ``n_epochs="auto"`` trains for on ``examples`` training examples."""
    if examples < 1:
        return TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_AUTO_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_AUTO_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS
