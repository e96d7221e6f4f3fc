from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from core.access import Forbidden
from organizations import services
from organizations.models import ApiToken
from tests.conftest import Tenant, login


def test_member_sees_home_without_admin_navigation(org_a: Tenant) -> None:
    client = login(Client(), org_a.member.user)
    html = client.get(f"/o/{org_a.slug}/").content.decode()
    assert "You are a member" in html
    assert f'href="/o/{org_a.slug}/invitations/"' not in html


def test_admin_navigation(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    html = client.get(f"/o/{org_a.slug}/").content.decode()
    for path in ("members/", "invitations/", "audit-log/", "api-tokens/"):
        assert f'href="/o/{org_a.slug}/{path}"' in html


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("member", "members/", 403),
        ("coordinator", "members/", 200),
        ("coordinator", "invitations/", 403),
        ("coordinator", "audit-log/", 403),
        ("member", "api-tokens/", 403),
        ("coordinator", "api-tokens/", 200),
    ],
)
def test_page_roles(org_a: Tenant, role: str, path: str, status: int) -> None:
    client = login(Client(), getattr(org_a, role).user)
    response = client.get(f"/o/{org_a.slug}/{path}")
    assert response.status_code == status
    if status == 403:
        assert "Not allowed" in response.content.decode()


def test_invitation_form_shows_field_errors_and_keeps_input(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/o/{org_a.slug}/invitations/", {"email": "member@acme.test", "role": "member"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This person is already a member of the organisation." in html
    assert 'value="member@acme.test"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.django_db(transaction=True)
def test_invitation_form_sends_the_invitation(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/o/{org_a.slug}/invitations/",
        {"email": "new@acme.test", "role": "coordinator"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Invitation sent to new@acme.test." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["new@acme.test"]]


def test_empty_states(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    assert (
        "No invitations sent yet." in client.get(f"/o/{org_a.slug}/invitations/").content.decode()
    )
    assert "You have no API tokens" in client.get(f"/o/{org_a.slug}/api-tokens/").content.decode()


def test_member_cannot_reach_or_use_the_tokens_page_by_url(org_a: Tenant) -> None:
    client = login(Client(), org_a.member.user)
    home = client.get(f"/o/{org_a.slug}/").content.decode()
    assert f'href="/o/{org_a.slug}/api-tokens/"' not in home
    page = client.get(f"/o/{org_a.slug}/api-tokens/")
    assert page.status_code == 403
    assert "API tokens are for administrators and coordinators." in page.content.decode()
    made = client.post(f"/o/{org_a.slug}/api-tokens/", {"name": "Calendar sync", "scope": "read"})
    assert made.status_code == 403
    with org_a.scope():
        assert not ApiToken.objects.exists()


def test_the_token_service_refuses_a_member_too(org_a: Tenant) -> None:
    with org_a.scope(), pytest.raises(Forbidden):
        services.api_token_create(
            organization=org_a.organization, user=org_a.member.user, name="shell"
        )


def test_api_token_key_is_shown_once(org_a: Tenant) -> None:
    client = login(Client(), org_a.coordinator.user)
    html = client.post(
        f"/o/{org_a.slug}/api-tokens/", {"name": "Calendar sync", "scope": "read"}
    ).content.decode()
    assert "Copy your new token now." in html
    key = html.split('id="new-token">')[1].split("<")[0]
    assert key.startswith("fs_")
    again = client.get(f"/o/{org_a.slug}/api-tokens/").content.decode()
    assert key not in again
    assert "Calendar sync" in again
    assert (
        Client().get(f"/api/v1/o/{org_a.slug}/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code
        == 200
    )


def test_member_list_is_paginated(org_a: Tenant) -> None:
    from tests.factories import make_member

    for _ in range(30):
        make_member(org_a.organization)
    client = login(Client(), org_a.admin.user)
    html = client.get(f"/o/{org_a.slug}/members/").content.decode()
    assert "Page 1 of 2" in html
    assert "Page 2 of 2" in client.get(f"/o/{org_a.slug}/members/?page=2").content.decode()
    assert client.get(f"/o/{org_a.slug}/members/?page=nonsense").status_code == 200


def test_pages_send_a_strict_csp(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    csp = client.get(f"/o/{org_a.slug}/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_errors_render_friendly_pages(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get("/o/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_htmx_invitation_post_returns_only_the_panel(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    url = f"/o/{org_a.slug}/invitations/"
    response = client.post(url, {"email": "bad", "role": "member"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="invitations-panel">')
    assert "<html" not in html
    assert "Enter a valid email address." in html
    response = client.post(
        url, {"email": "fresh@acme.test", "role": "member"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Invitation sent to fresh@acme.test." in html
    assert "fresh@acme.test</td>" in html
