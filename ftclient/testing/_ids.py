"""Deterministic identifiers in the service's formats (``ftjob-…``, ``ftevent-…``, ``cp_…``)."""

from __future__ import annotations

import random
import string

__all__ = ["IdFactory"]

_ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Make ids from a seeded generator, so two emulators with the same seed agree."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"ftclient-emulator-ids:{seed}")

    def token(self, length: int = 24) -> str:
        """Return ``length`` random letters and digits."""
        return "".join(self._rng.choices(_ALPHABET, k=length))

    def make(self, prefix: str, length: int = 24) -> str:
        """Return ``prefix`` followed by a random token, e.g. ``make("ftjob-")``."""
        return prefix + self.token(length)

    def integer(self, high: int) -> int:
        """Return a random integer in ``[0, high]`` (for generated job seeds)."""
        return self._rng.randint(0, high)
