"""The round services under their former import path, for callers outside the rounds feature
(the pair lifecycle in ``matching.pairs``, other apps' test builders). They live in
``matching.rounds``, one module per job; new code imports them from there.
"""

from __future__ import annotations

from matching.rounds.compare import round_compare
from matching.rounds.config import round_create
from matching.rounds.editing import block_create, block_delete, pin_create, pin_delete, swap
from matching.rounds.publish import charter_ready_ids, opening_status, round_publish
from matching.rounds.run import round_start, run_round

__all__ = [
    "block_create",
    "block_delete",
    "charter_ready_ids",
    "opening_status",
    "pin_create",
    "pin_delete",
    "round_compare",
    "round_create",
    "round_publish",
    "round_start",
    "run_round",
    "swap",
]
