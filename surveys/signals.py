"""What the survey builder tells the rest of the surveys app.

- ``program_survey_changed(survey)``: a program's survey was created (copied from a template),
  got a new version, or changed its settings (anonymity, open days). Sent inside the transaction;
  the waves planner (``surveys/waves/``) re-plans the survey's invitations.
- ``survey_wave_closed(survey)``: closing the last open invitations of a program's survey (one
  wave) left none planned or sent: the wave is over. Sent inside the transaction, once.
"""

from __future__ import annotations

from django.dispatch import Signal

program_survey_changed = Signal()
survey_wave_closed = Signal()
