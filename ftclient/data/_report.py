"""What a check found: :class:`Problem` and :class:`DataReport`, frozen values with a readable
``str``."""

from __future__ import annotations

import attrs

from ._catalog import CostEstimate

__all__ = ["DataReport", "Problem"]


@attrs.frozen(kw_only=True)
class Problem:
    """One thing to change in a training file.

    Attributes:
        line: the 1-based line number, or None for a problem of the whole file.
        path: where in the line, as a JSON path (``$.messages[2].content``); ``$`` for the line.
        message: what is wrong and what to change.
        code: a stable machine code (``invalid_json``, ``empty_content``, ``too_few_examples``...).
    """

    line: int | None
    path: str
    message: str
    code: str

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        return f"{where}: {self.path}: {self.message} [{self.code}]"


def _n(value: int) -> str:
    return f"{value:,}"


def _of(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


@attrs.frozen(kw_only=True)
class DataReport:
    """The result of :func:`ftclient.data.check` for one file.

    Attributes:
        name: the file's path (``<bytes>`` or the stream's name otherwise).
        method: the fine-tuning method the lines were checked for.
        model: the base model given, or None.
        lines: lines read (blank ones included).
        examples: lines that are valid examples of the method.
        tokens: tokens of the valid examples (see ``tokens_exact``).
        tokens_exact: True when counted with the model's tokenizer, False for an estimate.
        encoding: the tokenizer's encoding when exact, else None.
        max_example_tokens: tokens of the longest valid example.
        context_tokens: the most tokens one example may hold (longer ones are problems).
        epochs: epochs the job will train for (``n_epochs``, or what ``"auto"`` picks); None for
            a validation file.
        billed_tokens: tokens billed: each example's tokens, capped at ``context_tokens``,
            times ``epochs``; None for a validation file.
        cost: the cost estimate, or None when no price is known (a model not in the price table,
            no model given, reinforcement, which is billed by the hour, or a validation file).
        problems: what to change, in line order, whole-file problems last.
        omitted_problems: problems found beyond ``max_problems`` and not listed.
        validation: the report of the validation file, if one was given.
    """

    name: str
    method: str
    model: str | None
    lines: int
    examples: int
    tokens: int
    tokens_exact: bool
    encoding: str | None
    max_example_tokens: int
    context_tokens: int
    epochs: int | None
    billed_tokens: int | None
    cost: CostEstimate | None
    problems: tuple[Problem, ...]
    omitted_problems: int = 0
    validation: DataReport | None = None

    @property
    def ok(self) -> bool:
        """True when neither this file nor the validation file has any problem."""
        clean = not self.problems and not self.omitted_problems
        return clean and (self.validation is None or self.validation.ok)

    def headline(self) -> str:
        """One line: the file, its method, lines, valid examples and how many problems."""
        count = len(self.problems) + self.omitted_problems
        verdict = "no problems" if count == 0 else _of(count, "problem")
        return (
            f"{self.name} ({self.method}): {_of(self.lines, 'line')}, "
            f"{_of(self.examples, 'valid example')}, {verdict}"
        )

    def estimates(self) -> list[str]:
        """Lines on tokens and, for a training file, epochs, billed tokens and cost."""
        how = (
            f"exact, {self.encoding}"
            if self.tokens_exact
            else "estimated at 4 characters a token; give the model, with ftclient[tokens] "
            "installed, for an exact count"
        )
        out = [
            f"tokens: {_n(self.tokens)} ({how}); longest example {_n(self.max_example_tokens)} "
            f"of {_n(self.context_tokens)} allowed"
        ]
        if self.epochs is not None and self.billed_tokens is not None:
            out.append(f"epochs: {self.epochs}; billed tokens: {_n(self.billed_tokens)}")
            out.append(f"cost: {self._cost()}")
        return out

    def _lines(self, title: str) -> list[str]:
        out = [f"{title} {self.headline()}"]
        out += [f"  {problem}" for problem in self.problems]
        if self.omitted_problems:
            out.append(f"  ... and {_n(self.omitted_problems)} more problems not listed")
        return out + [f"  {line}" for line in self.estimates()]

    def _cost(self) -> str:
        if self.cost is None:
            if self.method == "reinforcement":
                return "not estimated: reinforcement fine-tuning is billed by training time"
            if self.model is None:
                return "not estimated: no model given"
            return f"not estimated: no training price known for {self.model}"
        c = self.cost
        amount = f"about ${c.usd:,.2f}" if c.usd >= 0.01 else "less than $0.01"
        return (
            f"{amount} at ${c.usd_per_million:,.2f} per 1M training tokens (prices as of {c.as_of})"
        )

    def __str__(self) -> str:
        out = self._lines("training file")
        if self.validation is not None:
            out += self.validation._lines("validation file")
        return "\n".join(out)
