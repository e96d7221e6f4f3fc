"""The private calendar feed: the person's own page to make, reset or turn off its URL, and the
feed itself, answered without sign-in (the token in the URL is the authority)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from dashboards.calendar.feed import feed_body
from feedback.calendar_tokens import feed_of, feed_reset, feed_revoke, feed_user_id
from organizations.http import OrgRequest
from organizations.models import Membership
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug


def feed_url(org_slug: str, token: str) -> str:
    return settings.SITE_URL + reverse("calendar_feed", args=(org_slug, token))


@require_http_methods(["GET", "POST"])
def my_calendar_feed(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Each member's own feed (no id in the URL: nobody else's). The URL is shown once, after
    it is made or reset; afterwards only that it exists (the token is stored hashed)."""
    new_url = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reset":
            token = feed_reset(organization_id=request.organization.pk, user=request.user)
            new_url = feed_url(org_slug, token)
        elif action == "revoke":
            feed_revoke(user=request.user)
            return redirect("my_calendar_feed", org_slug=org_slug)
        else:
            status = 400
    return render(
        request,
        "dashboards/calendar/my_feed.html",
        {
            "feed": feed_of(request.user.pk),
            "new_url": new_url,
            "error": "Choose to make a new link or to turn the feed off." if status == 400 else "",
        },
        status=status,
    )


@require_GET
def calendar_feed(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """The .ics feed of the token's owner; 404 for an unknown, reset or turned-off token, and for
    a token of another organisation (it is looked up inside the one the URL names)."""
    organization = organization_by_slug(org_slug)
    if organization is None:
        raise Http404("No such calendar.")
    with tenant_scope(organization):
        user_id = feed_user_id(token)
        if user_id is None or not Membership.objects.filter(user_id=user_id).exists():
            raise Http404("No such calendar.")
        body = feed_body(organization=organization, user_id=user_id)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
