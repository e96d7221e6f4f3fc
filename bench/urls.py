"""The product's URLs plus the two baselines the tenant API is compared with.

- ``/bench/bare``: a constant JSON body through the full middleware stack (no database, no DRF);
- ``/bench/drf-members/``: a plain DRF list of the same rows as the tenant API's member list
  (``bench.models.BareMembership``, a copy of the benchmarked organisation's memberships): the same
  fields, the user joined, cursor pagination on ``-id`` with ``?page_size=``; no organisation scope,
  no authentication, no permission, no throttle.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination

from bench.models import BareMembership
from mentoring.urls import handler400, handler403, handler404, handler500  # noqa: F401


def bare_view(request: HttpRequest) -> JsonResponse:
    """A constant JSON body through the full middleware stack: no database, no DRF, no auth."""
    return JsonResponse({"status": "ok", "items": list(range(20))})


class BareMembershipSerializer(serializers.ModelSerializer[BareMembership]):
    """The fields of ``organizations.api.serializers.MembershipSerializer``."""

    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = BareMembership
        fields = ("id", "email", "full_name", "role", "all_programs", "created_at")
        read_only_fields = fields


class BarePagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)


class BareMembershipList(generics.ListAPIView[BareMembership]):
    serializer_class = BareMembershipSerializer
    pagination_class = BarePagination
    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()

    def get_queryset(self) -> QuerySet[BareMembership]:
        return BareMembership.objects.select_related("user")


urlpatterns = [
    path("bench/bare", bare_view, name="bench-bare"),
    path("bench/drf-members/", BareMembershipList.as_view(), name="bench-drf-members"),
    path("", include("mentoring.urls")),
]
