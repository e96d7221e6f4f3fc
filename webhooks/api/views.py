"""Webhooks in the API: adapters over ``webhooks.use_cases``, as the pages are (403 for anyone but
an admin before any id is read, 404 for another organisation's id, 400 with field messages)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import DefaultCursorPagination
from organizations.api.permissions import IsOrganizationMember, request_membership
from organizations.models import Membership
from webhooks import use_cases
from webhooks.models import SUBSCRIBABLE, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def _membership(request: Request) -> Membership:
    membership = request_membership(request)
    assert membership is not None  # IsOrganizationMember answered 404 otherwise
    return membership


class EndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE))

    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = (
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
            "updated_at",
        )


class EndpointCreateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=500)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE), allow_empty=False
    )


class EndpointUpdateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=500, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SUBSCRIBABLE), allow_empty=False, required=False
    )
    is_active = serializers.BooleanField(required=False)


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown this once.")

    class Meta(EndpointSerializer.Meta):
        fields: tuple[str, ...] = (*EndpointSerializer.Meta.fields, "secret")


class AttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt
        fields = ("number", "started_at", "status_code", "response_excerpt", "duration_ms", "error")


class DeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "message_id",
            "event_type",
            "payload",
            "status",
            "attempts_made",
            "created_at",
            "finished_at",
            "attempts",
        )


class EndpointListView(GenericAPIView[WebhookEndpoint]):
    """The organisation's webhook endpoints (admins); POST registers one (its secret shown once)."""

    ordering_fields = {
        "created": "created_at",
        "updated": "updated_at",
        "url": "url",
    }

    permission_classes = (IsOrganizationMember,)
    serializer_class = EndpointSerializer
    pagination_class = DefaultCursorPagination

    @extend_schema(operation_id="webhooks_list", responses={200: EndpointSerializer(many=True)})
    def get(self, request: Request, org_slug: str) -> Response:
        endpoints = use_cases.list_endpoints(actor=_membership(request))
        page = self.paginate_queryset(endpoints)
        return self.get_paginated_response(EndpointSerializer(page, many=True).data)

    @extend_schema(
        request=EndpointCreateSerializer,
        responses={201: EndpointWithSecretSerializer},
        operation_id="webhooks_create",
    )
    def post(self, request: Request, org_slug: str) -> Response:
        membership = _membership(request)
        use_cases.list_endpoints(actor=membership)  # 403 before the body
        body = EndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint, secret = use_cases.create_endpoint(
            actor=membership,
            url=body.validated_data["url"],
            description=body.validated_data["description"],
            event_types=body.validated_data["events"],
        )
        endpoint.secret = secret
        return Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetailView(GenericAPIView[WebhookEndpoint]):
    """One endpoint: read, change (PATCH: the fields given), delete."""

    permission_classes = (IsOrganizationMember,)
    serializer_class = EndpointSerializer

    @extend_schema(operation_id="webhooks_retrieve")
    def get(self, request: Request, org_slug: str, pk: int) -> Response:
        endpoint = use_cases.get_endpoint(actor=_membership(request), endpoint_id=pk)
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(request=EndpointUpdateSerializer, operation_id="webhooks_partial_update")
    def patch(self, request: Request, org_slug: str, pk: int) -> Response:
        membership = _membership(request)
        endpoint = use_cases.get_endpoint(actor=membership, endpoint_id=pk)
        body = EndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        given = body.validated_data
        endpoint = use_cases.update_endpoint(
            actor=membership,
            endpoint_id=pk,
            url=given.get("url", endpoint.url),
            description=given.get("description", endpoint.description),
            event_types=given.get("events", endpoint.events),
            is_active=given.get("is_active", endpoint.is_active),
        )
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(request=None, responses={204: None}, operation_id="webhooks_destroy")
    def delete(self, request: Request, org_slug: str, pk: int) -> Response:
        use_cases.delete_endpoint(actor=_membership(request), endpoint_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RotateSecretView(GenericAPIView[WebhookEndpoint]):
    """A new signing secret, shown this once; the old one stops at once."""

    permission_classes = (IsOrganizationMember,)
    serializer_class = EndpointWithSecretSerializer

    @extend_schema(request=None, operation_id="webhooks_rotate_secret")
    def post(self, request: Request, org_slug: str, pk: int) -> Response:
        endpoint, secret = use_cases.rotate_secret(actor=_membership(request), endpoint_id=pk)
        endpoint.secret = secret
        return Response(EndpointWithSecretSerializer(endpoint).data)


class SendTestView(GenericAPIView[WebhookDelivery]):
    """Queue a ``webhook.test`` event to this endpoint (202: its delivery, to follow in the log)."""

    permission_classes = (IsOrganizationMember,)
    serializer_class = DeliverySerializer

    @extend_schema(request=None, responses={202: DeliverySerializer}, operation_id="webhooks_test")
    def post(self, request: Request, org_slug: str, pk: int) -> Response:
        delivery = use_cases.send_test(actor=_membership(request), endpoint_id=pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryListView(GenericAPIView[WebhookDelivery]):
    """The endpoint's deliveries, newest first, each with its attempts."""

    ordering_fields = {
        "created": "created_at",
        "status": "status",
        "event_type": "event_type",
    }

    permission_classes = (IsOrganizationMember,)
    serializer_class = DeliverySerializer
    pagination_class = DefaultCursorPagination

    @extend_schema(
        operation_id="webhooks_deliveries_list", responses={200: DeliverySerializer(many=True)}
    )
    def get(self, request: Request, org_slug: str, pk: int) -> Response:
        _endpoint, deliveries = use_cases.list_deliveries(
            actor=_membership(request), endpoint_id=pk
        )
        page = self.paginate_queryset(deliveries.prefetch_related("attempts"))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


class RedeliverView(GenericAPIView[WebhookDelivery]):
    """Send a finished delivery's event again (a new delivery, the same ``webhook-id``)."""

    permission_classes = (IsOrganizationMember,)
    serializer_class = DeliverySerializer

    @extend_schema(
        request=None, responses={202: DeliverySerializer}, operation_id="webhooks_redeliver"
    )
    def post(self, request: Request, org_slug: str, pk: int, delivery_pk: int) -> Response:
        delivery = use_cases.redeliver(
            actor=_membership(request), endpoint_id=pk, delivery_id=delivery_pk
        )
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
