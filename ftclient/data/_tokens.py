"""Counting the tokens of one example: exactly with the model's tokenizer when it is installed
(``pip install 'ftclient[tokens]'``, the ``bpe-openai`` package, which ships the ``o200k_base``
and ``cl100k_base`` vocabularies and needs no network), otherwise an estimate.

An example costs what its texts encode to plus the chat framing that OpenAI's cookbook
(``Chat_finetuning_data_prep.ipynb``) counts: 3 tokens per message, 1 for its role, 1 more per
``name``, and 3 to prime the reply. A tool call counts as its function's name and arguments (what
the model writes); tool definitions as their JSON text. Both are approximations even with the
tokenizer: the service renders tools in a format of its own. The estimate takes 4 characters a
token, the usual figure for English text.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from functools import cache
from importlib import import_module

__all__ = ["CHARS_PER_TOKEN", "TokenCounter", "counter_for"]

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4  # 3 of framing + 1 for the role (every role is one token)
TOKENS_PER_NAME = 1
TOKENS_PER_REPLY = 3


class TokenCounter:
    """Counts an example's tokens from its texts, its messages and its names.

    Attributes:
        exact: True when the texts are encoded with the model's tokenizer.
        encoding: the tokenizer's encoding name (None for the estimate).
    """

    __slots__ = ("_encode", "encoding", "exact")

    def __init__(self, encoding: str | None, encode: Callable[[str], Sequence[int]] | None) -> None:
        self.encoding = encoding
        self.exact = encode is not None
        self._encode = encode

    def count(self, texts: Sequence[str], messages: int, names: int) -> int:
        """Tokens of one example holding ``texts`` in ``messages`` messages with ``names`` names."""
        framing = messages * TOKENS_PER_MESSAGE + names * TOKENS_PER_NAME + TOKENS_PER_REPLY
        encode = self._encode
        if encode is None:
            return framing + -(-sum(map(len, texts)) // CHARS_PER_TOKEN)
        return framing + sum(len(encode(text)) for text in texts)


ESTIMATE = TokenCounter(None, None)


@cache  # a vocabulary takes about 0.2 s to load: once per process
def _load(encoding: str) -> Callable[[str], Sequence[int]] | None:
    with warnings.catch_warnings():
        # bpe-openai 0.1.4 reads its vocabularies with importlib.resources.open_binary, deprecated
        # since Python 3.11: that warning is for its authors, not for our callers.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            bpe = import_module("bpe_openai")
        except ImportError:
            return None
        try:
            encode: Callable[[str], Sequence[int]] = bpe.get_encoding(encoding).encode_ordinary
        except Exception:  # an older bpe-openai without this vocabulary: fall back to the estimate
            return None
    return encode


def counter_for(encoding: str | None) -> TokenCounter:
    """An exact counter for ``encoding`` when its tokenizer is installed, else the estimate."""
    if encoding is None:
        return ESTIMATE
    encode = _load(encoding)
    return ESTIMATE if encode is None else TokenCounter(encoding, encode)
