"""Regenerate the JSON documents in ftclient/_spec/ from ../shared/spec (needs PyYAML).

The package ships the contract as JSON so that nothing at run time needs a YAML parser: the
Fine-Tuning document (the client's 13 operations) and the Files and Uploads document (the 9
operations the emulator serves besides them).
Usage: python tools/sync_spec.py [path/to/shared/spec]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE_DIR = ROOT.parent / "shared" / "spec"
TARGET_DIR = ROOT / "ftclient" / "_spec"
DOCUMENTS = ("fine_tuning", "files")
"""Each ``<name>.openapi.yaml`` of the shared directory becomes ``<name>.openapi.json``."""


def render(source: Path) -> str:
    """Return the JSON text the package ships for the YAML document at ``source``."""
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    return json.dumps(document, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    source_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE_DIR
    for name in DOCUMENTS:
        target = TARGET_DIR / f"{name}.openapi.json"
        target.write_text(render(source_dir / f"{name}.openapi.yaml"), encoding="utf-8")
        print(f"wrote {target}")
