"""The impact report of a program: one read shared by the printable page and the PDF.

Policy: the program dashboard's (``dashboards.program.use_cases.dashboard_program``: admins and the
program's coordinators; anyone else 404). The report is the **unfiltered** program dashboard
(``program_dashboard_for`` with no filters: the same selectors, charts and privacy floor, nothing
recomputed) plus consented quotes and published stories (``selectors``). Every download, page or
PDF, leaves an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import User
from dashboards.charts import Chart
from dashboards.program.selectors import ProgramDashboard
from dashboards.program.use_cases import program_dashboard_for
from dashboards.report.selectors import Quote, consented_quotes, report_stories
from dashboards.report.svg import chart_svg
from feedback.models import SuccessStory
from organizations.audit import log_action
from organizations.models import Membership, Organization
from programs.models import Program

# The dashboard's charts in the report's order, by section.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Participation", ("funnel", "pairs", "sessions", "gaps", "response_rates")),
    ("Outcomes", ("outcomes", "pulse")),
    ("Actions", ("actions", "retention")),
)
FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class DrawnChart:
    chart: Chart
    svg: SafeString | None  # the same spec, drawn on the server


@dataclass
class ImpactReport:
    dashboard: ProgramDashboard
    quotes: list[Quote]
    stories: list[SuccessStory]
    generated_at: datetime
    sections: list[tuple[str, list[DrawnChart]]] = field(default_factory=list)

    @property
    def program(self) -> Program:
        return self.dashboard.program


def impact_report_for(
    *,
    membership: Membership,
    organization: Organization,
    actor: User,
    program_pk: int,
    format: str,
) -> ImpactReport:
    """The report of a program ``membership`` runs (404 otherwise), its charts drawn as SVG; the
    download is audited as ``dashboards.report.download`` with its format."""
    assert format in FORMATS
    dashboard, _form = program_dashboard_for(
        membership=membership, organization=organization, program_pk=program_pk, data={}
    )
    program = dashboard.program
    report = ImpactReport(
        dashboard=dashboard,
        quotes=consented_quotes(program),
        stories=report_stories(program),
        generated_at=timezone.now(),
    )
    for title, keys in SECTIONS:
        charts = [dashboard.charts[key] for key in keys if key in dashboard.charts]
        report.sections.append((title, [DrawnChart(c, chart_svg(c)) for c in charts]))
    log_action(
        actor=actor, action="dashboards.report.download", target=program, data={"format": format}
    )
    return report
