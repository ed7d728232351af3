"""Tokens (exact with the tokenizer installed, else estimated), the epochs of ``"auto"``, billed
tokens and the cost from a dated, overridable price table; and the report's text."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from ftclient.data import DEFAULT_PRICES, PriceTable, _tokens, auto_epochs, check
from ftclient.errors import InvalidParameterError
from tests.data.lines import jsonl, valid_file

FRAMING = 3 * 4 + 3  # three messages of 4 tokens each (framing and role), 3 to prime the reply


def one_text(text: str, n: int = 10) -> bytes:
    line = {
        "messages": [
            {"role": "user", "content": text},
            {"role": "assistant", "content": text},
            {"role": "assistant", "content": text, "name": "bob"},
        ]
    }
    lines = [dict(line, id=i) for i in range(n)]  # distinct lines, the same tokens
    return jsonl(lines)


def test_the_estimate_is_four_characters_a_token_plus_the_chat_framing() -> None:
    report = check(one_text("x" * 10))  # 30 characters + "bob": 33 -> 9 tokens
    assert report.tokens_exact is False
    assert report.encoding is None
    assert report.max_example_tokens == FRAMING + 1 + 9
    assert report.tokens == 10 * (FRAMING + 1 + 9)


TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
TOOLS_TEXT = len('[{"type": "function", "function": {"name": "f", "parameters": {}}}]')  # 67


def tool_line(i: int, tools: Any = TOOLS) -> dict[str, Any]:
    call = {"id": f"c{i}", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    return {
        "messages": [
            {"role": "user", "content": "abcd"},
            {"role": "assistant", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"c{i}", "content": "abcd"},
        ],
        "tools": tools,
    }


def test_a_tool_call_counts_its_name_and_arguments_and_tools_their_json_text() -> None:
    # 4 + "lookup" 6 + "{}" 2 + 4 + 67 characters: 83 -> 21 tokens, on every line
    report = check(jsonl([tool_line(i) for i in range(10)]))
    assert report.max_example_tokens == FRAMING + -(-(4 + 6 + 2 + 4 + TOOLS_TEXT) // 4)
    assert report.tokens == 10 * report.max_example_tokens


def test_the_remembered_tool_text_is_that_of_the_line_at_hand() -> None:
    longer = [{"type": "function", "function": {"name": "fff", "parameters": {}}}]
    lines = [tool_line(0), tool_line(1, longer), tool_line(2), tool_line(3, [])]
    report = check(jsonl(lines))
    base = FRAMING + 4 + 6 + 2 + 4  # framing + the texts of the messages, in characters
    counts = [FRAMING + -(-(base - FRAMING + n) // 4) for n in (TOOLS_TEXT, 69, TOOLS_TEXT, 2)]
    assert counts == [36, 37, 36, 20]  # a stale text would count line 2 as 36
    assert report.tokens == sum(counts)
    assert report.max_example_tokens == max(counts)


def test_tokens_are_exact_with_the_tokenizer_of_the_models_encoding() -> None:
    pytest.importorskip("bpe_openai")
    # o200k_base: "Smoke tests keep releases honest." is 6 tokens, "bob" 1.
    report = check(one_text("Smoke tests keep releases honest."), model="gpt-4o-mini-2024-07-18")
    assert (report.tokens_exact, report.encoding) == (True, "o200k_base")
    assert report.max_example_tokens == FRAMING + 1 + 3 * 6 + 1
    legacy = check(one_text("Smoke tests keep releases honest."), model="gpt-3.5-turbo-0125")
    assert legacy.encoding == "cl100k_base"
    assert legacy.context_tokens == 16_385


def test_without_the_tokenizer_tokens_are_estimated_and_said_to_be(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "bpe_openai", None)  # import fails as if not installed
    _tokens._load.cache_clear()
    try:
        report = check(one_text("x" * 10), model="gpt-4o-mini")
    finally:
        _tokens._load.cache_clear()
    assert report.tokens_exact is False
    assert "estimated at 4 characters a token" in str(report)


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [(1, 25), (4, 25), (5, 20), (33, 3), (34, 3), (8_333, 3), (8_334, 2), (25_000, 1), (90_000, 1)],
)
def test_auto_epochs_follow_the_services_rule(examples: int, epochs: int) -> None:
    assert auto_epochs(examples) == epochs


def test_billed_tokens_and_cost_use_the_epochs_and_the_models_price() -> None:
    data = one_text("x" * 10, n=40)  # 40 examples -> 3 epochs
    report = check(data, model="ft:gpt-4o-mini-2024-07-18:acme::abc123")
    per_example = report.max_example_tokens
    assert report.epochs == 3
    assert report.billed_tokens == 40 * per_example * 3
    assert report.cost is not None
    assert report.cost.usd_per_million == 3.0
    assert report.cost.usd == pytest.approx(report.billed_tokens * 3.0 / 1_000_000)
    assert report.cost.as_of == DEFAULT_PRICES.as_of
    fixed = check(data, model="gpt-4o-mini", n_epochs=7)
    assert (fixed.epochs, fixed.billed_tokens) == (7, 40 * per_example * 7)


def test_a_price_table_of_your_own_overrides_the_default() -> None:
    prices = PriceTable(as_of="2027-02-01", source="my contract", usd_per_million={"gpt-4o": 2})
    report = check(one_text("x" * 10, n=40), model="gpt-4o-2024-08-06", prices=prices)
    assert report.cost is not None
    assert (report.cost.usd_per_million, report.cost.as_of, report.cost.source) == (
        2.0,
        "2027-02-01",
        "my contract",
    )
    # the mini is not in this table: longest prefix is gpt-4o, so it gets gpt-4o's price
    assert prices.price_for("gpt-4o-mini") == 2.0
    assert DEFAULT_PRICES.price_for("gpt-4o-mini") == 3.0
    assert DEFAULT_PRICES.price_for("gpt-4.1-nano-2025-04-14") == 1.5
    assert DEFAULT_PRICES.price_for("davinci-002") is None


@pytest.mark.parametrize(
    ("prices", "param"),
    [
        ({"gpt-4o": -1}, "prices.gpt-4o"),
        ({"gpt-4o": "3"}, "prices.gpt-4o"),
        ({"": 3}, "prices"),
        ([("gpt-4o", 3)], "prices.usd_per_million"),
    ],
)
def test_a_bad_price_table_is_refused(prices: Any, param: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        PriceTable(as_of="2027-01-01", source="x", usd_per_million=prices)
    assert caught.value.param == param


def test_the_table_is_a_copy_of_what_was_given() -> None:
    given = {"gpt-4o": 1.0}
    prices = PriceTable(as_of="d", source="s", usd_per_million=given)
    given["gpt-4o"] = 100.0
    assert prices.price_for("gpt-4o") == 1.0


def test_no_cost_without_a_price_or_for_reinforcement() -> None:
    unknown = check(one_text("x"), model="my-own-model")
    assert unknown.cost is None
    assert "cost: not estimated: no training price known for my-own-model" in str(unknown)
    nothing = check(one_text("x"))
    assert "cost: not estimated: no model given" in str(nothing)
    rft = check(jsonl(valid_file("reinforcement")), method="reinforcement", model="o4-mini")
    assert rft.cost is None
    assert "billed by training time" in str(rft)


def test_the_report_reads_as_a_summary() -> None:
    lines: list[Any] = valid_file("supervised", 11)
    lines.insert(1, {"messages": [{"role": "user", "content": "hi"}]})
    text = str(check(jsonl(lines), model="gpt-4o-mini", validation=jsonl(lines[:1])))
    assert text.splitlines() == [
        "training file <bytes> (supervised): 12 lines, 11 valid examples, 1 problem",
        "  line 2: $.messages: add the assistant's answer: supervised training learns from "
        "assistant messages [no_assistant_message]",
        text.splitlines()[2],  # the token line depends on the tokenizer installed
        f"  epochs: 9; billed tokens: {text.split('billed tokens: ')[1].splitlines()[0]}",
        "  cost: less than $0.01 at $3.00 per 1M training tokens (prices as of 2026-12-07)",
        "validation file <bytes> (supervised): 1 line, 1 valid example, 1 problem",
        "  line 1: $: the same example as line 1 of the training file: validate on examples the "
        "model is not trained on [validation_overlap]",
        text.splitlines()[7],
    ]
    assert text.splitlines()[2].startswith("  tokens: ")
