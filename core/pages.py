"""Small helpers shared by the server-rendered pages of every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def require_role(*roles: str) -> Callable[[View], View]:
    """Only members with one of these roles; others get 403 (they are members, so 404 hides nothing)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def add_form_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field messages next to their fields."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def paginate(request: HttpRequest, items: Any, per_page: int = 25) -> Page[Any]:
    """One page of ``items`` from ``?page=`` (a bad or out-of-range number gives a valid page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
