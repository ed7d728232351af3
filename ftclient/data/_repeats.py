"""Repeated examples, in memory that does not grow with the file: the lines of a file that repeat
an earlier line of it, and the lines of another file (validation) that repeat one of it.

Two lines are the same example when their bytes are, leading and trailing white space aside.
A line is remembered by a 64-bit digest. When the file can be read twice, the first pass sets two
bits per digest in a fixed bit table (a Bloom filter: at most 8 MiB) and notes only the lines
whose bits were all set already, which are repeats or, rarely, false alarms; a second pass over
the raw bytes (no JSON) finds where each noted digest first occurs, which confirms the repeats and
clears the false alarms. A stream that cannot be read twice keeps a dict of every digest and its
first line instead (about 100 bytes a line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["Repeats", "digest"]

MIN_BITS_LOG2 = 16
MAX_BITS_LOG2 = 26  # 2**26 bits = 8 MiB
BYTES_PER_LINE_GUESS = 4  # bits per byte of file: 16 bits per line of 64 bytes or more

Pairs = list[tuple[int, int]]


def digest(raw: bytes) -> int:
    """The digest of a line (its bytes without surrounding white space)."""
    return hash(raw.strip())


def _bits_log2(size: int | None) -> int:
    if size is None:
        return MAX_BITS_LOG2
    wanted = max(size // BYTES_PER_LINE_GUESS, 1)
    return min(MAX_BITS_LOG2, max(MIN_BITS_LOG2, wanted.bit_length()))


class Repeats:
    """The digests of one file's valid examples, and the questions of another file about them."""

    def __init__(self, size: int | None, rereadable: bool) -> None:
        self._first: dict[int, int] | None = None if rereadable else {}
        bits = _bits_log2(size) if rereadable else 0
        self._table = bytearray((1 << bits) >> 3) if rereadable else bytearray()
        self._mask = (1 << bits) - 1
        self._noted: dict[int, list[int]] = {}  # digest -> lines that may repeat it
        self._asked: dict[int, list[int]] = {}  # digest -> lines of the other file
        self._repeats: Pairs = []
        self._overlaps: Pairs = []

    def add(self, key: int, line: int) -> None:
        """Remember the example of ``line`` (1-based) with digest ``key``."""
        first = self._first
        if first is not None:
            earlier = first.setdefault(key, line)
            if earlier != line:
                self._repeats.append((line, earlier))
            return
        table, mask = self._table, self._mask
        a, b = key & mask, (key >> 32) & mask
        bit_a, bit_b = 1 << (a & 7), 1 << (b & 7)
        if table[a >> 3] & bit_a and table[b >> 3] & bit_b:
            self._noted.setdefault(key, []).append(line)
            return
        table[a >> 3] |= bit_a
        table[b >> 3] |= bit_b

    def ask(self, key: int, line: int) -> None:
        """Note that ``line`` of another file holds the example with digest ``key``."""
        first = self._first
        if first is not None:
            earlier = first.get(key)
            if earlier is not None:
                self._overlaps.append((line, earlier))
            return
        table, mask = self._table, self._mask
        a, b = key & mask, (key >> 32) & mask
        if table[a >> 3] & (1 << (a & 7)) and table[b >> 3] & (1 << (b & 7)):
            self._asked.setdefault(key, []).append(line)

    def resolve(self, reread: Callable[[], Iterable[bytes]]) -> tuple[Pairs, Pairs]:
        """``(repeats, overlaps)``: pairs of (line, earlier line of this file), in line order.

        ``reread`` gives the file's lines again; it is called only when the first pass noted a
        possible repeat.
        """
        wanted = self._noted.keys() | self._asked.keys()
        if wanted:
            first: dict[int, int] = {}
            for number, raw in enumerate(reread(), 1):
                key = hash(raw.strip())  # digest(raw), inlined: this loop reads the whole file
                if key in wanted and key not in first:
                    first[key] = number
            for key, lines in self._noted.items():
                earliest = first.get(key, 0)  # 0: the file changed since the first pass
                self._repeats += [(line, earliest) for line in lines if 0 < earliest < line]
            for key, lines in self._asked.items():
                if key in first:
                    self._overlaps += [(line, first[key]) for line in lines]
            self._noted.clear()
            self._asked.clear()
        return sorted(self._repeats), sorted(self._overlaps)
