"""Opening an organisation for a new client: page, command and service, and who may do it."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from organizations.models import AuditEntry, Invitation, Membership, Organization, Role
from organizations.scope import tenant_scope
from organizations.services import invitation_accept
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_user

LIST = reverse("platform_organization_list")
NEW = reverse("platform_organization_new")
FORM = {"name": "Newco Ltd", "slug": "newco", "admin_email": "HR@Acme.example"}


@pytest.fixture
def operator(db: None) -> User:
    user = make_user("operator@flipside.example")
    user.is_superuser = True
    user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(body: str) -> str:
    found = re.search(r"/invitations/newco/([^/\s]+)/", body)
    assert found, body
    return found[1]


def test_an_operator_opens_an_organisation_and_its_first_admin_takes_it_over(
    operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(operator)
    assert client.get(NEW).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, FORM, follow=True)
    assert response.status_code == 200
    assert "Newco Ltd is open" in response.content.decode()
    organization = Organization.objects.get(slug="newco")
    assert organization.name == "Newco Ltd"

    (email,) = mail.outbox
    assert email.to == ["hr@acme.example"]
    assert "Newco Ltd" in email.subject
    with tenant_scope(organization):
        invitation = Invitation.objects.get()
        assert (invitation.role, invitation.invited_by) == (Role.ADMIN, operator)
        entry = AuditEntry.objects.get(action="organization.opened")
        assert entry.actor == operator
        assert entry.data["admin_email"] == "hr@acme.example"

    admin = make_user("hr@acme.example")
    with tenant_scope(organization):
        membership = invitation_accept(token=_token(email.body), user=admin)
    assert membership.role == Role.ADMIN
    assert (
        _client(admin).get(reverse("invitation_list", kwargs={"org_slug": "newco"})).status_code
        == 200
    )

    listing = client.get(LIST).content.decode()
    assert "Newco Ltd" in listing
    assert "/o/newco/" in listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "Not A Slug"}, "slug", "Enter a valid"),
        ({"admin_email": "nobody"}, "admin_email", "valid email"),
        ({"name": "Acme\nLtd"}, "name", "control"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_creates_nothing(
    operator: User, change: dict[str, str], field: str, message: str
) -> None:
    response = _client(operator).post(NEW, {**FORM, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert not Organization.objects.filter(slug="newco").exists()
    assert mail.outbox == []


def test_an_address_already_taken_is_refused(operator: User, org_a: Tenant) -> None:
    response = _client(operator).post(NEW, {**FORM, "slug": org_a.slug})
    assert response.status_code == 400
    assert "already exists" in " ".join(response.context["form"].errors["slug"])
    assert Organization.objects.filter(slug=org_a.slug).count() == 1


@pytest.mark.parametrize("path", [LIST, NEW])
def test_only_operators_know_the_pages(org_a: Tenant, path: str) -> None:
    """Organisation admins and members get 404; anonymous people are sent to sign in."""
    for membership in (org_a.admin, org_a.member):
        client = _client(membership.user)
        assert client.get(path).status_code == 404
        assert client.post(path, FORM).status_code == 404
    assert Client().get(path).status_code == 302
    assert Client().post(path, FORM).status_code == 302
    assert not Organization.objects.filter(slug="newco").exists()


def test_a_staff_user_who_is_not_a_superuser_is_not_an_operator(db: None) -> None:
    user = make_user("staff@flipside.example")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert _client(user).get(NEW).status_code == 404


def test_the_command_opens_an_organisation(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "open_organization",
            "--name",
            "Newco Ltd",
            "--slug",
            "newco",
            "--admin-email",
            "hr@acme.example",
            stdout=out,
        )
    organization = Organization.objects.get(slug="newco")
    assert "Opened Newco Ltd at /o/newco/" in out.getvalue()
    assert _token(out.getvalue()) == _token(mail.outbox[0].body)
    with tenant_scope(organization):
        assert AuditEntry.objects.get(action="organization.opened").actor is None
        assert Membership.objects.count() == 0


def test_the_command_creates_nothing_when_the_invitation_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match=r"Nothing was created\. email: Enter a valid email"):
        call_command(
            "open_organization",
            "--name",
            "Newco Ltd",
            "--slug",
            "newco",
            "--admin-email",
            "nobody",
            stdout=StringIO(),
        )
    assert not Organization.objects.filter(slug="newco").exists()


def test_passwords_still_work_for_the_operator(operator: User) -> None:
    client = Client()
    assert client.login(email=operator.email, password=PASSWORD)
    assert client.get(LIST).status_code == 200
