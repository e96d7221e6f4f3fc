"""First time here: a person in an organisation's directory, with no account yet, who followed a link
from one of its emails (the pair page in the publish email, a check-in…) gets in.

The sign-in page offers "First time here? Set your password". The person gives their address; when
it is a directory person's of the organisation the link pointed into (``next``: ``/o/<slug>/…``)
and no account has it, we email a one-use link. The link proves the address (like the program
invitation's link in ``joining``): it makes the account with the address verified, joins the
organisation as a member, links the directory entry, signs the person in and lands on the page the
first link pointed to.

- The answer on the page is the same whatever the address (no one learns who is in a directory);
  an address that has an account already gets an email saying so, with the password-reset link.
- The link is signed (the organisation, the person, the address, the page), expires after
  ``MAX_AGE``, and is used once: once an account has the address, it is refused.
- Opening the link (GET) changes nothing (mail scanners open links); the form's POST does.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import User
from organizations import mail
from organizations.audit import log_action
from organizations.models import Organization
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug
from organizations.services import membership_join
from participants.models import Person
from participants.onboarding import joining

SALT = "flipside.first-password"
MAX_AGE = 3 * 24 * 3600  # seconds
INVALID = "This link is not valid. Ask for a new one from the sign-in page."
EXPIRED = "This link has expired. Ask for a new one from the sign-in page."
USED = "This link was used already: your password is set. Sign in."


@dataclass(frozen=True)
class FirstPassword:
    organization: Organization
    person: Person
    email: str
    next_url: str


def organization_of(next_url: str) -> Organization | None:
    """The organisation a page of ``/o/<slug>/…`` belongs to (None for any other address)."""
    if not next_url.startswith("/o/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts=None
    ):
        return None
    slug = next_url.removeprefix("/o/").split("/", 1)[0]
    return organization_by_slug(slug) if slug else None


def request_link(*, organization: Organization, email: str, next_url: str) -> None:
    """Email the link when ``email`` is a directory person's here without an account; a note
    when an account has it; nothing otherwise. The caller answers the same in every case."""
    address = email.strip().lower()
    with tenant_scope(organization):
        person = Person.objects.filter(email__iexact=address, is_active=True).first()
        if person is None:
            return
        if joining.account_for(address) is not None:
            reset = settings.SITE_URL + reverse("account_reset_password")
            _send(
                organization,
                address,
                "You already have an account",
                f"Hello {person.full_name},\n\nSomeone asked to set a first password for "
                f"{address} on Flipside. This address has an account already: sign in, or set "
                f"a new password here:\n{reset}\n\nIf it was not you, ignore this email.\n",
            )
            return
        token = signing.dumps(
            {"o": organization.pk, "p": person.pk, "e": address, "n": next_url}, salt=SALT
        )
        link = settings.SITE_URL + reverse("first_password_set", kwargs={"token": token})
        _send(
            organization,
            address,
            f"Set your password for {organization.name}",
            f"Hello {person.full_name},\n\nSet your password to open Flipside, where "
            f"{organization.name} runs its mentoring programs. This link works once, for three "
            f"days, and takes you to the page you wanted:\n{link}\n\n"
            "If it was not you, ignore this email.\n",
        )
        log_action(actor=None, action="person.first_password_link_sent", target=person)


def _send(organization: Organization, address: str, subject: str, body: str) -> None:
    """Essential mail (it sets a password): the organisation's branding, no unsubscribe link."""
    mail.send(
        mail.Notification(
            organization=organization,
            to=address,
            subject=mail.prefixed(subject),
            text_template="email/plain.txt",
            context={"body": body},
        )
    )


def open_link(token: str) -> FirstPassword:
    """What a link stands for; ValidationError (shown as is) when it is bad, old or used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(EXPIRED) from None
    except signing.BadSignature:
        raise ValidationError(INVALID) from None
    organization = Organization.objects.filter(pk=data.get("o"), is_active=True).first()
    if organization is None:
        raise ValidationError(INVALID)
    with tenant_scope(organization):
        person = Person.objects.filter(
            pk=data.get("p"), email__iexact=data.get("e", ""), is_active=True
        ).first()
    if person is None:
        raise ValidationError(INVALID)
    if joining.account_for(data["e"]) is not None:
        raise ValidationError(USED)
    next_url = data.get("n", "")
    if organization_of(next_url) != organization:
        next_url = f"/o/{organization.slug}/"
    return FirstPassword(organization, person, data["e"], next_url)


def set_first_password(*, token: str, full_name: str, password: str) -> tuple[User, str]:
    """Use the link: the account (address verified), the membership, the directory entry linked.
    Returns the new account and the page to land on."""
    state = open_link(token)
    with tenant_scope(state.organization), transaction.atomic():
        person = Person.objects.select_for_update().get(pk=state.person.pk)
        if joining.account_for(state.email) is not None:  # two tabs, one link
            raise ValidationError(USED)
        name, secret = joining.clean_new_account(full_name, password, state.email)
        user = User.objects.create_user(email=state.email, password=secret, full_name=name)
        log_action(actor=user, action="account.created_by_first_password_link", target=person)
        joining.mark_verified(user, state.email)
        membership_join(organization=state.organization, user=user, via="first_password_link")
        joining.link_person(person, user)
    return user, state.next_url
