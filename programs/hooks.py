"""What the apps above programs add to it (registered in their ``AppConfig.ready()``).

- ``transition_checks``: preconditions of a lifecycle move that need data programs does not hold
  (participants: "accept at least one mentor and one mentee"). Each function takes the program, the
  status it is in and the status it would move to, and returns what is missing.
- ``program_page``: extra template context for the program overview page (participants: training
  completion rates).
- ``schedule_changed`` (a signal): the program's dates, cadences or time zone changed; sent inside
  the saving transaction with ``program`` (feedback re-plans check-ins once it commits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.dispatch import Signal

from core.hooks import ContextHook, Hook

if TYPE_CHECKING:
    from programs.lifecycle import Missing
    from programs.models import Program

TransitionCheck = Callable[["Program", str, str], "list[Missing]"]

transition_checks: Hook[TransitionCheck] = Hook("programs.transition_checks")
program_page = ContextHook("programs.program_page")
schedule_changed = Signal()
