"""What the apps above matching add to its rules (registered in their ``AppConfig.ready()``).

- ``earlier_pairs``: more pairs of people who were paired before, for rotation. Called with the
  program and the person ids of a cohort; each function returns ``(person id, person id)`` pairs
  among them (privacy: pairs of which one person was erased and came back, kept as keyed hashes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core.hooks import Hook
from programs.models import Program

earlier_pairs: Hook[Callable[[Program, frozenset[int]], Iterable[tuple[int, int]]]] = Hook(
    "matching.earlier_pairs"
)
