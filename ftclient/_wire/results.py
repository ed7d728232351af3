"""A job's result file (``fine-tune-results``) parsed into typed rows, one per training step.

The service serves the file base64-encoded (newer jobs; the OpenAI cookbook decodes it with
``base64.b64decode``) or as plain CSV (older jobs, other providers): both are read. Its columns
have had more than one name (``train_accuracy`` where the events say
``train_mean_token_accuracy``); each known alias fills its metric, and any other column is kept
as it came, a number where the cell is one. A row is a :class:`~ftclient.models.MetricPoint`:
``ftclient.to_dict(row)`` gives the row's cells, parsed.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import math
from typing import Any

from ..models import MetricPoint
from ..models.metrics import COLUMNS
from . import convert

__all__ = ["ResultsFormatError", "parse_results"]

# Other names the service has given a column, each mapped to the metric it holds.
ALIASES = {
    "train_accuracy": "train_mean_token_accuracy",
    "valid_accuracy": "valid_mean_token_accuracy",
    "validation_loss": "valid_loss",
    "validation_mean_token_accuracy": "valid_mean_token_accuracy",
    "full_valid_accuracy": "full_valid_mean_token_accuracy",
}


class ResultsFormatError(ValueError):
    """The content is neither CSV with a ``step`` column nor base64 of such CSV."""


def parse_results(content: bytes | str) -> list[MetricPoint]:
    """The rows of a result file, in file order (a row without an integer step is skipped).

    Args:
        content: the file as downloaded, base64-encoded or not.

    Returns:
        One :class:`~ftclient.models.MetricPoint` per row.

    Raises:
        ResultsFormatError: no CSV with a ``step`` column in it.
    """
    text = _csv_text(content.encode() if isinstance(content, str) else content)
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader, [])]
    names = [ALIASES.get(name, name) for name in header]
    if "step" not in names:
        raise ResultsFormatError(f"no 'step' column in the result file (columns: {header})")
    rows = []
    for cells in reader:
        row = {
            name: _number(cell)
            for name, cell in zip(names, cells, strict=False)
            if cell.strip() and name
        }
        for name in ("step", "total_steps"):  # counts written as 12.0 are still counts
            value = row.get(name)
            if isinstance(value, float) and value.is_integer():
                row[name] = int(value)
        if not isinstance(row.get("step"), int):
            continue
        for name in COLUMNS:  # a known metric of the wrong kind reads as absent
            kind = int if name in ("step", "total_steps") else int | float
            if name in row and not isinstance(row[name], kind):
                del row[name]
        rows.append(convert.structure(row, MetricPoint))
    return rows


def _csv_text(content: bytes) -> str:
    """The CSV text of ``content``: itself when it reads as CSV, else its base64 decoding."""
    stripped = content.lstrip(b"\xef\xbb\xbf").strip()
    first = stripped.split(b"\n", 1)[0]
    if b"," in first or first.strip().lower() == b"step":
        return stripped.decode("utf-8", errors="replace")
    try:
        decoded = base64.b64decode(b"".join(stripped.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ResultsFormatError("the result file is neither CSV nor base64 of CSV") from None
    return decoded.lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


def _number(cell: str) -> Any:
    """An int or finite float where the cell is one, else the text as it came."""
    text = cell.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text
