"""``ftclient jobs metrics``: the table, the terminal chart, --csv, --json and --plot."""

from __future__ import annotations

import csv
import io
import json
import struct
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import pytest

from ftclient.cli._chart import loss_chart
from ftclient.models import (
    MetricPoint,
    MetricSeries,
)
from tests import built
from tests.cli.conftest import Runner, ThreadedEmulator
from tests.cli.test_jobs import create

FINISH = 400.0  # simulated seconds after which a two-epoch job has finished


def trained_job(cli: Runner, emu: ThreadedEmulator) -> str:
    job_id = create(cli, "--validation-file", "file-valid", "--n-epochs", "2")
    emu.advance(FINISH)
    return job_id


def emulated(emu: ThreadedEmulator, job_id: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """The emulator's own metrics events (oldest first) and checkpoints of the job."""

    async def read() -> tuple[list[dict[str, Any]], list[Any]]:
        emu.emu.job_json(job_id)  # brings the job up to the clock
        job = emu.emu.jobs[job_id]
        metrics = [e["data"] for e in job.events if e["type"] == "metrics"]
        return metrics, list(job.checkpoints)

    return emu.call(read())


def test_the_table_samples_the_steps_and_marks_the_checkpoints(
    cli: Runner, emu: ThreadedEmulator
) -> None:
    job_id = trained_job(cli, emu)
    metrics, checkpoints = emulated(emu, job_id)
    result = cli("jobs", "metrics", job_id)
    assert result.code == 0, result.err
    table, chart = result.out.split("\n\n")
    lines = table.splitlines()
    assert lines[0].split() == [
        "STEP", "TRAIN_LOSS", "TRAIN_ACC", "VALID_LOSS", "VALID_ACC", "FULL_VALID_LOSS",
        "FULL_VALID_ACC", "CKPT",
    ]  # fmt: skip
    shown = [line.split() for line in lines[1:-1]]
    steps = [int(row[0]) for row in shown]
    assert steps[0] == 1
    assert steps[-1] == len(metrics)
    assert {c["step_number"] for c in checkpoints} <= set(steps)
    marked = {int(row[0]) for row in shown if row[-1] == "✓"}
    assert marked == {c["step_number"] for c in checkpoints}
    for row in shown:
        sent = metrics[int(row[0]) - 1]
        assert float(row[1]) == pytest.approx(sent["train_loss"], rel=1e-3)
        assert float(row[3]) == pytest.approx(sent["valid_loss"], rel=1e-3)
    assert lines[-1] == f"({len(shown)} of {len(metrics)} steps shown; --all shows every one)"
    chart_lines = chart.splitlines()
    assert chart_lines[-1].split() == [
        "o", "valid_loss", "•", "train_loss", "◆", "full_valid_loss", "┴", "checkpoint"
    ]  # fmt: skip
    assert chart_lines[-2].split() == ["1", str(len(metrics)), "step"]
    assert chart_lines[-3].count("┴") == len(checkpoints)
    every = cli("jobs", "metrics", job_id, "--all").out.split("\n\n")[0].splitlines()
    assert len(every) == 1 + len(metrics)


def test_csv_has_every_step_and_the_checkpoint_metrics(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = trained_job(cli, emu)
    metrics, checkpoints = emulated(emu, job_id)
    result = cli("jobs", "metrics", job_id, "--csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [int(r["step"]) for r in rows] == [m["step"] for m in metrics]
    assert [float(r["train_loss"]) for r in rows] == [m["train_loss"] for m in metrics]
    for checkpoint in checkpoints:
        row = rows[checkpoint["step_number"] - 1]
        assert float(row["full_valid_loss"]) == checkpoint["metrics"]["full_valid_loss"]
    assert rows[0]["full_valid_loss"] == ""  # measured at checkpoints only


def test_json_has_the_points_and_the_checkpoints(cli: Runner, emu: ThreadedEmulator) -> None:
    job_id = trained_job(cli, emu)
    metrics, checkpoints = emulated(emu, job_id)
    data = json.loads(cli("--json", "jobs", "metrics", job_id).out)
    assert data["job_id"] == job_id
    assert [p["valid_loss"] for p in data["points"]] == [m["valid_loss"] for m in metrics]
    assert [c["id"] for c in data["checkpoints"]] == [c["id"] for c in checkpoints]


def test_a_job_without_metrics(cli: Runner) -> None:
    job_id = create(cli)
    assert cli("jobs", "metrics", job_id).out == f"No training metrics for {job_id} yet.\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks = 8, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append(kind)
        at += 12 + length
    assert chunks[0] == b"IHDR"
    assert chunks[-1] == b"IEND"
    assert b"IDAT" in chunks
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_plot_draws_a_valid_png_and_svg(cli: Runner, emu: ThreadedEmulator, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    job_id = trained_job(cli, emu)
    png = tmp_path / "curve.png"
    result = cli("jobs", "metrics", job_id, "--plot", str(png))
    assert result.code == 0, result.err
    assert result.out.endswith(f"Wrote {png}\n")
    width, height = png_size(png.read_bytes())
    assert (width, height) == (1144, 396)  # two panels: loss and accuracy
    from matplotlib.image import imread

    pixels = imread(png)
    assert pixels.shape[:2] == (height, width)
    assert pixels.std() > 0.05  # curves were drawn, not a blank canvas

    svg = tmp_path / "curve.svg"
    assert cli("jobs", "metrics", job_id, "--csv", "--plot", str(svg)).code == 0
    root = ET.fromstring(svg.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "train_loss" in svg.read_text()
    assert "checkpoint" in svg.read_text()


def test_plot_refuses_another_format_before_sending(
    cli: Runner, emu: ThreadedEmulator, tmp_path: Path
) -> None:
    before = len(emu.emu.requests)
    result = cli("jobs", "metrics", "ftjob-x", "--plot", str(tmp_path / "curve.jpg"))
    assert (result.code, result.err) == (
        2,
        "error: --plot writes a .png or .svg file, not 'curve.jpg'\n",
    )
    assert len(emu.emu.requests) == before


def test_plot_without_matplotlib_says_what_to_install(
    cli: Runner, emu: ThreadedEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails as if absent
    job_id = trained_job(cli, emu)
    result = cli("jobs", "metrics", job_id, "--plot", str(tmp_path / "c.png"))
    assert result.code == 1
    assert result.err == "error: --plot needs matplotlib: pip install 'ftclient[plot]'\n"
    assert result.out.startswith("STEP")  # the table was printed first
    assert not (tmp_path / "c.png").exists()


def test_the_chart_of_a_series_built_here() -> None:
    points = [MetricPoint(step=s, train_loss=float(10 - s)) for s in range(1, 10)]
    series = MetricSeries.build("j", points, [built.checkpoint(5)])
    lines = loss_chart(series, width=9, height=9)
    assert lines == [
        "9.0 ┤•",
        "    │ •",
        "    │  •",
        "    │   •",
        "    │    •",
        "    │     •",
        "    │      •",
        "    │       •",
        "1.0 ┤        •",
        "    └────┴────",
        "     1       9  step",
        "     • train_loss  ┴ checkpoint",
    ]
    assert loss_chart(MetricSeries(job_id="j")) == []


def test_the_readme_shows_a_picture_the_command_drew() -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "(docs/images/metrics.png)" in readme
    assert "--plot docs/images/metrics.png" in readme  # the command that drew it
    data = (root / "docs" / "images" / "metrics.png").read_bytes()
    assert png_size(data) == (1144, 396)  # what --plot draws for a job with validation metrics
    assert b"Matplotlib version" in data  # matplotlib signs the PNGs it writes
