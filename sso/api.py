"""The single sign-on settings in the API, one resource per kind (admins only, ``sso.access``):

- ``/api/v1/o/<slug>/settings/sso/oidc/``: GET, PUT (create or replace), PATCH (change some);
  the client secret is write-only (``has_client_secret`` says whether one is stored);
- ``/api/v1/o/<slug>/settings/sso/saml/``: the same; ``metadata_xml`` (write-only) or
  ``metadata_url`` (fetched on save) fill the IdP's fields, or they are given by hand.

Same use cases as the settings page; a provider that does not exist yet is a 404 for GET/PATCH.
Saving reads the OIDC issuer's discovery document or the SAML metadata URL (https only): an address
that cannot be read is a 400 on that field.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.text import single_line
from organizations.api.permissions import request_membership
from organizations.models import Membership
from sso import use_cases
from sso.forms import MAX_METADATA_CHARS
from sso.models import OidcProvider, SamlProvider
from sso.services import EDITABLE, SAML_EDITABLE, ProviderSettings, SamlSettings

NO_OIDC = "This organisation has no OpenID Connect provider yet: PUT one."
NO_SAML = "This organisation has no SAML provider yet: PUT one."


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # IsOrganizationMember answered 404 otherwise
    return membership


def _absolute(request: Request, name: str, org_slug: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"org_slug": org_slug}))


class OidcSettingsSerializer(serializers.Serializer[OidcProvider]):
    issuer = serializers.URLField(max_length=500)
    client_id = serializers.CharField(max_length=255, validators=[single_line])
    client_secret = serializers.CharField(
        max_length=1000,
        write_only=True,
        required=False,
        allow_blank=True,
        validators=[single_line],
        help_text="Write-only, stored encrypted. Required when creating; empty or left out keeps "
        "the stored one.",
    )
    email_claim = serializers.CharField(max_length=100, default="email", validators=[single_line])
    name_claim = serializers.CharField(max_length=100, default="name", validators=[single_line])
    is_enabled = serializers.BooleanField(default=True)
    sso_required = serializers.BooleanField(
        default=False,
        help_text="Members sign in through the provider only; admins with a second factor keep "
        "their password (break-glass).",
    )
    has_client_secret = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)
    redirect_uri = serializers.SerializerMethodField()
    start_url = serializers.SerializerMethodField()

    def get_has_client_secret(self, provider: OidcProvider) -> bool:
        return bool(provider.client_secret_encrypted)

    def get_redirect_uri(self, provider: OidcProvider) -> str:
        return str(self.context["urls"]["redirect_uri"])

    def get_start_url(self, provider: OidcProvider) -> str:
        return str(self.context["urls"]["start_url"])


class SamlSettingsSerializer(serializers.Serializer[SamlProvider]):
    metadata_xml = serializers.CharField(
        max_length=MAX_METADATA_CHARS,
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The IdP's metadata XML: fills idp_entity_id, sso_url and idp_certificates.",
    )
    metadata_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Or its https address, read when saving (10 s, 1 MB).",
    )
    idp_entity_id = serializers.CharField(
        max_length=500, required=False, allow_blank=True, validators=[single_line]
    )
    sso_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="The IdP's single sign-on address (HTTP-Redirect binding).",
    )
    idp_certificates = serializers.CharField(
        max_length=50_000,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="PEM signing certificates, several during a rollover.",
    )
    email_attribute = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        validators=[single_line],
        help_text="Empty: the NameID when it is an address, else email, mail or the "
        "emailaddress claim.",
    )
    name_attributes = serializers.CharField(
        max_length=400,
        required=False,
        allow_blank=True,
        validators=[single_line],
        help_text="Empty: name or displayName; two separated by a comma are joined.",
    )
    is_enabled = serializers.BooleanField(default=True)
    sso_required = serializers.BooleanField(default=False)
    updated_at = serializers.DateTimeField(read_only=True)
    sp_entity_id = serializers.SerializerMethodField()
    acs_url = serializers.SerializerMethodField()
    sp_metadata_url = serializers.SerializerMethodField()
    start_url = serializers.SerializerMethodField()

    def get_sp_entity_id(self, provider: SamlProvider) -> str:
        return str(self.context["urls"]["sp_metadata_url"])

    def get_acs_url(self, provider: SamlProvider) -> str:
        return str(self.context["urls"]["acs_url"])

    def get_sp_metadata_url(self, provider: SamlProvider) -> str:
        return str(self.context["urls"]["sp_metadata_url"])

    def get_start_url(self, provider: SamlProvider) -> str:
        return str(self.context["urls"]["start_url"])


OIDC_EXAMPLE = OpenApiExample(
    "An OpenID Connect provider",
    value={
        "issuer": "https://login.example.com",
        "client_id": "flipside",
        "client_secret": "s3cr3t-from-the-provider",
        "email_claim": "email",
        "name_claim": "name",
        "is_enabled": True,
        "sso_required": False,
    },
    request_only=True,
)
SAML_EXAMPLES = [
    OpenApiExample(
        "From a metadata URL",
        value={"metadata_url": "https://idp.example.com/metadata.xml", "is_enabled": True},
        request_only=True,
    ),
    OpenApiExample(
        "By hand",
        value={
            "idp_entity_id": "https://idp.example.com/saml",
            "sso_url": "https://idp.example.com/saml/sso",
            "idp_certificates": "-----BEGIN CERTIFICATE-----\nMIIC…\n-----END CERTIFICATE-----\n",
            "email_attribute": "",
            "name_attributes": "givenName,sn",
            "is_enabled": True,
            "sso_required": True,
        },
        request_only=True,
    ),
]


class OidcSettingsView(APIView):
    """The organisation's OpenID Connect provider (admins)."""

    def _urls(self, request: Request, org_slug: str) -> dict[str, str]:
        return {
            "redirect_uri": _absolute(request, "sso_callback", org_slug),
            "start_url": _absolute(request, "sso_login", org_slug),
        }

    def _body(self, request: Request, org_slug: str, provider: OidcProvider) -> Response:
        context = {"urls": self._urls(request, org_slug)}
        return Response(OidcSettingsSerializer(provider, context=context).data)

    @extend_schema(responses=OidcSettingsSerializer)
    def get(self, request: Request, org_slug: str) -> Response:
        provider = use_cases.provider_for_settings(actor=_membership(request))
        if provider is None:
            raise NotFound(NO_OIDC)
        return self._body(request, org_slug, provider)

    @extend_schema(
        request=OidcSettingsSerializer, responses=OidcSettingsSerializer, examples=[OIDC_EXAMPLE]
    )
    def put(self, request: Request, org_slug: str) -> Response:
        return self._save(request, org_slug, partial=False)

    @extend_schema(request=OidcSettingsSerializer, responses=OidcSettingsSerializer)
    def patch(self, request: Request, org_slug: str) -> Response:
        return self._save(request, org_slug, partial=True)

    def _save(self, request: Request, org_slug: str, *, partial: bool) -> Response:
        actor = _membership(request)
        existing = use_cases.provider_for_settings(actor=actor)  # 403 before the body is read
        if partial and existing is None:
            raise NotFound(NO_OIDC)
        payload = OidcSettingsSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        given: dict[str, Any] = payload.validated_data
        if partial and not given and existing is not None:  # an empty PATCH changes nothing
            return self._body(request, org_slug, existing)
        current = {name: getattr(existing, name) for name in EDITABLE} if existing else {}
        values = {**current, **given} if partial else given
        provider = use_cases.save_settings(
            actor=actor,
            values=ProviderSettings(
                issuer=values["issuer"],
                client_id=values["client_id"].strip(),
                client_secret=values.get("client_secret") or "",
                email_claim=values["email_claim"].strip(),
                name_claim=values["name_claim"].strip(),
                is_enabled=values["is_enabled"],
                sso_required=values["sso_required"],
            ),
        )
        return self._body(request, org_slug, provider)


IDP_FIELDS = ("idp_entity_id", "sso_url", "idp_certificates")


class SamlSettingsView(APIView):
    """The organisation's SAML 2.0 identity provider (admins), and the values to give it."""

    def _urls(self, request: Request, org_slug: str) -> dict[str, str]:
        return {
            "acs_url": _absolute(request, "sso_saml_acs", org_slug),
            "sp_metadata_url": _absolute(request, "sso_saml_metadata", org_slug),
            "start_url": _absolute(request, "sso_saml_login", org_slug),
        }

    def _body(self, request: Request, org_slug: str, provider: SamlProvider) -> Response:
        context = {"urls": self._urls(request, org_slug)}
        return Response(SamlSettingsSerializer(provider, context=context).data)

    @extend_schema(responses=SamlSettingsSerializer)
    def get(self, request: Request, org_slug: str) -> Response:
        provider = use_cases.saml_provider_for_settings(actor=_membership(request))
        if provider is None:
            raise NotFound(NO_SAML)
        return self._body(request, org_slug, provider)

    @extend_schema(
        request=SamlSettingsSerializer, responses=SamlSettingsSerializer, examples=SAML_EXAMPLES
    )
    def put(self, request: Request, org_slug: str) -> Response:
        return self._save(request, org_slug, partial=False)

    @extend_schema(request=SamlSettingsSerializer, responses=SamlSettingsSerializer)
    def patch(self, request: Request, org_slug: str) -> Response:
        return self._save(request, org_slug, partial=True)

    def _save(self, request: Request, org_slug: str, *, partial: bool) -> Response:
        actor = _membership(request)
        existing = use_cases.saml_provider_for_settings(actor=actor)  # 403 before the body
        if partial and existing is None:
            raise NotFound(NO_SAML)
        payload = SamlSettingsSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        given: dict[str, Any] = dict(payload.validated_data)
        if partial and not given and existing is not None:  # an empty PATCH changes nothing
            return self._body(request, org_slug, existing)
        current = {name: getattr(existing, name) for name in SAML_EDITABLE} if existing else {}
        if any(name in given for name in IDP_FIELDS) and "metadata_url" not in given:
            current["metadata_url"] = ""  # fields given by hand replace the metadata's
        values = {**current, **given} if partial else given
        provider = use_cases.save_saml_settings(
            actor=actor,
            values=SamlSettings(
                **{
                    name: values[name]
                    for name in SamlSettings.__dataclass_fields__
                    if name in values
                }
            ),
        )
        return self._body(request, org_slug, provider)
