"""What the survey builder tells the rest of the surveys app.

- ``program_survey_changed(survey)``: a program's survey was created (copied from a template),
  got a new version, or changed its settings (anonymity, open days). Sent inside the transaction;
  the waves planner (``surveys/waves/``) re-plans the survey's invitations.
"""

from __future__ import annotations

from django.dispatch import Signal

program_survey_changed = Signal()
