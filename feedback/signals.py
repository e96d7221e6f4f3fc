"""What the pair's life tells the apps above feedback. Each signal is sent inside the transaction
that made the change; receivers that do slow or external work defer it with
``transaction.on_commit``.

- ``session_logged(session)``: a member logged a session that happened (not the draft of a
  check-in's "we met" click).
- ``contact_requested(check_in)``: a check-in was answered with "please contact me".
- ``pair_at_risk(pair, snapshot)``: a pair's engagement level became at risk (its latest earlier
  snapshot was not at risk, or there was none).
"""

from __future__ import annotations

from django.dispatch import Signal

session_logged = Signal()
contact_requested = Signal()
pair_at_risk = Signal()
