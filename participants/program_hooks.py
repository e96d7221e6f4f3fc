"""What participants adds to the program pages and rules (registered in ``ParticipantsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from participants.models import EnrollmentRole
from participants.onboarding.open_invitations import undecided_count
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


@hooks.transition_checks.register
def open_invitations_decided(program: Program, current: str, to: str) -> list[Missing]:
    """Matching starts once the staff chose what happens to the invitations still open."""
    if (current, to) != (ProgramStatus.ENROLLING, ProgramStatus.MATCHING):
        return []
    count = undecided_count(program)
    if not count:
        return []
    return [
        Missing(
            "open_invitations",
            f"{count} invitation{'s are' if count != 1 else ' is'} still open: on the enrolment "
            "page, close them or keep them open.",
        )
    ]


@hooks.program_page.register
def training_rates(program: Program) -> dict[str, Any]:
    return {"training_rates": training_completion_rates(program=program)}
