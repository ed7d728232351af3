"""A tiny terminal: applies the escape sequences the CLI uses and returns the final screen."""

from __future__ import annotations

import io
import re

_ESCAPE = re.compile(r"\x1b\[(\d*)([A-Za-z])")


class TTYBuffer(io.StringIO):
    """A text buffer that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def screen(data: str) -> list[str]:
    """The lines left on screen after writing ``data`` (cursor-up ``F``, erase-line ``K``)."""
    lines = [""]
    row = col = 0
    i = 0
    while i < len(data):
        match = _ESCAPE.match(data, i)
        if match:
            count = int(match.group(1) or 1)
            command = match.group(2)
            if command == "F":
                row, col = max(0, row - count), 0
            elif command == "K":
                lines[row] = ""
            else:  # pragma: no cover - the CLI uses no other sequence
                raise AssertionError(f"unexpected escape sequence {match.group(0)!r}")
            i = match.end()
            continue
        char = data[i]
        if char == "\n":
            row, col = row + 1, 0
            if row == len(lines):
                lines.append("")
        elif char == "\r":
            col = 0
        else:
            line = lines[row].ljust(col)
            lines[row] = line[:col] + char + line[col + 1 :]
            col += 1
        i += 1
    if lines and lines[-1] == "":
        lines.pop()
    return lines
