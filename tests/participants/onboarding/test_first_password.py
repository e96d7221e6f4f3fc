"""A person with no account who follows a link from an email (the publish email's pair page) gets
in: "first time here?" on the sign-in page, an emailed one-use link, a password, the page they
wanted."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from matching import services
from matching.models import Pair
from organizations.models import AuditEntry, Membership
from participants.models import Person
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import matching_cohort, proposed_round

NEW_PASSWORD = "lantern-orchard-velvet-42"


def _published_pair(tenant: Tenant, capture: Any) -> tuple[Pair, str]:
    """A published pair whose people have no account; the mentee's "your pair" email's link."""
    cohort = matching_cohort(tenant, 1)
    matching_round = proposed_round(tenant, cohort)
    with tenant.scope(), capture(execute=True):
        services.round_publish(matching_round=matching_round, actor=tenant.admin.user)
    with tenant.scope():
        pair = Pair.objects.select_related("mentee__person").get(source_round=matching_round)
    email = next(m for m in mail.outbox if pair.mentee.person.email in m.to)
    url = re.search(r"https?://\S+/o/\S+/", email.body)
    assert url is not None
    mail.outbox.clear()
    return pair, url.group(0).split("://", 1)[1].split("/", 1)[1]


def _link(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/first-time/\S+/)", message.body)
    assert found is not None
    return found.group(1)


def test_a_person_without_account_gets_from_the_email_link_to_the_pair_page(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    pair, pair_path = _published_pair(org_a, django_capture_on_commit_callbacks)
    pair_path = "/" + pair_path
    assert pair_path == f"/o/{org_a.slug}/pairs/{pair.pk}/"
    person = pair.mentee.person
    client = Client()

    # The email's link asks for a sign-in, which offers "first time here?" with the way back.
    to_sign_in = client.get(pair_path)
    assert to_sign_in.status_code == 302
    sign_in = client.get(to_sign_in["Location"]).content.decode()
    first_time = reverse("first_password_request") + "?" + urlencode({"next": pair_path})
    assert "First time here?" in sign_in
    assert f'href="{first_time}"' in sign_in.replace("&amp;", "&")

    asked = client.get(first_time)
    assert asked.status_code == 200
    sent = client.post(
        reverse("first_password_request"), {"email": person.email.upper(), "next": pair_path}
    )
    assert sent.status_code == 200
    assert "Check your email" in sent.content.decode()
    assert [m.to for m in mail.outbox] == [[person.email]]
    link = _link(mail.outbox[0])

    opened = client.get(link)
    assert opened.status_code == 200
    assert person.email in opened.content.decode()
    assert not User.objects.filter(email__iexact=person.email).exists()  # opening changes nothing

    weak = client.post(link, {"full_name": person.full_name, "password": "123"})
    assert weak.status_code == 400
    done = client.post(link, {"full_name": person.full_name, "password": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == pair_path
    assert client.get(pair_path).status_code == 200  # signed in, on the pair page

    user = User.objects.get(email__iexact=person.email)
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    with org_a.scope():
        assert Membership.objects.get(user=user).role == "member"
        assert Person.objects.get(pk=person.pk).user == user
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "person.first_password_link_sent",
        "account.created_by_first_password_link",
        "membership.joined",
        "person.linked_to_account",
    } <= actions

    # One use: the link now says so, and creates nothing.
    again = Client().get(link)
    assert again.status_code == 410
    assert "used already" in again.content.decode()


def test_the_answer_does_not_tell_who_is_in_the_directory(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    pair, pair_path = _published_pair(org_a, django_capture_on_commit_callbacks)
    client = Client()
    url = reverse("first_password_request")
    unknown = client.post(url, {"email": "nobody@acme.test", "next": "/" + pair_path})
    known = client.post(url, {"email": pair.mentee.person.email, "next": "/" + pair_path})
    assert unknown.status_code == known.status_code == 200

    def page(response: Any, email: str) -> str:
        html = response.content.decode().replace(email, "")
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)

    assert page(unknown, "nobody@acme.test") == page(known, pair.mentee.person.email)
    assert [m.to for m in mail.outbox] == [[pair.mentee.person.email]]


def test_an_address_with_an_account_is_told_to_sign_in_and_no_link_is_sent(
    org_a: Tenant,
) -> None:
    client = Client()
    client.post(
        reverse("first_password_request"),
        {"email": org_a.admin.user.email, "next": f"/o/{org_a.slug}/"},
    )
    # The admin is in the directory only if a person has their address: add one.
    with org_a.scope():
        Person.objects.create(
            organization=org_a.organization, full_name="Admin", email=org_a.admin.user.email
        )
    client.post(
        reverse("first_password_request"),
        {"email": org_a.admin.user.email, "next": f"/o/{org_a.slug}/"},
    )
    assert len(mail.outbox) == 1
    assert "already have an account" in mail.outbox[0].subject
    assert "/accounts/first-time/" not in mail.outbox[0].body


def test_a_bad_or_foreign_link_is_refused(org_a: Tenant, org_b: Tenant) -> None:
    response = Client().get(reverse("first_password_set", kwargs={"token": "forged"}))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_a_next_outside_an_organisation_asks_for_the_emails_link(org_a: Tenant) -> None:
    response = Client().post(
        reverse("first_password_request"),
        {"email": "x@acme.test", "next": "https://evil.test/o/acme/"},
    )
    assert response.status_code == 200
    assert "Open the link in the email from your organisation again" in response.content.decode()
    assert mail.outbox == []
