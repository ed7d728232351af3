"""``check``: read a training file line by line, and a validation file if given, and report what to
change before the job is paid for."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any, BinaryIO, Literal

import attrs

from ..errors import InvalidParameterError
from ._catalog import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_PRICES,
    CostEstimate,
    PriceTable,
    auto_epochs,
    model_info,
)
from ._formats import FORMATS, LineCheck
from ._grader import item_fields
from ._messages import Found, Tally, kind
from ._repeats import Repeats, digest
from ._report import DataReport, Problem
from ._rules import DEFAULT_RULES, METHODS, DataRules
from ._source import LineSource, open_source
from ._tokens import TokenCounter, counter_for

__all__ = ["check"]

DEFAULT_MAX_PROBLEMS = 1000
MAX_EPOCHS = 50  # the API's limit on n_epochs
_DECODER = json.JSONDecoder()
_LINE_ENDS = frozenset(("\n", "\r\n"))


class _Problems:
    """The problems of one file, at most ``limit`` kept; the rest only counted."""

    def __init__(self, limit: int) -> None:
        self.kept: list[Problem] = []
        self.omitted = 0
        self._limit = limit

    def add(self, line: int | None, path: str, code: str, message: str) -> None:
        if len(self.kept) < self._limit:
            self.kept.append(Problem(line=line, path=path, message=message, code=code))
        else:
            self.omitted += 1


@attrs.define
class _Scan:
    """What one pass over a file found."""

    lines: int = 0
    examples: int = 0
    tokens: int = 0
    longest: int = 0


def _not_json(raw: bytes, error: ValueError) -> tuple[str, str]:
    if not raw.strip():
        return "blank_line", "an empty line: remove it (each line holds one example)"
    if isinstance(error, UnicodeDecodeError):
        return "invalid_json", f"not UTF-8 text (byte {error.start + 1}): save the file as UTF-8"
    # json says "Invalid control character at" and then the position, which follows here
    detail = (
        error.msg.removesuffix(" at") if isinstance(error, json.JSONDecodeError) else str(error)
    )
    where = f" at column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
    return "invalid_json", f"not valid JSON ({detail}{where}): each line holds one JSON object"


def _scan(
    source: LineSource,
    line_check: LineCheck,
    fields: Sequence[tuple[str, ...]],
    counter: TokenCounter,
    context: int,
    problems: _Problems,
    index: Repeats,
    other: Repeats | None = None,
) -> _Scan:
    """Check every line; remember valid examples in ``index`` (and ask ``other`` about them)."""
    # The loop is the hot path (benchmarks/README.md, "data check"): counters are locals and
    # methods are looked up once.
    loads, raw_decode = json.loads, _DECODER.raw_decode
    count, add = counter.count, index.add
    ask = other.ask if other is not None else None
    examples = tokens = longest = number = 0
    found: Found = []
    line: Any
    for number, raw in enumerate(source.reader(), 1):
        try:
            # json.loads(raw) spends half its time around the parse (detecting the encoding,
            # two regular expressions); a UTF-8 line holding one value and its line ending is
            # parsed directly, and anything else is left to json.loads for its verdict.
            text = raw.decode()
            line, end = raw_decode(text)
            if end != len(text) and text[end:] not in _LINE_ENDS:
                raise ValueError("more after the value")
        except ValueError:
            try:
                line = loads(raw)
            except ValueError as error:
                code, message = _not_json(raw, error)
                problems.add(number, "$", code, message)
                continue
        if type(line) is not dict:
            problems.add(
                number, "$", "not_object", f"a line holds one JSON object, not {kind(line)}"
            )
            continue
        tally = Tally()
        line_check(line, found, tally, fields)
        if found:
            for path, code, message in found:
                problems.add(number, path, code, message)
            found.clear()
            continue
        size = count(tally.texts, tally.messages, tally.names)
        if size > context:
            problems.add(
                number,
                "$",
                "too_long",
                f"{size:,} tokens{'' if counter.exact else ' (estimated)'}, over the "
                f"{context:,} allowed per example: shorten it or split it",
            )
            continue
        examples += 1
        tokens += size
        if size > longest:
            longest = size
        key = digest(raw)
        add(key, number)
        if ask is not None:
            ask(key, number)
    return _Scan(lines=number, examples=examples, tokens=tokens, longest=longest)


def _check_arguments(
    method: object, model: object, n_epochs: object, rules: object, prices: object, limit: object
) -> None:
    if method not in METHODS:
        raise InvalidParameterError(
            "method", f"must be one of {', '.join(METHODS)}, got {method!r}"
        )
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise InvalidParameterError("model", f"must be a model name or None, got {model!r}")
    if n_epochs != "auto" and (
        isinstance(n_epochs, bool)
        or not isinstance(n_epochs, int)
        or not 1 <= n_epochs <= MAX_EPOCHS
    ):
        raise InvalidParameterError(
            "n_epochs", f"must be 'auto' or an integer from 1 to {MAX_EPOCHS}, got {n_epochs!r}"
        )
    if rules is not None and not isinstance(rules, DataRules):
        raise InvalidParameterError("rules", f"must be a DataRules, got {type(rules).__name__}")
    if not isinstance(prices, PriceTable):
        raise InvalidParameterError("prices", f"must be a PriceTable, got {type(prices).__name__}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidParameterError("max_problems", f"must be an integer >= 0, got {limit!r}")


def check(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    method: str = "supervised",
    validation: str | os.PathLike[str] | bytes | BinaryIO | None = None,
    model: str | None = None,
    grader: object = None,
    rules: DataRules | None = None,
    n_epochs: int | Literal["auto"] = "auto",
    prices: PriceTable = DEFAULT_PRICES,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
) -> DataReport:
    """Check a training file (JSONL, one example a line) before a job is created from it.

    The file is read line by line, never whole; a path is read twice when a line may repeat
    another. See docs/data.md for every problem code.

    Args:
        source: the training file: a path, its bytes, or a file object opened in binary mode.
        method: ``"supervised"``, ``"dpo"`` or ``"reinforcement"``: the line format expected.
        validation: a validation file, checked the same way and for examples that are also in
            the training file; its report is ``report.validation``.
        model: the base model (``gpt-4o-mini-2024-07-18``): its tokenizer, limit per example and
            price. Without it, tokens are estimated and no cost is given.
        grader: a reinforcement job's grader (a dict or a ftclient.models grader): every line must
            hold each ``{{item.<field>}}`` it reads.
        rules: whole-file rules (minimum and maximum examples, tokens per example); default
            ``DEFAULT_RULES[method]``, OpenAI's. A provider passes its own.
        n_epochs: the job's ``n_epochs``; ``"auto"`` applies the service's rule.
        prices: the training price table (default :data:`DEFAULT_PRICES`, dated).
        max_problems: problems listed per file; more are only counted.

    Returns:
        The :class:`DataReport`; ``report.ok`` is True when nothing needs changing.

    Raises:
        InvalidParameterError: a missing file, a directory, an unknown method, a grader without
            the reinforcement method, or another bad argument, before anything is read.
    """
    _check_arguments(method, model, n_epochs, rules, prices, max_problems)
    if grader is not None and method != "reinforcement":
        raise InvalidParameterError("grader", f"is for method='reinforcement', not {method!r}")
    fields = item_fields(grader) if grader is not None else ()
    training = open_source(source, "source")
    checked = open_source(validation, "validation") if validation is not None else None
    rules = rules or DEFAULT_RULES[method]
    info = model_info(model)
    context = rules.context_tokens or (info.context_tokens if info else DEFAULT_CONTEXT_TOKENS)
    counter = counter_for(info.encoding if info else None)
    line_check = FORMATS[method]

    train = _File(training, max_problems)
    train.scan = _scan(training, line_check, fields, counter, context, train.problems, train.index)
    valid = _File(checked, max_problems) if checked is not None else None
    if valid is not None:
        valid.scan = _scan(
            valid.source,
            line_check,
            fields,
            counter,
            context,
            valid.problems,
            valid.index,
            train.index,
        )
    repeats, overlaps = train.index.resolve(training.reader)
    train.add_repeats(repeats)
    _count_rules(train.scan, rules, method, train.problems)
    epochs = auto_epochs(train.scan.examples) if n_epochs == "auto" else int(n_epochs)
    billed = train.scan.tokens * epochs
    cost = prices.estimate(model, billed) if method != "reinforcement" else None
    report = None
    if valid is not None:
        valid.add_repeats(valid.index.resolve(valid.source.reader)[0])
        for line, first in overlaps:
            valid.problems.add(
                line,
                "$",
                "validation_overlap",
                f"the same example as line {first} of the training file: validate on examples "
                "the model is not trained on",
            )
        report = valid.report(method, model, counter, context, None, None, None)
    return train.report(method, model, counter, context, epochs, billed, cost, report)


class _File:
    """One file being checked: its source, problems, repeat index and scan."""

    def __init__(self, source: LineSource, limit: int) -> None:
        self.source = source
        self.problems = _Problems(limit)
        self.index = Repeats(source.size, source.rereadable)
        self.scan = _Scan()

    def add_repeats(self, repeats: list[tuple[int, int]]) -> None:
        for line, first in repeats:
            self.problems.add(
                line, "$", "duplicate_example", f"the same example as line {first}: remove one"
            )

    def report(
        self,
        method: str,
        model: str | None,
        counter: TokenCounter,
        context: int,
        epochs: int | None,
        billed: int | None,
        cost: CostEstimate | None,
        validation: DataReport | None = None,
    ) -> DataReport:
        scan = self.scan
        return DataReport(
            name=self.source.name,
            method=method,
            model=model,
            lines=scan.lines,
            examples=scan.examples,
            tokens=scan.tokens,
            tokens_exact=counter.exact,
            encoding=counter.encoding,
            max_example_tokens=scan.longest,
            context_tokens=context,
            epochs=epochs,
            billed_tokens=billed,
            cost=cost,
            problems=tuple(sorted(self.problems.kept, key=_order)),
            omitted_problems=self.problems.omitted,
            validation=validation,
        )


def _order(problem: Problem) -> tuple[int, int]:
    return (1, 0) if problem.line is None else (0, problem.line)


def _count_rules(scan: _Scan, rules: DataRules, method: str, problems: _Problems) -> None:
    if scan.examples < rules.min_examples:
        problems.add(
            None,
            "$",
            "too_few_examples",
            f"{scan.examples} valid examples; {method} fine-tuning needs at least "
            f"{rules.min_examples}: add {rules.min_examples - scan.examples} more",
        )
    if rules.max_examples is not None and scan.examples > rules.max_examples:
        problems.add(
            None,
            "$",
            "too_many_examples",
            f"{scan.examples:,} valid examples; at most {rules.max_examples:,} are allowed: "
            f"remove {scan.examples - rules.max_examples:,}",
        )
