"""What the apps above participants add to its pages (registered in their ``AppConfig.ready()``).

- ``my_program_page``: template context for a participant's own program page, called with the
  enrolment (matching: the person's pairs).
- ``person_page``: template context for a person's directory page, called with the viewing
  membership and the person (privacy: the links to export or erase the person's data, as
  ``person_actions``, a list of ``(label, url)``).
"""

from __future__ import annotations

from core.hooks import ContextHook

my_program_page = ContextHook("participants.my_program_page")
person_page = ContextHook("participants.person_page")
