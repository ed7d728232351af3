"""Identifiers in the service's formats (``ftjob-…``, ``ftevent-…``, ``cp_…``): unique to each
emulator, or reproducible from a seed."""

from __future__ import annotations

import random
import secrets
import string

__all__ = ["IdFactory"]

_ALPHABET = string.ascii_letters + string.digits
_SEED_BITS = 63


class IdFactory:
    """Make ids from a seeded generator: two factories with the same seed agree.

    Args:
        seed: the seed; None draws one of its own (kept in :attr:`seed`), so that two
            emulators started without a seed never mint the same ids.
    """

    def __init__(self, seed: int | None) -> None:
        self.seed = seed if seed is not None else secrets.randbits(_SEED_BITS)
        self._rng = random.Random(f"ftclient-emulator-ids:{self.seed}")

    def token(self, length: int = 24) -> str:
        """Return ``length`` random letters and digits."""
        return "".join(self._rng.choices(_ALPHABET, k=length))

    def make(self, prefix: str, length: int = 24) -> str:
        """Return ``prefix`` followed by a random token, e.g. ``make("ftjob-")``."""
        return prefix + self.token(length)

    def integer(self, high: int) -> int:
        """Return a random integer in ``[0, high]`` (for generated job seeds)."""
        return self._rng.randint(0, high)
