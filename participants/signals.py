"""What participants tells the apps above it. Each signal is sent inside the transaction that made
the change, so a receiver's writes commit or roll back with it.

- ``charter_accepted(enrollment, actor)``: a participant accepted the program's current charter
  (matching starts the published pairs whose two people have now both accepted).
- ``enrollment_status_changed(enrollment, previous)``: an enrolment moved from status ``previous``
  to ``enrollment.status`` (accepted, withdrawn, …); surveys re-plans that person's invitations.
- ``person_departed(person, actor)``: a person was deactivated in the directory (by hand or by
  SCIM), before their enrolments are withdrawn; matching ends their open pairs, tells each partner
  and offers the program's staff a re-match for them.
"""

from __future__ import annotations

from django.dispatch import Signal

charter_accepted = Signal()
enrollment_status_changed = Signal()
person_departed = Signal()
