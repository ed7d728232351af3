"""parse_results: a job's result file, base64-encoded or plain CSV, as typed rows."""

from __future__ import annotations

import base64

import pytest

import ftclient
from ftclient._wire.results import ResultsFormatError, parse_results

PLAIN = (
    "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy,learning_rate\n"
    "1,2.5,0.5,2.75,0.45,1e-05\n"
    "2,2.0,0.625,,,1e-05\n"
    "3.0,1.5,0.75,1.625,0.7,warmup\n"
)


def test_plain_csv_becomes_typed_rows_keeping_unknown_columns() -> None:
    rows = parse_results(PLAIN.encode())
    assert [r.step for r in rows] == [1, 2, 3]
    first = rows[0]
    # train_accuracy is the old name of train_mean_token_accuracy
    assert (first.train_loss, first.train_mean_token_accuracy) == (2.5, 0.5)
    assert (first.valid_loss, first.valid_mean_token_accuracy) == (2.75, 0.45)
    assert first.extra == {"learning_rate": 1e-05}
    assert (rows[1].valid_loss, rows[1].valid_mean_token_accuracy) == (None, None)  # empty cells
    assert rows[2].extra == {"learning_rate": "warmup"}  # not a number: kept as text
    assert ftclient.to_dict(rows[1]) == {
        "step": 2,
        "train_loss": 2.0,
        "train_mean_token_accuracy": 0.625,
        "learning_rate": 1e-05,
    }


@pytest.mark.parametrize(
    "encoded",
    [
        base64.b64encode(PLAIN.encode()),
        base64.b64encode(PLAIN.encode()) + b"\n",
        base64.encodebytes(PLAIN.encode()),  # wrapped at 76 columns
        base64.b64encode(b"\xef\xbb\xbf" + PLAIN.replace("\n", "\r\n").encode()),
    ],
)
def test_base64_is_decoded_first(encoded: bytes) -> None:
    assert parse_results(encoded) == parse_results(PLAIN.encode())
    assert parse_results(encoded.decode()) == parse_results(PLAIN)


def test_rows_without_an_integer_step_and_bad_metrics_are_left_out() -> None:
    text = "step,train_loss,total_steps\nx,1.0,9\n,2.0,9\n2.5,3.0,9\n4,nan,9.0\n5,low,ten\n"
    rows = parse_results(text)
    assert [(r.step, r.train_loss, r.total_steps) for r in rows] == [(4, None, 9), (5, None, None)]


def test_aliases_of_the_validation_columns() -> None:
    text = "step,validation_loss,validation_mean_token_accuracy,full_valid_loss\n7,0.5,0.9,0.4\n"
    (row,) = parse_results(text)
    assert (row.valid_loss, row.valid_mean_token_accuracy, row.full_valid_loss) == (0.5, 0.9, 0.4)


@pytest.mark.parametrize("content", [b"", b"not csv at all!", b"a,b\n1,2\n", b"\x00\xff"])
def test_content_that_is_no_result_file(content: bytes) -> None:
    with pytest.raises(ResultsFormatError):
        parse_results(content)
