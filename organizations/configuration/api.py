"""The organisation settings in the API: GET/PATCH /api/v1/o/<slug>/settings/ and the logo at
PUT/DELETE …/settings/logo/ (multipart, field ``logo``). Same use cases as the page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.api.permissions import request_membership
from organizations.configuration import use_cases
from organizations.configuration.use_cases import Branding
from organizations.configuration.validation import MAX_LOGO_BYTES
from organizations.models import Membership, Organization


class SettingsSerializer(serializers.Serializer[Organization]):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=50)
    time_zone = serializers.CharField(max_length=64, help_text="An IANA name, e.g. Europe/London.")
    brand_colour = serializers.CharField(max_length=7, allow_blank=True)
    min_aggregate_size = serializers.IntegerField(min_value=2, max_value=100)
    require_mfa = serializers.BooleanField()
    has_logo = serializers.SerializerMethodField()
    logo_url = serializers.SerializerMethodField()

    def get_has_logo(self, organization: Organization) -> bool:
        brand: Branding = self.context["brand"]
        return brand.has_logo

    def get_logo_url(self, organization: Organization) -> str | None:
        brand: Branding = self.context["brand"]
        return brand.logo_url or None


class LogoSerializer(serializers.Serializer[Any]):
    logo = serializers.FileField()


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # IsOrganizationMember answered 404 otherwise
    return membership


def _body(actor: Membership) -> dict[str, Any]:
    organization, brand = use_cases.read_settings(actor=actor)
    return SettingsSerializer(organization, context={"brand": brand}).data


class SettingsView(APIView):
    """The organisation's own settings (admins). Changing ``slug`` moves every URL of the
    organisation, this one included: use the slug in the answer from then on."""

    @extend_schema(responses=SettingsSerializer)
    def get(self, request: Request, org_slug: str) -> Response:
        return Response(_body(_membership(request)))

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def patch(self, request: Request, org_slug: str) -> Response:
        actor = _membership(request)
        use_cases.read_settings(actor=actor)  # 403 before the body is read
        payload = SettingsSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        use_cases.update_settings(actor=actor, values=payload.validated_data)
        return Response(_body(actor))


class LogoView(APIView):
    """The organisation's logo (admins): PUT a PNG or JPEG (multipart field ``logo``, at most
    512 KB, 16 to 2000 px a side; SVG is refused), DELETE to remove it."""

    @extend_schema(request={"multipart/form-data": LogoSerializer}, responses=SettingsSerializer)
    def put(self, request: Request, org_slug: str) -> Response:
        actor = _membership(request)
        use_cases.read_settings(actor=actor)
        payload = LogoSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        content = payload.validated_data["logo"].read(MAX_LOGO_BYTES + 1)
        use_cases.update_settings(actor=actor, values={}, logo_content=content)
        return Response(_body(actor))

    @extend_schema(request=None, responses={200: SettingsSerializer})
    def delete(self, request: Request, org_slug: str) -> Response:
        actor = _membership(request)
        use_cases.update_settings(actor=actor, values={}, remove_logo=True)
        return Response(_body(actor))
