"""Publishing a round: its proposals become pairs (active at once when both people accepted the
program's charter, else waiting for it), both people of each pair are emailed why they were paired
and the next steps, and the apps above hear of the pairs that start."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.text import one_line
from matching import access as pair_policy
from matching import signals
from matching.loading import free_places, open_pair_counts
from matching.models import MatchingRound, Pair, PairStatus, ProposedPair, RoundStatus
from matching.rounds import access
from organizations import mail
from organizations.audit import log_action
from participants.models import CharterAcceptance, Enrollment, EnrollmentRole
from programs.models import Program
from programs.selectors import current_charter

NEXT_STEPS = (
    "Next steps:\n"
    "1. Read and accept your program's confidentiality charter.\n"
    "2. Complete the program's training.\n"
    "3. Agree on a time for your first session within the next two weeks."
)


def pair_url(program: Program, pair: Pair) -> str:
    """The pair's page, absolute (emails link straight to it)."""
    path = reverse("pair_detail", kwargs={"org_slug": program.organization.slug, "pk": pair.pk})
    return settings.SITE_URL + path


def _pair_email(
    program: Program, pair: Pair, to: Enrollment, partner: Enrollment, url: str
) -> tuple[str, str, None, list[str]]:
    """The "your pair" email to one of its people: what they may see of the pair, as one of
    them (``matching.access``: no score, no "pinned by an administrator")."""
    role = "mentee" if partner.role == EnrollmentRole.MENTEE else "mentor"
    why = pair_policy.rationale_as_seen(pair.rationale, pair_policy.as_member(pair, to))
    body = (
        f"Hello {to.person.full_name},\n\n"
        f"In {program.name}, your {role} is {partner.person.full_name} "
        f"({partner.person.email}).\n\n"
        f"Why we paired you: {why}\n\n{NEXT_STEPS}\n\n"
        f"Your pair's page, with the charter, your sessions and goals:\n{url}\n"
    )
    subject = one_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your {program.name} pair")
    return (subject, body, None, [to.person.email])


def charter_ready_ids(program: Program, enrollment_ids: Iterable[int]) -> set[int]:
    """Which of these enrolments accepted the program's current charter (two queries)."""
    charter = current_charter(program=program)
    if charter is None:
        return set()
    return set(
        CharterAcceptance.objects.filter(
            charter_version=charter, enrollment_id__in=list(enrollment_ids)
        ).values_list("enrollment_id", flat=True)
    )


def opening_status(mentor_id: int, mentee_id: int, ready: set[int]) -> str:
    """A new pair is active at once when both already accepted the charter, else pending."""
    both = mentor_id in ready and mentee_id in ready
    return PairStatus.ACTIVE if both else PairStatus.PENDING


def _check_still_free(program: Program, proposals: list[ProposedPair]) -> None:
    """Pairs published since this round ran may have taken its people: refuse, do not overbook."""
    paired_mentees, mentor_load = open_pair_counts(program)
    for proposal in proposals:
        if proposal.mentee_id in paired_mentees:
            raise ValidationError(
                f"{proposal.mentee.person.full_name} has had an open pair since this round ran: "
                "run the round again."
            )
    wanted = Counter(proposal.mentor_id for proposal in proposals)
    for proposal in proposals:
        mentor = proposal.mentor
        if free_places(mentor, program, mentor_load.get(mentor.pk, 0)) < wanted[mentor.pk]:
            raise ValidationError(
                f"{mentor.person.full_name} no longer has {wanted[mentor.pk]} free place(s): "
                "run the round again."
            )


def round_publish(*, matching_round: MatchingRound, actor: User | None) -> list[Pair]:
    """Create the round's pairs, email both people the rationale and next steps, audit it."""
    access.require(actor, matching_round, access.PUBLISH)
    with transaction.atomic():
        locked = (
            MatchingRound.objects.select_for_update()
            .select_related("program")
            .get(pk=matching_round.pk)
        )
        if locked.status == RoundStatus.PUBLISHED:
            raise ValidationError("This round is already published.")
        if locked.status != RoundStatus.PROPOSED:
            raise ValidationError("Only a round with proposals can be published.")
        proposals = list(
            ProposedPair.objects.filter(round=locked).select_related(
                "mentor__person", "mentee__person"
            )
        )
        if not proposals:
            raise ValidationError(
                "This round proposes no pairs, so there is nothing to publish: see why each "
                "person is unmatched, change the rules or weights and run another round."
            )
        program = locked.program
        _check_still_free(program, proposals)
        ready = charter_ready_ids(
            program, {p.mentor_id for p in proposals} | {p.mentee_id for p in proposals}
        )
        now = timezone.now()
        try:
            with transaction.atomic():
                pairs = Pair.objects.bulk_create(
                    Pair(
                        organization_id=locked.organization_id,
                        program=program,
                        mentor_id=proposal.mentor_id,
                        mentee_id=proposal.mentee_id,
                        source_round=locked,
                        score=proposal.score,
                        rationale=proposal.rationale,
                        status=opening_status(proposal.mentor_id, proposal.mentee_id, ready),
                        activated_at=(
                            now
                            if proposal.mentor_id in ready and proposal.mentee_id in ready
                            else None
                        ),
                    )
                    for proposal in proposals
                )
        except IntegrityError:
            raise ValidationError(
                "A mentee of this round already has an open pair: end it before publishing."
            ) from None
        locked.status = RoundStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
        log_action(
            actor=actor,
            action="matching.round_publish",
            target=locked,
            data={"pairs": len(pairs), "program": program.pk},
        )
        messages = []
        for proposal, pair in zip(proposals, pairs, strict=True):
            url = pair_url(program, pair)
            messages.append(_pair_email(program, pair, proposal.mentor, proposal.mentee, url))
            messages.append(_pair_email(program, pair, proposal.mentee, proposal.mentor, url))
        transaction.on_commit(lambda: mail.send_texts(program.organization, messages))
        signals.round_published.send(
            sender=Pair,
            organization_id=locked.organization_id,
            round_id=locked.pk,
            pair_ids=[pair.pk for pair in pairs],
        )
        active = [pair.pk for pair in pairs if pair.status == PairStatus.ACTIVE]
        if active:
            signals.pairs_published.send(
                sender=Pair, organization_id=locked.organization_id, pair_ids=active
            )
    matching_round.refresh_from_db()
    return pairs
