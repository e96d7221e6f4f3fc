"""Every email goes through ``organizations.mail``: a text part and an HTML alternative with the
organisation's name and colour, what people typed escaped in the HTML, and no unsubscribe link on
essential mail (invitations, password links, security, an integration that stopped). allauth's
account mail is branded when the account belongs to exactly one organisation, neutral otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations import services as organization_services
from organizations.models import Organization, Role
from participants.models import EnrollmentRole
from participants.onboarding import first_password
from participants.onboarding.sending import letter_message
from tests.conftest import Tenant
from tests.factories import make_member
from tests.participants.test_enrollment_builders import enrol, make_person, make_program

pytestmark = pytest.mark.django_db

HOSTILE = 'Acme <b onmouseover="x()">&</b> Co'
Commit = Callable[..., Any]


@pytest.fixture
def branded(org_a: Tenant, org_b: Tenant) -> Organization:
    Organization.objects.filter(pk=org_a.organization.pk).update(
        name=HOSTILE, brand_colour="#123456"
    )
    org_a.organization.refresh_from_db()
    mail.outbox.clear()
    return org_a.organization


def _html(message: Any) -> str:
    (html,) = [content for content, kind in message.alternatives if kind == "text/html"]
    return str(html)


def _assert_branded_essential(message: Any, organization: Organization) -> str:
    html = _html(message)
    assert message.body.strip(), "a text part"
    assert "#123456" in html
    assert "Acme &lt;b onmouseover=&quot;x()&quot;&gt;&amp;&lt;/b&gt; Co" in html
    assert "<b onmouseover" not in html
    assert "List-Unsubscribe" not in message.extra_headers
    assert "Unsubscribe" not in html
    assert "Stop these emails" not in message.body
    return html


def test_an_organisation_invitation_is_branded_essential_mail(
    org_a: Tenant, branded: Organization, django_capture_on_commit_callbacks: Commit
) -> None:
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        organization_services.invitation_create(
            organization=branded, actor=org_a.admin.user, email="new@acme.test", role=Role.MEMBER
        )
    [message] = mail.outbox
    assert message.to == ["new@acme.test"]
    html = _assert_branded_essential(message, branded)
    assert "/invitations/" in html


def test_a_program_invitation_letter_is_branded_essential_mail(
    org_a: Tenant, branded: Organization
) -> None:
    program = make_program(org_a, name="Reverse <i>2027</i>")
    person = make_person(org_a, full_name="Dana <script>alert(1)</script>")
    enrollment = enrol(org_a, program, person, EnrollmentRole.MENTOR)
    with org_a.scope():
        enrollment.refresh_from_db()
        message = letter_message(enrollment, token="t0k3n", inviter=None, expires=timezone.now())
    html = _assert_branded_essential(message, branded)
    assert "Dana <script>" in message.body  # the text part is text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "Reverse &lt;i&gt;2027&lt;/i&gt;" in html


@pytest.mark.parametrize("has_account", [False, True])
def test_first_password_mails_are_branded_essential_mail(
    org_a: Tenant, branded: Organization, has_account: bool
) -> None:
    email = org_a.member.user.email if has_account else "dana@acme.test"
    make_person(org_a, full_name="Dana <b>Director</b>", email=email)
    first_password.request_link(organization=branded, email=email, next_url="/o/a/")
    [message] = mail.outbox
    html = _assert_branded_essential(message, branded)
    assert "Dana &lt;b&gt;Director&lt;/b&gt;" in html
    expected = "You already have an account" if has_account else "Set your password"
    assert expected in message.subject


def test_allauth_password_reset_is_branded_for_an_account_of_one_organisation(
    org_a: Tenant, branded: Organization, client: Client
) -> None:
    response = client.post(
        reverse("account_reset_password"), {"email": org_a.coordinator.user.email}
    )
    assert response.status_code == 302
    [message] = mail.outbox
    html = _assert_branded_essential(message, branded)
    assert "/accounts/password/reset/key/" in html


def test_allauth_mail_is_neutral_for_an_account_of_several_organisations(
    org_a: Tenant, org_b: Tenant, branded: Organization, client: Client
) -> None:
    make_member(org_b.organization, user=org_a.coordinator.user)
    client.post(reverse("account_reset_password"), {"email": org_a.coordinator.user.email})
    [message] = mail.outbox
    html = _html(message)
    assert "Flipside" in html
    assert "#1f6feb" in html
    for organization in (branded, org_b.organization):
        assert organization.name not in html
    assert "Acme &lt;b" not in html
    assert "#123456" not in html


def test_allauth_mail_to_an_unknown_address_is_neutral(
    org_a: Tenant, branded: Organization, client: Client
) -> None:
    client.post(reverse("account_reset_password"), {"email": "nobody@nowhere.test"})
    for message in mail.outbox:  # sent only where allauth tells unknown addresses
        assert "Flipside" in _html(message)
        assert "#123456" not in _html(message)
