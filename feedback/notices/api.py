"""``me/email-preferences/``: the requester's own email choices in this organisation (the API of
the ``me/emails/`` page; one use case, ``feedback.notices.use_cases``)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.parsers import SafeJSONParser
from feedback.notices.preferences import KINDS
from feedback.notices.use_cases import my_email_preferences, save_my_email_preferences
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.models import Membership


class EmailPreferencesSerializer(serializers.Serializer[Any]):
    """One true/false per kind of non-essential email (essential mail always goes)."""

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        return {
            kind.field: serializers.BooleanField(help_text=f"{kind.label}. {kind.help_text}")
            for kind in KINDS
        }


_EXAMPLE = {"partner_activity": True, "check_in_reminders": False, "survey_reminders": True}


class MyEmailPreferencesView(APIView):
    """Which non-essential emails you get here. Every member reads and changes their own, and
    nobody else's (there is no id)."""

    permission_classes = (IsOrganizationMember,)
    # JSON only: an empty form or multipart body cannot be told from "change nothing" (a PATCH
    # answered 200), and true/false read as text would be guesswork.
    parser_classes = (SafeJSONParser,)

    def _membership(self, request: Request) -> Membership:
        membership = request_membership(request)
        assert membership is not None  # the permission class answered 404 otherwise
        return membership

    @extend_schema(
        operation_id="v1_o_me_email_preferences_retrieve",
        responses={200: EmailPreferencesSerializer},
        examples=[OpenApiExample("Check-in reminders off", value=_EXAMPLE)],
    )
    def get(self, request: Request, org_slug: str) -> Response:
        return Response(my_email_preferences(membership=self._membership(request)))

    def _save(self, request: Request, *, partial: bool) -> Response:
        membership = self._membership(request)
        payload = EmailPreferencesSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        saved = save_my_email_preferences(
            membership=membership,
            actor=cast(User, request.user),
            values=payload.validated_data,
            partial=partial,
        )
        return Response(saved)

    @extend_schema(
        operation_id="v1_o_me_email_preferences_update",
        request=EmailPreferencesSerializer,
        responses={200: EmailPreferencesSerializer},
        examples=[OpenApiExample("Check-in reminders off", value=_EXAMPLE)],
    )
    def put(self, request: Request, org_slug: str) -> Response:
        """Every kind, true or false."""
        return self._save(request, partial=False)

    @extend_schema(
        operation_id="v1_o_me_email_preferences_partial_update",
        request=EmailPreferencesSerializer,
        responses={200: EmailPreferencesSerializer},
        examples=[
            OpenApiExample(
                "Survey reminders off", value={"survey_reminders": False}, request_only=True
            )
        ],
    )
    def patch(self, request: Request, org_slug: str) -> Response:
        """The kinds given; the others stay as they are."""
        return self._save(request, partial=True)
