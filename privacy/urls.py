"""People's data rights pages under /o/<slug>/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from privacy import views

_ORG = "o/<slug:org_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{_ORG}me/data/", views.my_data, name="my_data"),
    path(f"{_ORG}people/<id:pk>/data/", views.person_data, name="person_data"),
    path(f"{_ORG}people/<id:pk>/erase/", views.person_erase, name="person_erase"),
    path(f"{_ORG}data-exports/<id:pk>/", views.person_export_detail, name="person_export_detail"),
    path(
        f"{_ORG}data-exports/<id:pk>/download/<str:token>/",
        views.person_export_download,
        name="person_export_download",
    ),
    path(f"{_ORG}privacy/retention/", views.retention_settings, name="retention_settings"),
]
