"""SAML single sign-on in a real browser: the admin gives the IdP's metadata URL on the settings page,
and a person of the directory, enrolled in a program, signs in through the IdP (``127.0.0.1``, a
different site from the app's ``localhost``, so its POST to the ACS is really cross-site and
carries no SameSite=Lax session cookie) and lands on their program's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from organizations.models import Membership, Role
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, Person
from programs.models import Program, ProgramStatus
from sso.models import SamlProvider
from tests.e2e.axe import assert_accessible
from tests.e2e.test_program_journey import labelled
from tests.factories import make_member, make_organization
from tests.sso.saml_idp import running_saml_idp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
SLUG = "initech"
ADMIN = "it.admin@initech.test"
PERSON = "pat.partner@initech.test"


def test_admin_connects_saml_by_metadata_url_person_signs_in_to_their_program(
    live_server: Any, new_page: Callable[[], Page], settings: Any
) -> None:
    base = live_server.url.replace("127.0.0.1", "localhost")
    settings.SITE_URL = base
    organization = make_organization(SLUG, "Initech")
    make_member(organization, role=Role.ADMIN, email=ADMIN, password=PASSWORD)
    with tenant_scope(organization):
        program = Program.objects.create(
            organization=organization, name="Cloud for the Board", status=ProgramStatus.ACTIVE
        )
        person = Person.objects.create(
            organization=organization, email=PERSON, full_name="Pat Partner"
        )
        Enrollment.objects.create(
            organization=organization,
            program=program,
            person=person,
            role="mentee",
            status=EnrollmentStatus.ACCEPTED,
        )

    with running_saml_idp() as idp:
        idp.answer = {"name_id": PERSON, "attributes": {"email": PERSON, "name": "Pat Partner"}}

        admin = new_page()
        admin.goto(f"{base}/accounts/login/")
        admin.get_by_label("Email").fill(ADMIN)
        admin.get_by_label("Password").fill(PASSWORD)
        admin.get_by_role("button", name="Sign In").click()
        admin.goto(f"{base}/o/{SLUG}/settings/sso/")
        expect(admin.get_by_role("heading", name="SAML 2.0")).to_be_visible()
        expect(admin.get_by_text(f"{base}/sso/{SLUG}/saml/acs/")).to_be_visible()
        labelled(admin, "IdP metadata URL").fill(idp.metadata_url)
        admin.get_by_role("button", name="Use these SAML settings").click()
        expect(admin.get_by_text("SAML single sign-on settings saved.")).to_be_visible()
        assert_accessible(admin)
        with tenant_scope(organization):
            provider = SamlProvider.objects.get()
        assert provider.idp_entity_id == idp.entity_id
        assert provider.sso_url == idp.sso_url

        person_page = new_page()
        program_url = f"{base}/o/{SLUG}/me/programs/{program.pk}/"
        person_page.goto(program_url)
        person_page.get_by_role("link", name="Sign in with single sign-on").click()
        expect(person_page.get_by_role("heading", name="Test identity provider")).to_be_visible()
        person_page.get_by_role("button", name="Continue").click()
        expect(person_page).to_have_url(program_url)
        expect(person_page.get_by_role("heading", level=1)).to_contain_text("Cloud for the Board")

    with tenant_scope(organization):
        joined = Membership.objects.select_related("user").get(user__email=PERSON)
        assert joined.role == Role.MEMBER
        person.refresh_from_db()
        assert person.user_id == joined.user_id
