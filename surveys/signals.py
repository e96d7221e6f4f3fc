"""What the survey builder tells the rest of the surveys app.

- ``program_survey_changed(survey)``: a program's survey was created (copied from a template),
  got a new version, or changed its settings (anonymity, open days). Sent inside the transaction;
  the waves planner (``surveys/waves/``) re-plans the survey's invitations.
- ``survey_wave_closed(survey)``: a program's survey (one wave) has no invitation planned or sent
  any more: the wave is over, whether its deadline passed (the close touchpoints the sweeper runs,
  or invitations whose window passed before they went out) or its last people left. Sent inside
  the transaction, once per wave (``Survey.wave_closed_at``, ``waves.sending.announce_waves_over``).
"""

from __future__ import annotations

from django.dispatch import Signal

program_survey_changed = Signal()
survey_wave_closed = Signal()
