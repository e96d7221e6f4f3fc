"""What matching adds to the apps below it (registered in ``MatchingConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from accounts.models import User
from matching.models import Pair
from matching.pairs import activate_ready_pairs, end_pairs_of_departed
from participants import hooks as participant_hooks
from participants.models import Enrollment, Person
from participants.signals import charter_accepted, person_departed


@receiver(charter_accepted, dispatch_uid="matching.activate_ready_pairs")
def start_pairs_on_charter_accepted(
    sender: type, *, enrollment: Enrollment, actor: User, **kwargs: Any
) -> None:
    """A published pair starts once both people accepted the current charter."""
    activate_ready_pairs(enrollment=enrollment, actor=actor)


@receiver(person_departed, dispatch_uid="matching.end_pairs_of_departed")
def end_pairs_on_person_departed(
    sender: type, *, person: Person, actor: User | None, **kwargs: Any
) -> None:
    """Someone left the organisation: their open pairs end, each partner is told, and the
    program's staff are offered a re-match for the partner."""
    end_pairs_of_departed(person=person, actor=actor)


@participant_hooks.my_program_page.register
def my_pairs(enrollment: Enrollment) -> dict[str, Any]:
    """The participant's pairs in this program, each with the partner."""
    pairs = (
        Pair.objects.filter(Q(mentor=enrollment) | Q(mentee=enrollment))
        .select_related("mentor__person", "mentee__person")
        .order_by("-created_at", "-id")
    )
    return {
        "pairs": [
            (pair, pair.mentee if pair.mentor_id == enrollment.pk else pair.mentor)
            for pair in pairs
        ]
    }
