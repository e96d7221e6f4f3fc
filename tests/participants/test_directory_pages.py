"""Directory pages: roles, search, forms with field errors, no demographics, pinned query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Person
from tests.conftest import Tenant, login
from tests.participants.test_directory_services import add_person


def _client(tenant: Tenant, role: str = "admin") -> Client:
    return login(Client(), getattr(tenant, role).user)


def _url(name: str, tenant: Tenant, **kwargs: int) -> str:
    return reverse(name, kwargs={"org_slug": tenant.slug, **kwargs})


def test_member_gets_403_on_every_directory_page(org_a: Tenant) -> None:
    person = add_person(org_a, "p@acme.test")
    client = _client(org_a, "member")
    for name, kwargs in [
        ("person_list", {}),
        ("person_create", {}),
        ("person_detail", {"pk": person.pk}),
        ("person_edit", {"pk": person.pk}),
        ("import_list", {}),
    ]:
        assert client.get(_url(name, org_a, **kwargs)).status_code == 403, name
    for name in ("person_deactivate", "person_reactivate"):
        assert client.post(_url(name, org_a, pk=person.pk)).status_code == 403, name


def test_coordinator_uses_the_directory_but_not_imports(org_a: Tenant) -> None:
    client = _client(org_a, "coordinator")
    assert client.get(_url("person_list", org_a)).status_code == 200
    assert client.get(_url("import_list", org_a)).status_code == 403


def test_empty_state_then_list_search_and_filters(org_a: Tenant) -> None:
    client = _client(org_a)
    response = client.get(_url("person_list", org_a))
    assert "The directory is empty" in response.content.decode()
    boss = add_person(org_a, "rita@acme.test", full_name="Rita Moreno", department="Finance")
    add_person(org_a, "tom@acme.test", full_name="Tom Baker", department="Eng", manager=boss)
    html = client.get(_url("person_list", org_a)).content.decode()
    assert "Rita Moreno" in html
    assert "Tom Baker" in html
    html = client.get(_url("person_list", org_a), {"q": "baker"}).content.decode()
    assert "Tom Baker" in html
    assert "rita@acme.test" not in html
    html = client.get(_url("person_list", org_a), {"department": "Finance"}).content.decode()
    assert "Rita Moreno" in html
    assert "Tom Baker" not in html
    html = client.get(_url("person_list", org_a), {"q": "nobody"}).content.decode()
    assert "Nobody matches" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "AAA"}, "status"),
        ({"department": "No such department"}, "department"),
        ({"level": "99"}, "level"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_a_filter_value_the_form_refuses_is_a_400_with_its_message(
    org_a: Tenant, query: dict[str, str], field: str
) -> None:
    """Never silently ignored: the page says which filter is wrong and shows everyone active."""
    add_person(org_a, "rita@acme.test", full_name="Rita Moreno", department="Finance")
    response = _client(org_a).get(_url("person_list", org_a), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert "Rita Moreno" in html


def test_list_query_count_does_not_grow_with_people(org_a: Tenant) -> None:
    client = _client(org_a)
    boss = add_person(org_a, "boss@acme.test")
    client.get(_url("person_list", org_a))  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url("person_list", org_a)).status_code == 200
        return len(captured.captured_queries)

    few = count()
    for number in range(30):
        add_person(org_a, f"p{number}@acme.test", manager=boss, department=f"D{number % 4}")
    assert count() == few
    # session, user, organisation, membership, departments, groups (the filter's choices), count,
    # page (+ savepoint); the RLS settings ride with the statements, no round trip of their own
    assert few == 8


def test_detail_shows_manager_reports_and_chain_but_no_demographics(org_a: Tenant) -> None:
    org_a.organization.demographic_options = {"generation": ["Gen Z"]}
    org_a.organization.save()
    ceo = add_person(org_a, "ceo@acme.test", full_name="Cleo Ceo")
    vp = add_person(org_a, "vp@acme.test", full_name="Vic Vp", manager=ceo)
    add_person(org_a, "jun@acme.test", full_name="Jun Junior", manager=vp)
    with org_a.scope():
        Person.objects.filter(pk=vp.pk).update(demographics={"generation": "Gen Z"})
    html = _client(org_a).get(_url("person_detail", org_a, pk=vp.pk)).content.decode()
    assert "Cleo Ceo" in html
    assert "Jun Junior" in html
    assert "Gen Z" not in html
    assert "generation" not in html.lower()
    list_html = _client(org_a).get(_url("person_list", org_a)).content.decode()
    assert "Gen Z" not in list_html


def test_create_edit_with_field_errors(org_a: Tenant) -> None:
    client = _client(org_a, "coordinator")
    add_person(org_a, "taken@acme.test")
    response = client.post(
        _url("person_create", org_a),
        {
            "full_name": "New Person",
            "email": "taken@acme.test",
            "manager": "ghost@acme.test",
            "time_zone": "Nowhere/Land",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"manager"}
    response = client.post(
        _url("person_create", org_a),
        {"full_name": "New Person", "email": "taken@acme.test", "time_zone": "Nowhere/Land"},
    )
    assert set(response.context["form"].errors) == {"email", "time_zone"}
    response = client.post(
        _url("person_create", org_a),
        {
            "full_name": "New Person",
            "email": "new@acme.test",
            "manager": "taken@acme.test",
            "time_zone": "UTC",
            "level": "3",
            "languages": "en, de",
        },
    )
    assert response.status_code == 302
    with org_a.scope():
        person = Person.objects.select_related("manager").get(email="new@acme.test")
    assert person.manager is not None
    assert person.manager.email == "taken@acme.test"
    response = client.get(_url("person_edit", org_a, pk=person.pk))
    assert response.context["form"].initial["manager"] == "taken@acme.test"
    response = client.post(
        _url("person_edit", org_a, pk=person.pk),
        {"full_name": "Renamed", "email": "new@acme.test", "time_zone": "UTC", "manager": ""},
    )
    assert response.status_code == 302
    with org_a.scope():
        person.refresh_from_db()
    assert (person.full_name, person.manager_id) == ("Renamed", None)


def test_edit_refuses_a_manager_cycle(org_a: Tenant) -> None:
    ceo = add_person(org_a, "ceo@acme.test")
    add_person(org_a, "vp@acme.test", manager=ceo)
    response = _client(org_a).post(
        _url("person_edit", org_a, pk=ceo.pk),
        {
            "full_name": "Ceo",
            "email": "ceo@acme.test",
            "time_zone": "UTC",
            "manager": "vp@acme.test",
        },
    )
    assert response.status_code == 400
    assert "cycle" in response.context["form"].errors["manager"][0]


def test_manager_from_another_organisation_is_a_field_error(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    add_person(org_b, "boss@bolt.test", employee_id="B1")
    for reference in ("boss@bolt.test", "B1"):
        response = _client(org_a).post(
            _url("person_create", org_a),
            {"full_name": "X", "email": "x@acme.test", "time_zone": "UTC", "manager": reference},
        )
        assert response.status_code == 400
        assert "manager" in response.context["form"].errors


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_deactivate_and_reactivate(org_a: Tenant, role: str) -> None:
    person = add_person(org_a, "p@acme.test")
    client = _client(org_a, role)
    assert client.post(_url("person_deactivate", org_a, pk=person.pk)).status_code == 302
    with org_a.scope():
        assert not Person.objects.get(pk=person.pk).is_active
    assert client.post(_url("person_reactivate", org_a, pk=person.pk)).status_code == 302
    with org_a.scope():
        assert Person.objects.get(pk=person.pk).is_active
