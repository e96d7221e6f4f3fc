"""People's data rights API under /api/v1/o/<slug>/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from privacy.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/data/", views.MyDataView.as_view(), name="api-my-data"),
    path("people/<id:pk>/data/", views.PersonDataView.as_view(), name="api-person-data"),
    path("people/<id:pk>/erase/", views.PersonEraseView.as_view(), name="api-person-erase"),
    path(
        "data-exports/<id:pk>/",
        views.PersonExportDetailView.as_view(),
        name="api-person-export-detail",
    ),
    path(
        "data-exports/<id:pk>/download/<str:token>/",
        views.PersonExportDownloadView.as_view(),
        name="api-person-export-download",
    ),
    path("privacy/retention/", views.RetentionView.as_view(), name="api-retention"),
]
