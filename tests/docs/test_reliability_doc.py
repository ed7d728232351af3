"""docs/reliability.md states what the tests check: its table and counts come from them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.faults.matrix import cells, markdown_table
from tests.hostile.test_path_encoding import HOSTILE, QUERY_HOSTILE, TARGETS
from tests.inputs.bad_inputs import CASES, CATEGORIES

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
README = Path(__file__).resolve().parents[2] / "README.md"


def test_fault_table_matches_the_expected_outcomes() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert markdown_table() in text, (
        "docs/reliability.md's fault table is stale: regenerate it with "
        "`.venv/bin/python -m tests.faults.matrix`"
    )
    assert f"**{len(cells())} cells**" in text


def test_bad_input_counts_match_the_cases() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"**{len(CASES)} cases**" in text
    rows = re.findall(r"^\| (.+) \| (\d+) \|$", text, flags=re.MULTILINE)
    assert [int(count) for _, count in rows] == list(CATEGORIES.values())
    assert f"({len(HOSTILE) * len(TARGETS)} cases)" in text
    assert f"{len(HOSTILE)} hostile ids" in text
    assert f"{len(QUERY_HOSTILE)} hostile cursor" in text


def test_readme_states_the_same_table_and_counts() -> None:
    text = README.read_text(encoding="utf-8")
    assert markdown_table() in text, "README.md's fault table is stale"
    assert f"**{len(cells())} cells**" in text
    assert f"**{len(CASES)} cases**" in text
    assert f"{len(HOSTILE)} hostile ids" in text
    assert f"each of the {len(TARGETS)} path parameters" in text
