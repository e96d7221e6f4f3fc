"""What the apps above participants add to its pages (registered in their ``AppConfig.ready()``).

- ``my_program_page``: template context for a participant's own program page, called with the
  enrolment (matching: the person's pairs).
"""

from __future__ import annotations

from core.hooks import ContextHook

my_program_page = ContextHook("participants.my_program_page")
