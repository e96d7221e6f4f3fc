"""Resolve the organisation from the URL and run the request inside its scope.

``/o/<slug>/…`` (pages): anonymous people are sent to sign in (whether or not the organisation
exists); signed-in non-members get 404, exactly as for an unknown slug, so nobody learns which
organisations exist. A member of an organisation that requires two-factor authentication
(``Organization.require_mfa``) who has none is sent to set it up (allauth MFA) and back. ``/api/v1/o/<slug>/…`` (API): the scope is entered here; authentication happens
in DRF (session or an organisation token looked up inside this scope) and the permission class
answers 404 to anyone who is not a member. A token that is not live in the URL's organisation is a
401, at an unknown slug too (so the answer never depends on whether the organisation exists).

The organisation is resolved from the slug through a per-process memory of a few seconds
(``selectors.organization_for_request``), so most requests pay no query for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from organizations.api.authentication import bearer_parts, invalid_token_response
from organizations.scope import dangerously_unscoped, no_scope, tenant_scope
from organizations.selectors import has_second_factor, membership_of, organization_for_request

_PAGE_PREFIX = re.compile(r"^/o/(?P<slug>[^/]+)/")
_API_PREFIX = re.compile(r"^/api/v1/o/(?P<slug>[^/]+)/")


class OrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]

        api_match = _API_PREFIX.match(request.path_info)
        if api_match:
            organization = organization_for_request(api_match["slug"])
            if organization is None:
                if bearer_parts(request) is not None:
                    # A token is refused the same way whether or not the slug exists.
                    return invalid_token_response()
                raise Http404("No such organisation.")
            request.organization = organization  # type: ignore[attr-defined]
            with tenant_scope(organization):
                return self.get_response(request)

        page_match = _PAGE_PREFIX.match(request.path_info)
        if page_match:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            organization = organization_for_request(page_match["slug"])
            if organization is None:
                raise Http404("No such organisation.")
            with tenant_scope(organization):
                membership = membership_of(request.user)
                if membership is None:
                    raise Http404("No such organisation.")
                if organization.require_mfa and not has_second_factor(request.user):
                    # The organisation requires a second factor: set it up first, then come back.
                    setup = reverse("mfa_activate_totp")
                    return redirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
                request.organization = organization  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
                return self.get_response(request)

        if request.path_info.startswith("/platform-admin/") and getattr(
            request.user, "is_staff", False
        ):
            # Platform operators administer every organisation: a sanctioned escape hatch.
            with dangerously_unscoped():
                return self.get_response(request)

        with no_scope():
            return self.get_response(request)
