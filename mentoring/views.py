from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from core.params import BadParameter
from organizations.selectors import organizations_of_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The organisation picker: straight in with one organisation, a choice with several."""
    choices = organizations_of_user(request.user)  # type: ignore[arg-type]
    if len(choices) == 1 and "pick" not in request.GET:
        return redirect("organization_home", org_slug=choices[0].organization.slug)
    return render(request, "home.html", {"choices": choices})


_API_DETAILS = {
    400: "Bad request.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    500: "Server error. It has been logged.",
    503: "The service is briefly unavailable. Try again in a few seconds.",
}


def _error(request: HttpRequest, template: str, status: int, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason or _API_DETAILS[status], "fields": {}}, status=status)
    return render(request, template, {"reason": reason}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400; refusals of a named parameter (``core.params.BadParameter``: the edge's unsafe text,
    an unknown filter value) say what was wrong, other exceptions' texts stay in the log."""
    if isinstance(exception, BadParameter):
        if request.path.startswith("/api/"):
            body = {
                "detail": "Some fields are invalid.",
                "fields": {exception.name: [exception.message]},
            }
            return JsonResponse(body, status=400)
        return _error(request, "errors/400.html", 400, f"{exception.name}: {exception.message}")
    return _error(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 with the policy's reason (``core.access.Forbidden``), the same words as the API's."""
    return _error(request, "errors/403.html", 403, str(exception or ""))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/404.html", 404)


# Seconds a client is asked to wait before trying again while the database is unreachable.
RETRY_AFTER_SECONDS = 10


def database_unavailable(exception: BaseException | None) -> bool:
    """The request failed because PostgreSQL could not be reached (restarting, failing over, the
    network): a temporary condition, answered 503, not a defect. Checks the causes too (a
    connection error raised while handling another error)."""
    from django.db import InterfaceError, OperationalError

    seen = 0
    while exception is not None and seen < 5:
        if isinstance(exception, OperationalError | InterfaceError):
            return True
        exception = exception.__cause__ or exception.__context__
        seen += 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without context processors that might touch the database that just failed.
    from django.template import loader

    if database_unavailable(sys.exc_info()[1]):
        # Django closes a connection that raised before the next request (CONN_HEALTH_CHECKS):
        # the same process serves again as soon as the database is back.
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": _API_DETAILS[503], "fields": {}}, status=503
            )
        else:
            response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _API_DETAILS[500], "fields": {}}, status=500)
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
