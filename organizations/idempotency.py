"""``Idempotency-Key`` on API POSTs: a repeat gets the first result and does nothing twice.

A POST under ``/api/v1/o/<slug>/`` that carries the header is recorded per organisation, caller
(the token's key hash, or the signed-in user) and key, before the view runs:

- the same key again within ``KEEP_FOR`` with the same request (method, path, query, body):
  the first response, same status and body, with ``Idempotent-Replayed: true``;
- the same key with a different request: 422, nothing done;
- the same key while the first request is still running: 409, retry later (a record left
  ``running`` by a process that died is taken over after ``RUNNING_ABANDONED_AFTER``).

Only outcomes are kept (2xx, and 400/410/422: a refusal of the request itself); a 401, 403, 404,
409, 429 or 5xx response deletes the record, so the request may be sent again. The body is
fingerprinted as read: a form or multipart body from the fields and files Django already parsed
at the edge (``core.middleware``), never by reading the stream a second time; any other body from
``request.body`` (read before the view, which parses the cached copy).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from organizations.api.authentication import bearer_parts
from organizations.models import IdempotencyRecord, hash_secret
from organizations.scope import current_organization_id, dangerously_unscoped

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
RUNNING_ABANDONED_AFTER = timedelta(minutes=10)
MAX_STORED_BODY = 1_000_000
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_API_PREFIX = "/api/v1/o/"


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "fields": {HEADER: [message]}}, status=status)


def caller_of(request: HttpRequest) -> str | None:
    """Whose keys these are: the presented token (by its hash) or the signed-in user."""
    parts = bearer_parts(request)
    if parts is not None:
        if len(parts) != 2:
            return None
        return "token:" + hash_secret(parts[1].decode("latin-1"))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update((request.content_type or "").encode() + b"\0")
    if request.content_type in _FORM_TYPES:
        # Parsed once at the edge; the stream is gone, the parsed parts are the body.
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(f"{name}={value}".encode("utf-8", "surrogatepass") + b"\0")
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}:{upload.name}:{upload.size}".encode() + b"\0")
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _is_outcome(response: HttpResponse) -> bool:
    status = response.status_code
    return (200 <= status < 300 or status in (400, 410, 422)) and not response.streaming


def _claim(
    *, organization_id: int, caller: str, key: str, print_: str
) -> IdempotencyRecord | HttpResponse:
    """The new ``running`` record, or the answer a repeat gets instead of running."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    organization_id=organization_id, caller=caller, key=key, fingerprint=print_
                )
        except IntegrityError:
            pass
        earlier = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
        if earlier is None:
            continue  # purged or taken over meanwhile: claim again
        now = timezone.now()
        abandoned = (
            earlier.state == IdempotencyRecord.State.RUNNING
            and earlier.created_at < now - RUNNING_ABANDONED_AFTER
        )
        if earlier.created_at < now - KEEP_FOR or abandoned:
            IdempotencyRecord.objects.filter(pk=earlier.pk, created_at=earlier.created_at).delete()
            continue
        if earlier.state == IdempotencyRecord.State.RUNNING:
            return _error(
                409,
                "A request with this Idempotency-Key is still running; "
                "retry when it has finished to get its result.",
            )
        if earlier.fingerprint != print_:
            return _error(
                422,
                "This Idempotency-Key was already used with a different request (method, path "
                "or body); use a new key for a new request.",
            )
        replay = HttpResponse(
            bytes(earlier.response_body),
            status=earlier.response_status or 200,
            content_type=earlier.response_content_type or None,
        )
        replay["Idempotent-Replayed"] = "true"
        return replay
    return _error(409, "A request with this Idempotency-Key is still running; retry later.")


class IdempotencyMiddleware:
    """Runs inside the organisation's scope (after ``OrganizationMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The method first: ``request.headers`` builds a dict of every header (some 50 calls),
        # which a GET, page or API, need not pay for.
        if request.method != "POST" or not request.path_info.startswith(_API_PREFIX):
            return self.get_response(request)
        key = request.headers.get(HEADER)
        organization_id = current_organization_id()
        if key is None or organization_id is None:
            return self.get_response(request)
        if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
            return _error(400, "Send an Idempotency-Key of 1 to 255 printable ASCII characters.")
        caller = caller_of(request)
        if caller is None:
            return self.get_response(request)  # refused by authentication anyway
        claimed = _claim(
            organization_id=organization_id, caller=caller, key=key, print_=fingerprint(request)
        )
        if isinstance(claimed, HttpResponse):
            return claimed
        record = claimed
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if _is_outcome(response) and len(response.content) <= MAX_STORED_BODY:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                state=IdempotencyRecord.State.DONE,
                response_status=response.status_code,
                response_content_type=response.get("Content-Type", ""),
                response_body=response.content,
            )
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete every organisation's records older than ``KEEP_FOR`` (a sweeper: unscoped)."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    with dangerously_unscoped():
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
