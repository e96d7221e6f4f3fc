"""Dashboard pages under /o/<slug>/ (one module for the app; each feature keeps its own section)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from dashboards.calendar import views as calendar
from dashboards.exports import views as exports
from dashboards.homes import views as homes
from dashboards.overview import views as overview_views
from dashboards.program import views as program_views
from dashboards.report import views as report_views

urlpatterns: list[URLPattern | URLResolver] = []

# --- Homes: the first page after sign-in (dashboards/homes/) -------------------------------------
urlpatterns += [
    path("o/<slug:org_slug>/", homes.organization_home, name="organization_home"),
]

# --- Program dashboard and organisation overview (dashboards/program/, dashboards/overview/) ----
urlpatterns += [
    path(
        "o/<slug:org_slug>/programs/<id:program_pk>/dashboard/",
        program_views.program_dashboard,
        name="program_dashboard",
    ),
    path(
        "o/<slug:org_slug>/dashboard/",
        overview_views.organization_overview,
        name="organization_overview",
    ),
]

# --- Impact report (dashboards/report/) ----------------------------------------------------------
urlpatterns += [
    path(
        "o/<slug:org_slug>/programs/<id:program_pk>/report/",
        report_views.program_report,
        name="program_report",
    ),
    path(
        "o/<slug:org_slug>/programs/<id:program_pk>/report.pdf",
        report_views.program_report_pdf,
        name="program_report_pdf",
    ),
]

# --- Exports and reports (dashboards/exports/) ---------------------------------------------------
_EXPORTS = "o/<slug:org_slug>/programs/<id:program_pk>/exports/"
urlpatterns += [
    path(_EXPORTS, exports.program_exports, name="program_exports"),
    path(f"{_EXPORTS}<id:pk>/", exports.program_export_detail, name="program_export_detail"),
    path(
        f"{_EXPORTS}<id:pk>/download/<str:token>/",
        exports.program_export_download,
        name="program_export_download",
    ),
]

# --- The private calendar feed (dashboards/calendar/): the owner's page, and the feed by token ---
urlpatterns += [
    path("o/<slug:org_slug>/me/calendar/", calendar.my_calendar_feed, name="my_calendar_feed"),
    path("calendar/<slug:org_slug>/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
