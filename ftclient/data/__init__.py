"""``ftclient.data``: check a training file before anyone pays for a job made from it.

::

    from ftclient import data

    report = data.check("train.jsonl", method="supervised", model="gpt-4o-mini-2024-07-18")
    print(report)            # problems with line numbers, tokens, epochs, cost
    if not report.ok:
        for problem in report.problems:
            print(problem.line, problem.path, problem.code, problem.message)

Pure: no network and no I/O beyond reading the files. Not imported by ``import ftclient``; the
first ``ftclient.data`` imports it.
"""

from ._catalog import (
    DEFAULT_CONTEXT_TOKENS,
    DEFAULT_PRICES,
    CostEstimate,
    PriceTable,
    auto_epochs,
)
from ._check import check
from ._report import DataReport, Problem
from ._rules import BEDROCK_REINFORCEMENT_RULES, DEFAULT_RULES, METHODS, DataRules

__all__ = [
    "BEDROCK_REINFORCEMENT_RULES",
    "DEFAULT_CONTEXT_TOKENS",
    "DEFAULT_PRICES",
    "DEFAULT_RULES",
    "METHODS",
    "CostEstimate",
    "DataReport",
    "DataRules",
    "PriceTable",
    "Problem",
    "auto_epochs",
    "check",
]
