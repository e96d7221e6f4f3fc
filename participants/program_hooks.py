"""What participants adds to the program pages and rules (registered in ``ParticipantsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from participants.models import EnrollmentRole
from participants.participation import accepted_counts, training_completion_rates
from programs import hooks
from programs.lifecycle import Missing
from programs.models import Program, ProgramStatus


@hooks.transition_checks.register
def enough_participants(program: Program, current: str, to: str) -> list[Missing]:
    """Matching and going live need an accepted mentor and mentee; going back to draft needs none."""
    moves_forward = (current, to) in {
        (ProgramStatus.ENROLLING, ProgramStatus.MATCHING),
        (ProgramStatus.MATCHING, ProgramStatus.ACTIVE),
    }
    if moves_forward:
        counts = accepted_counts(program=program)
        missing = []
        if counts[EnrollmentRole.MENTOR] < 1:
            missing.append(Missing("mentors", "Accept at least one mentor."))
        if counts[EnrollmentRole.MENTEE] < 1:
            missing.append(Missing("mentees", "Accept at least one mentee."))
        return missing
    if (current, to) == (ProgramStatus.ENROLLING, ProgramStatus.DRAFT):
        accepted = sum(accepted_counts(program=program).values())
        if accepted:
            return [
                Missing(
                    "participants",
                    f"{accepted} participant(s) are already accepted; withdraw them before going "
                    "back to draft.",
                )
            ]
    return []


@hooks.program_page.register
def training_rates(program: Program) -> dict[str, Any]:
    return {"training_rates": training_completion_rates(program=program)}
