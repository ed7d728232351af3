"""The text metrics and the formula evaluator, as pure functions."""

from __future__ import annotations

import math

import pytest

from ftclient.testing._formula import Formula, FormulaError
from ftclient.testing._metrics import (
    UnsupportedMetric,
    bleu,
    fuzzy_match,
    gleu,
    lcs_length,
    rouge_l,
    rouge_n,
    similarity,
    tokenize,
)


def test_tokenize() -> None:
    assert tokenize("Hello, World! It's 2024.") == ["hello", "world", "it", "s", "2024"]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("", "abc", 0), ("abc", "abc", 3), ("ABCBDAB", "BDCABA", 4), ("kitten", "sitting", 4)],
)
def test_lcs_length(a: str, b: str, expected: int) -> None:
    assert lcs_length(a, b) == expected
    assert lcs_length(b, a) == expected


def test_lcs_matches_dynamic_programming() -> None:
    import random

    rng = random.Random(5)
    for _ in range(200):
        a = "".join(rng.choices("abcd", k=rng.randint(0, 70)))
        b = "".join(rng.choices("abcd", k=rng.randint(0, 70)))
        table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                table[i + 1][j + 1] = (
                    table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
                )
        assert lcs_length(a, b) == table[-1][-1]


def test_bleu_brevity_penalty() -> None:
    ref = "the quick brown fox jumps over the lazy dog"
    assert bleu("the quick brown fox", ref) == pytest.approx(math.exp(1 - 9 / 4))


def test_short_identical_texts() -> None:
    assert bleu("yes", "yes") == 1.0
    assert fuzzy_match("", "") == 1.0
    assert gleu("", "x") == 0.0


def test_rouge_l_asymmetric() -> None:
    precision, recall = 2 / 4, 2 / 3
    assert rouge_l("a b c d", "a c e") == pytest.approx(
        2 * precision * recall / (precision + recall)
    )


def test_rouge_n_orders() -> None:
    assert rouge_n("a b c d e", "a b c d e", 5) == 1.0
    assert rouge_n("a b c d", "a b c d", 5) == 0.0


def test_similarity_refuses() -> None:
    with pytest.raises(UnsupportedMetric, match="WordNet"):
        similarity("meteor", "a", "b")
    with pytest.raises(UnsupportedMetric, match="embedding"):
        similarity("cosine", "a", "b")


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("1 + 2 * 3", {}, 7.0),
        ("(1 + 2) * 3", {}, 9.0),
        ("-a + +b", {"a": 1, "b": 3}, 2.0),
        ("2 ^ 3 + 2 ** 2", {}, 12.0),
        ("min(a, b, 0.5) + max(a) + abs(-1)", {"a": 0.2, "b": 0.9}, 1.4),
        ("floor(1.7) + ceil(0.2) + sqrt(4) + exp(0) + log(1)", {}, 5.0),
        ("7 / 2", {}, 3.5),
    ],
)
def test_formula(text: str, values: dict[str, float], expected: float) -> None:
    assert Formula(text).evaluate(values) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a +",
        "eval('1')",
        "__import__('os')",
        "a.b",
        "a[0]",
        "lambda: 1",
        "a if b else c",
        "'text'",
        "True",
        "a < b",
        "min(*a)",
        "max()",
        "abs(1, 2)",
        "1 % 2",
        "x" * 2000,
    ],
)
def test_formula_rejects(text: str) -> None:
    with pytest.raises(FormulaError) as info:
        Formula(text)
    assert info.value.stage == "parse"


@pytest.mark.parametrize("text", ["1 / 0", "10.0 ** 10 ** 10", "sqrt(-1)", "(-8) ** 0.5", "log(0)"])
def test_formula_evaluation_errors(text: str) -> None:
    with pytest.raises(FormulaError) as info:
        Formula(text).evaluate({})
    assert info.value.stage == "evaluate"


def test_formula_unknown_name() -> None:
    formula = Formula("a + b")
    assert formula.names == {"a", "b"}
    with pytest.raises(FormulaError, match="unknown name"):
        formula.evaluate({"a": 1})
