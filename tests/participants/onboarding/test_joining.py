"""The program invitation's link: one use, it signs the person up (address taken as verified) or
in, joins the organisation, answers the invitation and lands on the program's next step."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from organizations.models import AuditEntry, Membership
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    Person,
)
from participants.onboarding import sending, use_cases
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_user
from tests.participants.test_enrollment_builders import (
    make_charter,
    make_person,
    make_program,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def _letter_path(tenant: Tenant, person: Person, role: str = EnrollmentRole.MENTEE) -> str:
    """Invite ``person`` to a new program with a charter and return the path of their link."""
    program = make_program(tenant, name="Digital Fluency")
    with tenant.scope():
        make_charter(program, 1, body="What is said stays in the pair.")
        batch = use_cases.invite_by_email(
            actor=tenant.admin,
            program_id=program.pk,
            role=role,
            filters={},
            select_all=False,
            person_ids=[person.pk],
        )
        sending.run_batch(batch.pk)
    found = re.search(r"http://[^/\s]+(/join/\S+/)", mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


def _enrollment(tenant: Tenant, person: Person) -> Enrollment:
    with tenant.scope():
        return Enrollment.objects.select_related("program").get(person=person)


def test_a_new_person_signs_up_in_one_step_and_lands_on_their_next_step(
    client: Client, org_a: Tenant
) -> None:
    dana = make_person(org_a, full_name="Dana Director", email="Dana@acme.test")
    path = _letter_path(org_a, dana)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "dana@acme.test" in html
    assert "What is said stays in the pair." in html
    assert not User.objects.filter(email="dana@acme.test").exists()  # opening changes nothing

    response = client.post(
        path,
        {
            "answer": "accept",
            "full_name": "Dana Director",
            "password": NEW_PASSWORD,
            "accept_charter": "on",
        },
    )
    enrollment = _enrollment(org_a, dana)
    assert response.status_code == 302
    assert response["Location"] == reverse("my_registration", args=("acme", enrollment.program_id))
    user = User.objects.get(email="dana@acme.test")
    assert user.full_name == "Dana Director"
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.verified
    assert address.primary
    assert address.email == "dana@acme.test"
    assert not mail.outbox[1:]  # no second email: the link proved the address
    with org_a.scope():
        assert Membership.objects.get(user=user).role == "member"
        assert Person.objects.get(pk=dana.pk).user == user
        assert enrollment.status == EnrollmentStatus.ACCEPTED
        assert CharterAcceptance.objects.filter(enrollment=enrollment).exists()
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "account.created_by_invitation",
        "membership.joined",
        "enrollment.invitation_link_used",
        "enrollment.accepted",
        "charter.accepted",
    } <= actions
    # Signed in: the next page opens without a login.
    assert client.get(response["Location"]).status_code == 200


def test_the_link_works_once(client: Client, org_a: Tenant) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    data = {"answer": "accept", "full_name": "P", "password": NEW_PASSWORD, "accept_charter": "1"}
    assert client.post(path, data).status_code == 302
    other = Client()
    assert other.get(path).status_code == 410
    assert other.post(path, data).status_code == 410


def test_a_weak_password_or_missing_charter_tick_is_a_field_error(
    client: Client, org_a: Tenant
) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    response = client.post(path, {"answer": "accept", "full_name": "P", "password": "12345"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "accept_charter" in form.errors
    response = client.post(
        path,
        {"answer": "accept", "full_name": "P", "password": "1234567890", "accept_charter": "1"},
    )
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email=person.email).exists()


def test_a_name_with_a_line_break_is_a_field_error(client: Client, org_a: Tenant) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    response = client.post(
        path,
        {
            "answer": "accept",
            "full_name": "Pat\r\nATTENDEE:mailto:x@evil.test",
            "password": NEW_PASSWORD,
            "accept_charter": "1",
        },
    )
    assert response.status_code == 400
    assert "full_name" in response.context["form"].errors
    assert not User.objects.filter(email=person.email).exists()


def test_an_existing_account_is_signed_in_by_the_link(client: Client, org_a: Tenant) -> None:
    user = make_user("evan@acme.test", full_name="Evan Executive")
    evan = make_person(org_a, email="evan@acme.test")
    path = _letter_path(org_a, evan)
    page = client.get(path)
    assert "Accept and sign in" in page.content.decode()
    response = client.post(path, {"answer": "accept", "accept_charter": "1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    with org_a.scope():
        assert Membership.objects.filter(user=user).exists()
        assert _enrollment(org_a, evan).status == EnrollmentStatus.ACCEPTED


def test_an_account_with_two_factor_signs_in_first(client: Client, org_a: Tenant) -> None:
    user = make_user("mfa@acme.test")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    person = make_person(org_a, email="mfa@acme.test")
    path = _letter_path(org_a, person)
    page = client.get(path)
    assert "Sign in to answer the invitation" in page.content.decode()
    response = client.post(path, {"answer": "accept", "accept_charter": "1"})
    assert "Sign in to answer the invitation" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _enrollment(org_a, person).status == EnrollmentStatus.INVITED
    # Once signed in with the password (and code), the same link answers.
    client.force_login(user)
    assert client.post(path, {"answer": "accept", "accept_charter": "1"}).status_code == 302


def test_someone_else_signed_in_is_refused(client: Client, org_a: Tenant) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    client.login(email=org_a.admin.user.email, password=PASSWORD)
    assert client.get(path).status_code == 403
    assert client.post(path, {"answer": "accept", "accept_charter": "1"}).status_code == 403
    assert _enrollment(org_a, person).status == EnrollmentStatus.INVITED


def test_declining_needs_no_account(client: Client, org_a: Tenant) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    response = client.post(path, {"answer": "decline"})
    assert response.status_code == 200
    assert "You declined" in response.content.decode()
    assert _enrollment(org_a, person).status == EnrollmentStatus.DECLINED
    assert not User.objects.filter(email=person.email).exists()
    assert client.get(path).status_code == 410


def test_a_closed_invitation_says_so(client: Client, org_a: Tenant) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    enrollment = _enrollment(org_a, person)
    with org_a.scope():
        Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.WITHDRAWN)
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation is closed" in response.content.decode()


def test_an_unknown_or_foreign_token_is_not_found(
    client: Client, org_a: Tenant, org_b: Tenant
) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    assert client.get(path.replace("/acme/", "/bolt/")).status_code == 404
    assert client.get("/join/acme/not-a-token/").status_code == 404


def test_a_mentor_without_a_free_place_is_told_their_waitlist_number(
    client: Client, org_a: Tenant
) -> None:
    person = make_person(org_a)
    path = _letter_path(org_a, person, role=EnrollmentRole.MENTOR)
    response = client.post(
        path,
        {"answer": "accept", "full_name": "P", "password": NEW_PASSWORD, "accept_charter": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert "you are number 1 on the waitlist" in response.content.decode()
    assert _enrollment(org_a, person).status == EnrollmentStatus.WAITLISTED


def test_an_enrolment_of_another_person_is_never_linked(client: Client, org_a: Tenant) -> None:
    """The directory entry already belongs to another account: nothing is accepted."""
    person = make_person(org_a)
    path = _letter_path(org_a, person)
    with org_a.scope():
        Person.objects.filter(pk=person.pk).update(user=org_a.member.user)
    response = client.post(
        path,
        {"answer": "accept", "full_name": "P", "password": NEW_PASSWORD, "accept_charter": "1"},
    )
    assert response.status_code == 400
    assert _enrollment(org_a, person).status == EnrollmentStatus.INVITED
    assert not User.objects.filter(email=person.email).exists()


def test_an_account_that_verified_the_address_as_a_second_one_is_the_one_signed_in(
    client: Client, org_a: Tenant
) -> None:
    user = make_user("kim.private@example.test")
    EmailAddress.objects.create(user=user, email="kim@acme.test", verified=True, primary=False)
    kim = make_person(org_a, email="kim@acme.test")
    path = _letter_path(org_a, kim)
    assert "Accept and sign in" in client.get(path).content.decode()
    response = client.post(path, {"answer": "accept", "accept_charter": "1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.filter(email__iexact="kim@acme.test").count() == 0
    with org_a.scope():
        assert Person.objects.get(pk=kim.pk).user == user
