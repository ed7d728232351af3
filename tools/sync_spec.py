"""Regenerate ftclient/_spec/fine_tuning.openapi.json from ../shared/spec (needs PyYAML).

The package ships the contract as JSON so that nothing at run time needs a YAML parser.
Usage: python tools/sync_spec.py [path/to/fine_tuning.openapi.yaml]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "spec" / "fine_tuning.openapi.yaml"
TARGET = ROOT / "ftclient" / "_spec" / "fine_tuning.openapi.json"


def render(source: Path) -> str:
    """Return the JSON text the package ships for the YAML document at ``source``."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    return json.dumps(document, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    TARGET.write_text(render(src), encoding="utf-8")
    print(f"wrote {TARGET}")
