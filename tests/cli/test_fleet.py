"""``ftclient jobs submit`` and ``ftclient jobs report`` against the emulator, in-process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.cli.conftest import Runner, ThreadedEmulator

FINISH = 200.0  # simulated seconds after which a one-epoch job has finished
ONE_EPOCH = {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 1}}}


def write_specs(path: Path, count: int, **extra: object) -> Path:
    lines = [
        json.dumps(
            {
                "model": "gpt-4o-mini",
                "training_file": f"file-{i}",
                "method": ONE_EPOCH,
                "metadata": {"fleet": "t"},
                **extra,
            }
        )
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    return path


def creates(emu: ThreadedEmulator) -> int:
    return sum(1 for r in emu.emu.requests if r.operation_id == "createFineTuningJob")


def test_submit_creates_each_spec_once_and_a_rerun_creates_none(
    cli: Runner, emu: ThreadedEmulator, tmp_path: Path
) -> None:
    specs = write_specs(tmp_path / "specs.jsonl", 3)
    first = cli("jobs", "submit", str(specs))
    assert first.code == 0, first.err
    assert first.out.splitlines()[-1] == "3 created, 0 already there, 0 failed, of 3"
    assert "3/3 created" in first.out
    assert creates(emu) == 3
    again = cli("--json", "jobs", "submit", str(specs))
    assert again.code == 0, again.err
    lines = [json.loads(line) for line in again.out.splitlines()]
    assert [line["result"] for line in lines] == ["existing"] * 3
    assert creates(emu) == 3  # nothing sent the second time
    assert len(emu.emu.jobs) == 3


def test_a_refused_spec_fails_the_command_but_not_the_others(
    cli: Runner, emu: ThreadedEmulator, tmp_path: Path
) -> None:
    specs = write_specs(tmp_path / "specs.jsonl", 2)
    with specs.open("a", encoding="utf-8") as file:
        file.write(json.dumps({"model": "gpt-4o-mini", "training_file": "f", "seed": -5}) + "\n")
    result = cli("jobs", "submit", str(specs))
    assert result.code == 1
    assert "2 created, 0 already there, 1 failed, of 3" in result.out
    assert "1 spec(s) have no job" in result.err
    assert len(emu.emu.jobs) == 2


def test_submit_refuses_a_file_that_is_not_json_lines(cli: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"model": "m", "training_file": "f"}\n[1, 2]\n', encoding="utf-8")
    result = cli("jobs", "submit", str(bad))
    assert result.code == 2
    assert f"{bad}:2: must be a JSON object" in result.err


def test_report_has_a_row_per_job_and_totals(
    cli: Runner, emu: ThreadedEmulator, tmp_path: Path
) -> None:
    assert cli("jobs", "submit", str(write_specs(tmp_path / "s.jsonl", 2))).code == 0
    other = write_specs(tmp_path / "o.jsonl", 1, suffix="other")
    other.write_text(other.read_text().replace('"t"', '"u"'), encoding="utf-8")
    assert cli("jobs", "submit", str(other)).code == 0
    emu.advance(FINISH)
    result = cli("--json", "jobs", "report", "--metadata", "fleet=t", "--price", "gpt-4o-mini=3")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    rows = report["jobs"]
    assert len(rows) == 2  # the filter
    for row in rows:
        job = emu.job(row["id"])
        assert row["status"] == "succeeded"
        assert row["trained tokens"] == job["trained_tokens"] > 0
        assert row["cost usd"] == round(job["trained_tokens"] * 3 / 1e6, 4)
        assert row["duration"] == job["finished_at"] - job["created_at"]
        assert row["best metric"].startswith(("full_valid_loss=", "valid_loss=", "train_loss="))
        assert row["failure"] is None
    assert report["totals"]["trained tokens"] == sum(r["trained tokens"] for r in rows)
    assert report["totals"]["by_status"] == {"succeeded": 2}
    text = cli("jobs", "report", "--csv", "--metadata", "fleet=t")
    parsed = list(csv.DictReader(io.StringIO(text.out)))
    assert [r["id"] for r in parsed] == [r["id"] for r in rows]
    assert parsed[0]["cost usd"] == ""  # no --price: no cost
    table = cli("jobs", "report", "--metadata", "fleet=t")
    assert "2 jobs (2 succeeded)" in table.out
    assert "cost unknown (give --price MODEL=USD)" in table.out


def test_report_refuses_a_bad_price(cli: Runner) -> None:
    result = cli("jobs", "report", "--price", "gpt-4o-mini")
    assert result.code == 2
    assert "expected MODEL=USD per 1M trained tokens" in result.err
