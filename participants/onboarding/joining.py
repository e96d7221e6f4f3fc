"""The program invitation's link: it signs the person up or in, joins the organisation and
answers the invitation, in one step.

The email proves the address, so the account it makes (or opens) takes that address as verified
(allauth's ``EmailAddress``, verified and primary): no second email. Opening the link (GET) changes
nothing, since mail scanners open links too; the person's button (POST) does it all, once:

=========================  ===========================================================
who opens the link         the button
=========================  ===========================================================
nobody signed in, no       "Accept and create my account": name and one password; the
account for the address    account is made, signed in, a member, the invitation accepted
nobody signed in, an       "Accept and sign in": the link signs them in (not an account
account exists             with two-factor authentication: that one signs in first)
the invited person,        "Accept"
signed in
someone else, signed in    nothing: 403, "sign out first"
=========================  ===========================================================

"Decline" needs no account. When the program has a charter, accepting it is a tick on the same
form. Afterwards the person lands on the program's next step (``participants/next_step.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.text import CONTROL_MESSAGE, has_control_character
from organizations.audit import log_action
from organizations.models import Organization, hash_secret
from organizations.services import membership_join
from participants import enrollment as enrolment
from participants import participation
from participants.models import Enrollment, EnrollmentStatus, InvitationLetter, Person
from participants.next_step import enrollment_steps, participant_facts
from programs.models import CharterVersion

GONE = 410
NAME_MAX = 200


@dataclass(frozen=True)
class LinkState:
    """What opening the link finds: the letter, or the problem and its HTTP status."""

    letter: InvitationLetter | None
    problem: str = ""
    status: int = 200

    @property
    def enrollment(self) -> Enrollment:
        assert self.letter is not None
        return self.letter.enrollment


def open_link(token: str) -> LinkState:
    """The letter of the scoped organisation that ``token`` opens, if it may still be used."""
    if not token or len(token) > 200:
        return LinkState(None, "This invitation link is not valid.", 404)
    letter = (
        InvitationLetter.objects.select_related(
            "enrollment__person", "enrollment__program", "batch__requested_by"
        )
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if letter is None:
        return LinkState(
            None,
            "This invitation link is not valid (a newer email may have replaced it). Use the "
            "latest email, or ask the program team for a new one.",
            404,
        )
    return LinkState(letter, *_problem(letter))


def _problem(letter: InvitationLetter) -> tuple[str, int]:
    enrollment = letter.enrollment
    if letter.used_at is not None:
        return "This invitation link was already used. Sign in to continue.", GONE
    if enrollment.status == EnrollmentStatus.ACCEPTED:
        return "You already accepted this invitation. Sign in to continue.", GONE
    if enrollment.status != EnrollmentStatus.INVITED:
        return (
            f"This invitation is closed (your enrolment is "
            f"{enrollment.get_status_display().lower()}). Ask the program team if this is a "
            "mistake.",
            GONE,
        )
    if enrollment.program.status not in enrolment.ADMITTING_PROGRAM_STATUSES:
        return "The program no longer takes participants.", GONE
    if letter.expires_at is not None and letter.expires_at <= timezone.now():
        return "This invitation link has expired. Ask the program team for a new one.", GONE
    return "", 200


def account_for(email: str) -> User | None:
    """The account this address belongs to: its sign-in address, or another verified one."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = (
            EmailAddress.objects.filter(email__iexact=email, verified=True)
            .select_related("user")
            .first()
        )
        user = address.user if address is not None else None
    return user


def owns_address(user: User, email: str) -> bool:
    return (
        user.email.lower() == email.lower()
        or EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


def needs_password_sign_in(user: User) -> bool:
    """An account with two-factor authentication is never signed in by an emailed link."""
    return Authenticator.objects.filter(user=user).exists()


def charter_for(letter: InvitationLetter) -> CharterVersion | None:
    return participation.current_charter(letter.enrollment.program)


def clean_new_account(full_name: str, password: str, email: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    full_name = (full_name or "").strip()
    if not full_name:
        errors["full_name"] = ["Give the name your colleagues know you by."]
    elif len(full_name) > NAME_MAX:
        errors["full_name"] = [f"Use at most {NAME_MAX} characters."]
    elif has_control_character(full_name):
        errors["full_name"] = [CONTROL_MESSAGE]
    try:
        validate_password(password or "", User(email=email, full_name=full_name))
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    return full_name, password


def _locked_open_letter(token: str) -> InvitationLetter:
    letter = (
        InvitationLetter.objects.select_for_update(of=("self",))
        .select_related("enrollment__person", "enrollment__program")
        .filter(token_hash=hash_secret(token or ""))
        .first()
    )
    if letter is None:
        raise ValidationError("This invitation link is not valid.")
    problem, _status = _problem(letter)
    if problem:
        raise ValidationError(problem)
    return letter


def mark_verified(user: User, email: str) -> None:
    """The link proved the address: mark it verified (and primary when it is the account's)."""
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email__iexact=email, defaults={"email": email}
    )
    changed = not address.verified or (user.email.lower() == email.lower() and not address.primary)
    if changed:
        address.verified = True
        address.primary = address.primary or user.email.lower() == email.lower()
        address.save(update_fields=["verified", "primary"])


def link_person(person: Person, user: User) -> None:
    if person.user_id == user.pk:
        return
    if person.user_id is not None:
        raise ValidationError(
            "Your directory entry is linked to another account. Ask the program team."
        )
    if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise ValidationError(
            "Your account is already linked to another directory entry. Ask the program team."
        )
    person.user = user
    person.updated_at = timezone.now()
    person.save(update_fields=["user", "updated_at"])
    log_action(actor=user, action="person.linked_to_account", target=person)


def accept_by_link(
    *,
    organization: Organization,
    token: str,
    signed_in: User | None,
    full_name: str = "",
    password: str = "",
    accept_charter: bool = False,
) -> tuple[User, Enrollment]:
    """Use the link once: the account (made, or the signed-in / existing one), its verified address,
    the membership, the directory entry, the accepted invitation and, if ticked, the charter."""
    with transaction.atomic():
        letter = _locked_open_letter(token)
        enrollment = letter.enrollment
        email = enrollment.person.email.lower()
        user = signed_in if signed_in is not None else account_for(email)
        if user is not None and not owns_address(user, email):
            raise ValidationError(
                f"This invitation was sent to {email}. Sign out, then open the link again."
            )
        if user is None:
            name, secret = clean_new_account(full_name, password, email)
            user = User.objects.create_user(email=email, password=secret, full_name=name)
            log_action(actor=user, action="account.created_by_invitation", target=enrollment)
        elif signed_in is None and needs_password_sign_in(user):
            raise ValidationError("Your account uses two-factor authentication: sign in first.")
        mark_verified(user, email)
        membership_join(organization=organization, user=user, via="program_invitation")
        link_person(enrollment.person, user)
        letter.used_at = timezone.now()
        letter.save(update_fields=["used_at"])
        log_action(
            actor=user,
            action="enrollment.invitation_link_used",
            target=enrollment,
            data={"program": enrollment.program_id, "answer": "accept"},
        )
        enrollment = enrolment.enrollment_accept(enrollment=enrollment, actor=user)
        if accept_charter and participation.current_charter(enrollment.program) is not None:
            participation.charter_accept(enrollment=enrollment, actor=user)
    return user, enrollment


def decline_by_link(*, token: str) -> Enrollment:
    """Decline through the link: no account is made or needed."""
    with transaction.atomic():
        letter = _locked_open_letter(token)
        letter.used_at = timezone.now()
        letter.save(update_fields=["used_at"])
        log_action(
            actor=None,
            action="enrollment.invitation_link_used",
            target=letter.enrollment,
            data={"program": letter.enrollment.program_id, "answer": "decline"},
        )
        return enrolment.enrollment_decline_by_link(enrollment=letter.enrollment)


def next_step_url(organization: Organization, enrollment: Enrollment) -> str:
    """Where the person goes after answering: their first step in the program, or its page."""
    enrollment = Enrollment.objects.select_related("person", "program").get(pk=enrollment.pk)
    facts = participant_facts([enrollment])[enrollment.pk]
    for step in enrollment_steps(enrollment, facts, paired=False):
        if step.url_name:
            return reverse(step.url_name, args=(organization.slug, *step.url_args))
    return reverse("my_program_detail", args=(organization.slug, enrollment.program_id))
