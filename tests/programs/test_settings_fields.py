"""A program's settings are listed once (``programs.models.PROGRAM_SETTINGS``); the services, the
page form, the API serializer and duplication cover exactly that list."""

from __future__ import annotations

from datetime import date

import pytest

from programs import services
from programs.api.serializers import ProgramDetailSerializer, ProgramSerializer
from programs.forms import ProgramForm
from programs.models import PROGRAM_DATES, PROGRAM_SETTINGS
from programs.validation import TERMINOLOGY_KEYS
from tests.conftest import Tenant
from tests.programs.conftest import make_program


def test_the_page_form_edits_exactly_the_settings(org_a: Tenant) -> None:
    with org_a.scope():
        form = ProgramForm()
    terms = {f"term_{key}" for key in TERMINOLOGY_KEYS}
    assert set(form.fields) == {*PROGRAM_SETTINGS, "focus_topics", *terms} - {"terminology"}
    with org_a.scope():
        initial = ProgramForm.initial_for(make_program(org_a))
    assert set(initial) >= set(PROGRAM_SETTINGS) - {"terminology"}


@pytest.mark.parametrize("serializer", [ProgramSerializer, ProgramDetailSerializer])
def test_the_api_writes_exactly_the_settings(serializer: type[ProgramSerializer]) -> None:
    writable = {name for name, field in serializer().fields.items() if not field.read_only}
    assert writable == {*PROGRAM_SETTINGS, "focus_topics"}


def test_the_services_refuse_anything_else(org_a: Tenant) -> None:
    program = make_program(org_a)
    with org_a.scope(), pytest.raises(ValueError, match="status"):
        services.program_update(actor=org_a.admin.user, program=program, values={"status": "x"})


def test_duplication_copies_every_setting_but_the_dates(org_a: Tenant) -> None:
    values = {
        "description": "Why we do it",
        "start_date": date(2031, 1, 5),
        "mid_review_date": date(2031, 3, 1),
        "end_date": date(2031, 6, 1),
        "time_zone": "Europe/Paris",
        "session_cadence_days": 7,
        "checkin_cadence_days": 21,
        "max_mentees_per_mentor": 3,
        "self_registration": True,
        "terminology": {"program": "flip"},
    }
    assert set(values) == set(PROGRAM_SETTINGS) - {"name"}
    program = make_program(org_a, "Spring", **values)
    with org_a.scope():
        copy = services.program_duplicate(actor=org_a.admin.user, program=program)
    assert copy.name == "Spring (copy)"
    for field in PROGRAM_SETTINGS:
        if field in PROGRAM_DATES:
            assert getattr(copy, field) is None, field
        elif field != "name":
            assert getattr(copy, field) == values[field], field
