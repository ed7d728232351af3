"""Text-similarity metrics for the ``text_similarity`` grader, implemented from their definitions.

Token metrics (BLEU, GLEU, ROUGE) share one tokenizer: the text is lower-cased and split into runs
of letters and digits (``"Hello, world!"`` -> ``["hello", "world"]``), like the default
tokenizer of the ``rouge_score`` package without stemming.

- ``fuzzy_match``: the normalised Indel similarity of the two strings (the ``ratio`` of
  rapidfuzz/Levenshtein): ``2 * LCS(a, b) / (len(a) + len(b))`` over characters; 1.0 for two
  empty strings.
- ``bleu``: sentence BLEU (Papineni et al. 2002): the geometric mean of the clipped n-gram
  precisions for n = 1..N with uniform weights, times the brevity penalty
  ``exp(1 - len(ref) / len(hyp))`` when the hypothesis is shorter. N is 4, or the length of the
  shorter token list when that is below 4, so two identical short texts score 1.0. No smoothing:
  an order with no match gives 0.0.
- ``gleu``: Google-BLEU (Wu et al. 2016): over all n-grams of order 1..4, ``min(precision,
  recall)`` of the clipped matches.
- ``rouge_1`` .. ``rouge_5``: the F1 of the clipped n-gram overlap (Lin 2004).
- ``rouge_l``: the F1 of the longest common subsequence of tokens.
- ``meteor`` and ``cosine`` need WordNet and an embedding model; they raise
  :class:`UnsupportedMetric`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence

__all__ = [
    "METRICS",
    "UnsupportedMetric",
    "bleu",
    "fuzzy_match",
    "gleu",
    "lcs_length",
    "rouge_l",
    "rouge_n",
    "similarity",
    "tokenize",
]

_TOKEN = re.compile(r"[a-z0-9]+")
UNSUPPORTED = {
    "meteor": "needs the WordNet synonym database",
    "cosine": "needs an embedding model",
}


class UnsupportedMetric(ValueError):
    """The metric cannot be computed offline."""


def tokenize(text: str) -> list[str]:
    """Lower-case ``text`` and return its runs of letters and digits."""
    return _TOKEN.findall(text.lower())


def lcs_length(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence (bit-parallel, Allison-Dix / Hyyrö)."""
    if not a or not b:
        return 0
    masks: dict[Hashable, int] = {}
    for index, item in enumerate(a):
        masks[item] = masks.get(item, 0) | (1 << index)
    full = (1 << len(a)) - 1
    row = full
    for item in b:
        match = row & masks.get(item, 0)
        row = ((row + match) | (row - match)) & full
    return len(a) - row.bit_count()


def _ngrams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _overlap(hyp: Sequence[str], ref: Sequence[str], n: int) -> tuple[int, int, int]:
    """Return (clipped matches, hypothesis n-grams, reference n-grams) of order ``n``."""
    hyp_grams, ref_grams = _ngrams(hyp, n), _ngrams(ref, n)
    matches = sum((hyp_grams & ref_grams).values())
    return matches, sum(hyp_grams.values()), sum(ref_grams.values())


def _f1(matches: int, hyp_total: int, ref_total: int) -> float:
    if matches == 0 or hyp_total == 0 or ref_total == 0:
        return 0.0
    precision, recall = matches / hyp_total, matches / ref_total
    return 2 * precision * recall / (precision + recall)


def fuzzy_match(hypothesis: str, reference: str) -> float:
    """Indel similarity ratio of two strings, in [0, 1]."""
    total = len(hypothesis) + len(reference)
    if total == 0:
        return 1.0
    return 2 * lcs_length(hypothesis, reference) / total


def bleu(hypothesis: str, reference: str) -> float:
    """Sentence BLEU with uniform weights up to order 4 (see the module docstring)."""
    hyp, ref = tokenize(hypothesis), tokenize(reference)
    if not hyp or not ref:
        return 0.0
    order = min(4, len(hyp), len(ref))
    log_sum = 0.0
    for n in range(1, order + 1):
        matches, hyp_total, _ = _overlap(hyp, ref, n)
        if matches == 0:
            return 0.0
        log_sum += math.log(matches / hyp_total)
    penalty = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return penalty * math.exp(log_sum / order)


def gleu(hypothesis: str, reference: str) -> float:
    """Google-BLEU: ``min(precision, recall)`` over n-grams of orders 1..4."""
    hyp, ref = tokenize(hypothesis), tokenize(reference)
    matches = hyp_total = ref_total = 0
    for n in range(1, 5):
        m, h, r = _overlap(hyp, ref, n)
        matches, hyp_total, ref_total = matches + m, hyp_total + h, ref_total + r
    if hyp_total == 0 or ref_total == 0:
        return 0.0
    return min(matches / hyp_total, matches / ref_total)


def rouge_n(hypothesis: str, reference: str, n: int) -> float:
    """ROUGE-N F1."""
    return _f1(*_overlap(tokenize(hypothesis), tokenize(reference), n))


def rouge_l(hypothesis: str, reference: str) -> float:
    """ROUGE-L F1 (longest common subsequence of tokens)."""
    hyp, ref = tokenize(hypothesis), tokenize(reference)
    return _f1(lcs_length(hyp, ref), len(hyp), len(ref))


def _rouge(n: int) -> Callable[[str, str], float]:
    return lambda hypothesis, reference: rouge_n(hypothesis, reference, n)


METRICS: dict[str, Callable[[str, str], float]] = {
    "fuzzy_match": fuzzy_match,
    "bleu": bleu,
    "gleu": gleu,
    **{f"rouge_{n}": _rouge(n) for n in range(1, 6)},
    "rouge_l": rouge_l,
}


def similarity(metric: str, hypothesis: str, reference: str) -> float:
    """Score ``hypothesis`` against ``reference`` with ``metric``.

    Raises:
        UnsupportedMetric: the metric needs resources the emulator does not have, or is unknown.
    """
    if metric in UNSUPPORTED:
        raise UnsupportedMetric(
            f"The emulator cannot compute evaluation_metric {metric!r}: it {UNSUPPORTED[metric]}."
        )
    try:
        function = METRICS[metric]
    except KeyError:
        raise UnsupportedMetric(f"Unknown evaluation_metric {metric!r}.") from None
    return function(hypothesis, reference)
