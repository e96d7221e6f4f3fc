"""The OpenAPI schema tells what the API really does.

- Every operation documents the errors it can answer, with the one error body of
  ``core.api.errors``: 404 (an unknown organisation, or an object the caller cannot see), 403 (the
  access policy refused), 400 for operations that take a body or query parameters and for deletes
  (a rule may keep the object: a confirmed session stays on the record), 415 for a body in a
  content type the operation does not read.
  Callers without credentials get 404, as for an unknown organisation (a stranger learns nothing
  about which organisations exist); a bearer token that is not valid there (unknown, revoked,
  expired, another organisation's) is a 401 at any slug, existing or not, and is documented.
- Every POST of an organisation takes an optional ``Idempotency-Key`` header (the middleware
  ``organizations.idempotency``): it is documented as a header parameter with the answers only it
  gives, 409 (the first request with this key still runs) and 422 (the key was used for another
  request); a malformed key is a 400 like any bad input.
- A serializer whose fields depend on who reads them names those fields in
  ``Meta.viewer_dependent_fields``: they are documented as optional (the pair's two people get
  them, staff never do), not as required.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What went wrong, in words for people.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field (dotted paths into nested bodies); empty when none.",
    )


_ERRORS = {
    "400": "Invalid input, or a rule about values or states refused it (a delete included): the "
    "messages say which field and why.",
    "415": "The body's content type is not one the operation reads.",
    "401": "The bearer token is not valid here (unknown, revoked, expired or another "
    "organisation's): the same answer whether or not the organisation exists.",
    "403": "The access policy refused (the reason is in detail).",
    "404": "No such organisation or object, or not one you may see.",
    "409": "Idempotency-Key: the first request with this key is still running; retry later.",
    "422": "Idempotency-Key: this key was already used for a different request (method, path, "
    "query or body); nothing was done.",
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    OpenApiParameter.HEADER,
    required=False,
    description="Optional, 1 to 255 printable ASCII characters, chosen by you (a UUID is fine). "
    "The same key again within 24 hours, from the same token or account, with the same request "
    "answers the first outcome (its status and body, with the header Idempotent-Replayed: true) "
    "and does nothing twice; with a different request: 422; while the first still runs: 409.",
)


class FlipsideAutoSchema(AutoSchema):
    def _is_idempotent_post(self) -> bool:
        return self.method == "POST" and self.path.startswith("/api/v1/o/")

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._is_idempotent_post():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> Any:
        schema = super()._map_basic_serializer(serializer, direction)
        optional = getattr(getattr(serializer, "Meta", None), "viewer_dependent_fields", ())
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/o/"):
            return responses
        codes = ["401", "403", "404"]
        takes_body = self.method in ("POST", "PUT", "PATCH")
        takes_input = takes_body or any(
            parameter.get("in") == "query" for parameter in self._get_parameters()
        )
        if takes_input or self.method == "DELETE":
            codes.insert(0, "400")
        if takes_body:
            codes.append("415")
        if self._is_idempotent_post():
            codes += ["409", "422"]
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = _ERRORS[code]
                responses[code] = response
        return responses
