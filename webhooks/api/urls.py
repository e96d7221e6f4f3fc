"""Webhooks API under /api/v1/o/<slug>/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from webhooks.api import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhooks/", views.EndpointListView.as_view(), name="api-webhook-list"),
    path("webhooks/<id:pk>/", views.EndpointDetailView.as_view(), name="api-webhook-detail"),
    path(
        "webhooks/<id:pk>/rotate-secret/",
        views.RotateSecretView.as_view(),
        name="api-webhook-rotate-secret",
    ),
    path("webhooks/<id:pk>/test/", views.SendTestView.as_view(), name="api-webhook-test"),
    path(
        "webhooks/<id:pk>/deliveries/",
        views.DeliveryListView.as_view(),
        name="api-webhook-deliveries",
    ),
    path(
        "webhooks/<id:pk>/deliveries/<id:delivery_pk>/redeliver/",
        views.RedeliverView.as_view(),
        name="api-webhook-redeliver",
    ),
]
