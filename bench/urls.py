"""The product's URLs plus one bare JSON view: the baseline the API is compared with."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from mentoring.urls import handler400, handler403, handler404, handler500  # noqa: F401


def bare_view(request: HttpRequest) -> JsonResponse:
    """A constant JSON body through the full middleware stack: no database, no DRF, no auth."""
    return JsonResponse({"status": "ok", "items": list(range(20))})


urlpatterns = [
    path("bench/bare", bare_view, name="bench-bare"),
    path("", include("mentoring.urls")),
]
