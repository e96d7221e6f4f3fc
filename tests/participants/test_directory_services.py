"""Directory services: every field rule, manager resolution inside the organisation, no cycles,
audited writes, the reporting chain."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import AuditEntry
from participants import directory
from participants.models import Person
from tests.conftest import Tenant


def add_person(tenant: Tenant, email: str, **fields: Any) -> Person:
    """A person in ``tenant``'s directory, created through the service."""
    fields.setdefault("full_name", email.split("@")[0].replace(".", " ").title())
    with tenant.scope():
        return directory.person_create(
            organization=tenant.organization, actor=tenant.admin.user, email=email, **fields
        )


def _errors(tenant: Tenant, **fields: Any) -> dict[str, list[str]]:
    fields.setdefault("email", "someone@acme.test")
    fields.setdefault("full_name", "Someone")
    with tenant.scope(), pytest.raises(ValidationError) as raised:
        directory.person_create(organization=tenant.organization, actor=None, **fields)
    return raised.value.message_dict


def test_create_normalises_and_audits(org_a: Tenant) -> None:
    person = add_person(
        org_a,
        "  Dana.Exec@ACME.test ",
        full_name="Dana Exec",
        level="7",
        time_zone="europe/paris",
        languages="en, FR;pt_BR en",
        start_date=date(2020, 1, 6),
    )
    assert person.email == "dana.exec@acme.test"
    assert person.level == 7
    assert person.time_zone == "Europe/Paris"
    assert person.languages == ["en", "fr", "pt-br"]
    with org_a.scope():
        entry = AuditEntry.objects.get(action="person.created")
    assert entry.object_id == str(person.pk)
    assert entry.actor == org_a.admin.user


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"full_name": "  "}, "full_name"),
        ({"level": "11"}, "level"),
        ({"level": "0"}, "level"),
        ({"level": "Director"}, "level"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"languages": "english!"}, "languages"),
        ({"job_title": "x" * 201}, "job_title"),
    ],
)
def test_create_rejects_bad_fields_with_field_messages(
    org_a: Tenant, fields: dict[str, Any], field: str
) -> None:
    assert field in _errors(org_a, **fields)


def test_all_bad_fields_are_reported_at_once(org_a: Tenant) -> None:
    errors = _errors(org_a, email="bad", level="99", time_zone="Nowhere")
    assert set(errors) == {"email", "level", "time_zone"}


def test_named_levels_accept_names_and_numbers(org_a: Tenant) -> None:
    org_a.organization.level_labels = ["Associate", "Senior", "Manager", "Director", "VP"]
    org_a.organization.save()
    assert add_person(org_a, "a@acme.test", level="director").level == 4
    assert add_person(org_a, "b@acme.test", level=5).level == 5
    assert "level" in _errors(org_a, level="6")
    with org_a.scope():
        assert directory.level_label(org_a.organization, 4) == "Director"


def test_email_and_employee_id_are_unique_per_organisation(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    add_person(org_a, "sam@shared.test", employee_id="E1")
    assert "email" in _errors(org_a, email="SAM@shared.test")
    assert "employee_id" in _errors(org_a, email="other@acme.test", employee_id="E1")
    # Look-alike data in another organisation is no conflict.
    assert add_person(org_b, "sam@shared.test", employee_id="E1").organization_id == (
        org_b.organization.pk
    )


def test_manager_must_belong_to_the_organisation(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    foreign = add_person(org_b, "boss@bolt.test")
    with org_a.scope():
        with pytest.raises(ValidationError) as raised:
            directory.resolve_person(foreign.pk)
        assert "manager" in raised.value.message_dict
        with pytest.raises(ValidationError):
            directory.resolve_person("boss@bolt.test")
    # Even a Person object of another organisation handed to the service is refused.
    assert "manager" in _errors(org_a, manager=foreign)


def test_resolve_person_by_id_email_or_employee_id(org_a: Tenant) -> None:
    boss = add_person(org_a, "boss@acme.test", employee_id="1042")
    with org_a.scope():
        assert directory.resolve_person(boss.pk) == boss
        assert directory.resolve_person("BOSS@acme.test") == boss
        assert directory.resolve_person("1042") == boss  # numeric employee ids are not ids
        with pytest.raises(ValidationError):
            directory.resolve_person(str(boss.pk))


def test_manager_cycles_are_refused(org_a: Tenant) -> None:
    ceo = add_person(org_a, "ceo@acme.test")
    vp = add_person(org_a, "vp@acme.test", manager=ceo)
    lead = add_person(org_a, "lead@acme.test", manager=vp)
    with org_a.scope():
        with pytest.raises(ValidationError) as raised:
            directory.person_update(
                organization=org_a.organization, actor=None, person=ceo, manager=lead
            )
        assert "cycle" in raised.value.message_dict["manager"][0]
        with pytest.raises(ValidationError) as raised:
            directory.person_update(
                organization=org_a.organization, actor=None, person=ceo, manager=ceo
            )
        assert "own manager" in raised.value.message_dict["manager"][0]
        ceo.refresh_from_db()
        assert ceo.manager_id is None


def test_cycle_check_is_one_query_however_long_the_chain(org_a: Tenant) -> None:
    people = [add_person(org_a, "p0@acme.test")]
    for number in range(1, 30):
        people.append(add_person(org_a, f"p{number}@acme.test", manager=people[-1]))
    with (
        org_a.scope(),
        CaptureQueriesContext(connection) as queries,
        pytest.raises(ValidationError),
    ):
        directory.person_update(
            organization=org_a.organization, actor=None, person=people[0], manager=people[-1]
        )
    chain_queries = [q for q in queries.captured_queries if "RECURSIVE" in q["sql"]]
    assert len(chain_queries) == 1


def test_reporting_chain_nearest_first(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    ceo = add_person(org_a, "ceo@acme.test")
    vp = add_person(org_a, "vp@acme.test", manager=ceo)
    dev = add_person(org_a, "dev@acme.test", manager=vp)
    add_person(org_b, "ceo@bolt.test")
    with org_a.scope():
        assert directory.reporting_chain(dev) == [vp, ceo]
        assert directory.reporting_chain(ceo) == []
        assert directory.manager_map()[dev.pk] == vp.pk


def test_update_writes_only_changes_and_audits_field_names(org_a: Tenant) -> None:
    person = add_person(org_a, "kim@acme.test", job_title="Analyst")
    with org_a.scope():
        directory.person_update(
            organization=org_a.organization, actor=None, person=person, job_title="Analyst"
        )
        assert not AuditEntry.objects.filter(action="person.updated").exists()
        directory.person_update(
            organization=org_a.organization, actor=None, person=person, job_title="Lead"
        )
        entry = AuditEntry.objects.get(action="person.updated")
    assert entry.data == {"fields": ["job_title"]}


def test_deactivate_and_reactivate(org_a: Tenant) -> None:
    person = add_person(org_a, "lee@acme.test")
    with org_a.scope():
        directory.person_set_active(actor=None, person=person, active=False)
        assert not Person.objects.get(pk=person.pk).is_active
        assert person not in directory.person_list()
        assert person in directory.person_list(status="inactive")
        directory.person_set_active(actor=None, person=person, active=True)
        actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "person.deactivated" in actions
    assert "person.reactivated" in actions


def test_demographics_need_consent_and_configured_values(org_a: Tenant) -> None:
    org_a.organization.demographic_options = {"generation": ["Gen Z", "Millennial", "Gen X"]}
    org_a.organization.save()
    person = add_person(org_a, "ana@acme.test")
    with org_a.scope():
        with pytest.raises(ValidationError) as raised:
            directory.person_set_demographics(
                organization=org_a.organization,
                actor=None,
                person=person,
                demographics={"generation": "Gen Z"},
                consent=False,
            )
        assert "consent" in raised.value.message_dict["demographics"][0]
        with pytest.raises(ValidationError) as raised:
            directory.person_set_demographics(
                organization=org_a.organization,
                actor=None,
                person=person,
                demographics={"generation": "Boomer II"},
                consent=True,
            )
        assert "Boomer II" not in str(raised.value)  # never echo a person's answer
        directory.person_set_demographics(
            organization=org_a.organization,
            actor=None,
            person=person,
            demographics={"generation": "gen z"},
            consent=True,
        )
        person.refresh_from_db()
        assert person.demographics == {"generation": "Gen Z"}
        assert person.demographics_consented_at is not None
        entry = AuditEntry.objects.get(action="person.demographics_updated")
        assert "Gen Z" not in str(entry.data)
        directory.person_set_demographics(
            organization=org_a.organization,
            actor=None,
            person=person,
            demographics={},
            consent=False,
        )
        person.refresh_from_db()
        assert person.demographics == {}
        assert person.demographics_consented_at is None


def test_search_by_name_email_department(org_a: Tenant) -> None:
    add_person(org_a, "rita@acme.test", full_name="Rita Moreno", department="Finance")
    add_person(org_a, "tom@acme.test", full_name="Tom Baker", department="Engineering")
    with org_a.scope():
        assert [p.full_name for p in directory.person_list(search="rita")] == ["Rita Moreno"]
        assert [p.full_name for p in directory.person_list(search="engin")] == ["Tom Baker"]
        assert [p.full_name for p in directory.person_list(search="tom@")] == ["Tom Baker"]
        assert directory.department_list() == ["Engineering", "Finance"]


def test_demo_people_form_a_real_tree_and_load_once(org_a: Tenant) -> None:
    from participants.demo import load_demo_people

    people = load_demo_people(org_a.organization)
    assert 55 <= len(people) <= 70
    again = load_demo_people(org_a.organization)
    assert [p.pk for p in again] == [p.pk for p in people]
    with org_a.scope():
        assert Person.objects.count() == len(people)
        roots = [p for p in people if p.manager_id is None]
        assert len(roots) == 1
        assert roots[0].level == 10
        junior = next(p for p in people if p.level == 1)
        chain = directory.reporting_chain(junior)
        assert chain[-1] == roots[0]
        assert len({p.department for p in people}) >= 5
        assert len({p.time_zone for p in people}) >= 5
