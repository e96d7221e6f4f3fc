"""The impact report against a hand-built program (``builders.report_program``): objectives with
their sentence, CI and progress, the floor, quotes only with consent and only from attributed
surveys, what changed, the PDF (a real PDF, text extractable, charts drawn from SVG), who may read
it and the audit entry of every download."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from feedback.models import Action, ActionStatus, SuccessStory
from organizations.models import AuditEntry, Role
from programs.models import Objective
from surveys.privacy import TOO_FEW
from surveys.stats import EN_DASH
from tests.conftest import Tenant
from tests.dashboards.program.builders import live_program
from tests.dashboards.report.builders import (
    AI,
    ANONYMOUS,
    HEARD,
    MENTOR_OBJECTIVE,
    NOT_QUOTED,
    OBJECTIVE,
    QUOTED,
    report_program,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db

SENTENCE_START = f"“{AI}” rose 1.0 point on a 5-point scale, 95 % CI 0.1{EN_DASH}1.9"


def _url(tenant: Tenant, program_pk: int, name: str = "program_report") -> str:
    return reverse(name, kwargs={"org_slug": tenant.slug, "program_pk": program_pk})


def _objective_pk(tenant: Tenant, statement: str) -> int:
    with tenant.scope():
        return Objective.objects.get(statement=statement).pk


def test_the_page_shows_each_objective_with_its_sentence_ci_and_progress(
    org_a: Tenant, client_for: Any
) -> None:
    group = report_program(org_a)
    page = client_for(org_a.coordinator.user).get(_url(org_a, group.program.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<h3 id="objective-{_objective_pk(org_a, OBJECTIVE)}">{OBJECTIVE}</h3>' in html
    assert SENTENCE_START in html
    # n 6, mean change 1.00, 95 % CI 0.06 to 1.94, baseline the pre mean 2.83, post 3.83, 86 %.
    assert "<td>6</td>" in html
    assert "<td>1.00</td>" in html
    assert "<td>0.06 to 1.94</td>" in html
    assert "<td>2.83 (pre mean)</td>" in html
    assert "<td>3.83</td>" in html
    assert '<span role="status">86 %</span>' in html
    # The mentors' objective has three pairs of answers: under the floor, no figure at all.
    mentors = html[html.index(f">{MENTOR_OBJECTIVE}</h3>") :]
    mentors = mentors[: mentors.index("</article>")]
    assert f"{TOO_FEW.capitalize()}." in mentors
    assert "<td>3</td>" not in mentors
    # No navigation chrome: the report stands alone, with its two links.
    assert 'class="site-header"' not in html
    assert _url(org_a, group.program.pk, "program_report_pdf") in html


def test_quotes_need_consent_and_an_attributed_survey(org_a: Tenant, client_for: Any) -> None:
    group = report_program(org_a)
    html = client_for(org_a.admin.user).get(_url(org_a, group.program.pk)).content.decode()
    assert QUOTED in html
    assert "A mentee, pre-program survey" in html.replace("&#x27;", "'")
    assert NOT_QUOTED not in html  # attributed, but not consented
    assert ANONYMOUS not in html  # consent flag set, but the survey is anonymous
    # No name next to a quote.
    with org_a.scope():
        name = group.mentees[0].person.full_name
    assert name not in html


def test_charts_are_drawn_as_svg_with_their_tables_and_the_floor(
    org_a: Tenant, client_for: Any
) -> None:
    group = report_program(org_a)
    html = client_for(org_a.admin.user).get(_url(org_a, group.program.pk)).content.decode()
    assert html.count('<div class="chart-svg" aria-hidden="true"><svg') >= 3
    assert '<th scope="col">Stage</th>' in html  # the funnel's table
    # The outcomes chart (mentors beside mentees): "heard" has three mentors, under the floor.
    outcomes = html[html.index('id="chart-outcomes-title"') :]
    outcomes = outcomes[: outcomes.index("</figure>")]
    assert f'<th scope="row">{AI}</th><td>1.0</td><td>1.0</td>' in outcomes
    assert f'<th scope="row">{HEARD}</th><td>{TOO_FEW}</td><td>{TOO_FEW}</td>' in outcomes
    assert "<script" not in html  # drawn on the server: nothing runs in the page


def test_what_changed_lists_shared_implemented_actions_and_published_stories(
    org_a: Tenant, client_for: Any
) -> None:
    world = live_program(org_a, pairs=1)
    pair, mentee = world.pairs[0], world.mentees[0]
    now = timezone.now()
    with org_a.scope():
        common = {"organization_id": pair.organization_id, "pair": pair, "owner": mentee}
        Action.objects.create(
            **common,
            title="Weekly AI office hour",
            status=ActionStatus.IMPLEMENTED,
            result="Twelve people come every week.",
            shared_at=now,
        )
        Action.objects.create(**common, title="Private plan", status=ActionStatus.IMPLEMENTED)
        Action.objects.create(
            **common, title="Shared but planned", status=ActionStatus.PLANNED, shared_at=now
        )
        story = {"organization_id": pair.organization_id, "pair": pair}
        SuccessStory.objects.create(
            **story,
            text="We rebuilt the onboarding together.",
            mentor_agreed_at=now,
            mentee_agreed_at=now - timedelta(days=1),
        )
        SuccessStory.objects.create(**story, text="Only one of us agreed.", mentor_agreed_at=now)
    html = client_for(org_a.admin.user).get(_url(org_a, world.program.pk)).content.decode()
    assert "Weekly AI office hour" in html
    assert "Twelve people come every week." in html
    assert "Private plan" not in html
    assert "Shared but planned" not in html
    assert "We rebuilt the onboarding together." in html
    assert "Only one of us agreed." not in html
    assert "No one has agreed to be quoted yet." in html


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_is_a_real_pdf_with_the_objective_sentence_and_svg_charts(
    org_a: Tenant, client_for: Any
) -> None:
    group = report_program(org_a)
    response = client_for(org_a.coordinator.user).get(
        _url(org_a, group.program.pk, "program_report_pdf")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="impact-report-')
    content = response.content
    assert content.startswith(b"%PDF-")
    text = _pdf_text(content)
    assert OBJECTIVE in text
    assert " ".join(SENTENCE_START.split()) in text
    assert QUOTED in text
    assert NOT_QUOTED not in text
    assert "Download PDF" not in text  # the page's links are left out of the PDF
    # The funnel's "Number of people" is its table's column and, drawn from the SVG, its axis
    # title: twice in the text (once only if the chart were not drawn).
    assert text.count("Number of people") == 2
    assert "the figures of the chart" not in text  # the tables' screen-reader captions


def test_only_the_programs_staff_read_it_and_every_download_is_audited(
    org_a: Tenant, client_for: Any
) -> None:
    group = report_program(org_a)
    member = make_member(org_a.organization, role=Role.MEMBER)
    for name in ("program_report", "program_report_pdf"):
        url = _url(org_a, group.program.pk, name)
        assert client_for(member.user).get(url).status_code == 404
        assert Client().get(url).status_code == 302  # signed out: to the sign-in page
    with org_a.scope():
        assert not AuditEntry.objects.filter(action="dashboards.report.download").exists()
    client = client_for(org_a.coordinator.user)
    assert client.get(_url(org_a, group.program.pk)).status_code == 200
    assert client.get(_url(org_a, group.program.pk, "program_report_pdf")).status_code == 200
    with org_a.scope():
        entries = list(
            AuditEntry.objects.filter(action="dashboards.report.download").order_by("id")
        )
    assert [(e.data["format"], e.object_id, e.actor_id) for e in entries] == [
        ("html", str(group.program.pk), org_a.coordinator.user.pk),
        ("pdf", str(group.program.pk), org_a.coordinator.user.pk),
    ]
    assert entries[0].object_type == "programs.program"


def test_the_dashboard_links_the_report_and_its_pdf(org_a: Tenant, client_for: Any) -> None:
    world = live_program(org_a, pairs=1)
    url = _url(org_a, world.program.pk, "program_dashboard")
    html = client_for(org_a.admin.user).get(url).content.decode()
    assert f'href="{_url(org_a, world.program.pk)}">Impact report</a>' in html
    assert f'href="{_url(org_a, world.program.pk, "program_report_pdf")}">Download PDF</a>' in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_program(org_a: Tenant, client_for: Any) -> None:
    small, large = live_program(org_a, pairs=1), live_program(org_a, pairs=6)
    client = client_for(org_a.admin.user)
    for name in ("program_report", "program_report_pdf"):
        assert _queries(client, _url(org_a, small.program.pk, name)) == _queries(
            client, _url(org_a, large.program.pk, name)
        )
