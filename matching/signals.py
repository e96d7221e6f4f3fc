"""What matching tells the apps above it. Each signal is sent inside the transaction that made the
change; receivers that do slow work defer it with ``transaction.on_commit``.

- ``pair_changed(pair)``: a pair started, paused, resumed, was extended, completed or ended
  (feedback re-plans its check-ins).
- ``pairs_published(organization_id, pair_ids)``: a round was published and these pairs are
  active (feedback plans their check-ins in a task: there may be hundreds).
- ``round_published(organization_id, round_id, pair_ids)``: a round was published with these
  pairs, active or waiting for the charter (webhooks tell the organisation's endpoints).
"""

from __future__ import annotations

from django.dispatch import Signal

pair_changed = Signal()
pairs_published = Signal()
round_published = Signal()
