"""Issue 14's enterprise journey in a real browser: a platform operator opens an organisation, its
first admin joins through the emailed invitation and configures OpenID Connect against an
identity provider running on 127.0.0.1 (``tests/sso/idp.py``), and a person of the directory,
enrolled in a program, signs in through that provider and lands on their program's page. axe
runs on the pages the admin and the person see."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, Person
from programs.models import Program, ProgramStatus
from sso.models import OidcProvider
from tests.e2e.axe import assert_accessible
from tests.e2e.test_onboarding_journey import link_in
from tests.e2e.test_program_journey import labelled
from tests.factories import make_user
from tests.sso.idp import running_idp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
SLUG = "globex"
ADMIN = "it.admin@globex.test"
PERSON = "erin.exec@globex.test"
CLIENT_ID, CLIENT_SECRET = "globex-flipside", "a-client-secret-from-the-idp"


def _sign_in_with_password(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_operator_opens_admin_configures_oidc_person_signs_in_to_their_program(
    live_server: Any, new_page: Callable[[], Page], settings: Any
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    make_user("operator@platform.test", password=PASSWORD, is_superuser=True, is_staff=True)

    # The operator opens the organisation with its first admin.
    operator = new_page()
    _sign_in_with_password(operator, base, "operator@platform.test")
    operator.goto(f"{base}/platform/organizations/new/")
    labelled(operator, "Organisation name").fill("Globex")
    labelled(operator, "Web address").fill(SLUG)
    labelled(operator, "First admin's email").fill(ADMIN)
    operator.get_by_role("button", name="Open the organisation").click()
    expect(operator.get_by_text("Globex is open.")).to_be_visible()

    # The first admin joins through the invitation.
    admin = new_page()
    admin.goto(link_in(ADMIN, base, "/invitations/"))
    admin.get_by_role("link", name="Create your account").click()
    admin.get_by_label("Email").fill(ADMIN)
    admin.locator("input[name=password1]").fill(PASSWORD)
    admin.locator("input[name=password2]").fill(PASSWORD)
    admin.get_by_role("button", name="Sign Up").click()
    admin.goto(link_in(ADMIN, base, "/accounts/confirm-email/"))
    admin.get_by_role("button", name="Confirm").click()
    admin.get_by_role("button", name="Accept and join").click()
    expect(admin).to_have_url(re.compile(rf"{re.escape(base)}/o/{SLUG}/"))
    organization = Organization.objects.get(slug=SLUG)
    with tenant_scope(organization):
        assert Membership.objects.get(user__email=ADMIN).role == Role.ADMIN
        # HR's directory and a running program the executive is enrolled in.
        program = Program.objects.create(
            organization=organization, name="AI for the Board", status=ProgramStatus.ACTIVE
        )
        person = Person.objects.create(
            organization=organization, email=PERSON, full_name="Erin Exec"
        )
        Enrollment.objects.create(
            organization=organization,
            program=program,
            person=person,
            role="mentee",
            status=EnrollmentStatus.ACCEPTED,
        )

    with running_idp(**{CLIENT_ID: CLIENT_SECRET}) as idp:
        idp.claims = {"sub": "erin-0001", "email": PERSON, "name": "Erin Exec"}

        # The admin configures OpenID Connect in the browser.
        admin.get_by_role("link", name="Single sign-on").click()
        expect(admin.get_by_role("heading", level=1)).to_contain_text("ingle sign-on")
        assert_accessible(admin)
        labelled(admin, "Issuer URL").fill(idp.issuer)
        labelled(admin, "Client ID").fill(CLIENT_ID)
        labelled(admin, "Client secret").fill(CLIENT_SECRET)
        admin.get_by_role("button", name="Save").click()
        expect(admin.get_by_role("status").first).to_be_visible()
        assert CLIENT_SECRET not in admin.content()
        with tenant_scope(organization):
            provider = OidcProvider.objects.get()
            assert provider.is_enabled
            assert provider.client_id == CLIENT_ID

        # The executive opens their program's link, signs in through the provider, lands there.
        person_page = new_page()
        program_url = f"{base}/o/{SLUG}/me/programs/{program.pk}/"
        person_page.goto(program_url)
        person_page.get_by_role("link", name="Sign in with single sign-on").click()
        expect(person_page).to_have_url(program_url)
        expect(person_page.get_by_role("heading", level=1)).to_contain_text("AI for the Board")
        assert_accessible(person_page)

    with tenant_scope(organization):
        joined = Membership.objects.select_related("user").get(user__email=PERSON)
        assert joined.role == Role.MEMBER
        person.refresh_from_db()
        assert person.user_id == joined.user_id
    assert not any(PERSON in message.to for message in mail.outbox)  # no password, no email
