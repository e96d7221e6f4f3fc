"""What an area's ``build`` gets: the world's people and objects built so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import User
from feedback.models import SessionLog
from matching.models import Pair
from participants.models import Enrollment
from programs.models import Objective, Program, Topic
from tests.conftest import Tenant


@dataclass(frozen=True)
class Context:
    org_a: Tenant
    org_b: Tenant
    admin: User
    coordinator: User
    other_coordinator: User
    program: Program  # P: the coordinator's program, with the pair
    other_program: Program  # Q: the other coordinator's program
    pair: Pair
    mentor: Enrollment  # the pair's mentor (junior)
    mentee: Enrollment  # the pair's mentee (executive)
    mentor_user: User
    mentee_user: User
    outsider: Enrollment  # an accepted, unpaired mentee of P (the org's plain member)
    topics: list[Topic]
    objective: Objective
    session: SessionLog
    extra: dict[str, Any]
