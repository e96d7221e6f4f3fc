"""Webhook pages under /o/<slug>/ (admins)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from webhooks import views

_ORG = "o/<slug:org_slug>/webhooks/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(_ORG, views.webhook_list, name="webhook_list"),
    path(f"{_ORG}<id:pk>/", views.webhook_edit, name="webhook_edit"),
    path(f"{_ORG}<id:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path(f"{_ORG}<id:pk>/rotate-secret/", views.webhook_rotate, name="webhook_rotate"),
    path(f"{_ORG}<id:pk>/test/", views.webhook_test, name="webhook_test"),
    path(f"{_ORG}<id:pk>/deliveries/", views.webhook_deliveries, name="webhook_deliveries"),
    path(
        f"{_ORG}<id:pk>/deliveries/<id:delivery_pk>/redeliver/",
        views.webhook_redeliver,
        name="webhook_redeliver",
    ),
]
