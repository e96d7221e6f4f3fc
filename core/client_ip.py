"""The address a request comes from, the same for sign-in limits (allauth) and API throttles (DRF).

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
``settings.FLIPSIDE_TRUSTED_PROXY_COUNT`` proxies of our own appended to it: with 0 (the default,
no proxy) the header is ignored and the address is the connection's (``REMOTE_ADDR``); with N, it
is the N-th entry from the right, the one our outermost proxy saw. ``REST_FRAMEWORK["NUM_PROXIES"]``
is set from the same setting, and DRF reads the header exactly this way.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.FLIPSIDE_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("x-forwarded-for") if proxies else None
    if not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    candidate = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        # Our proxy writes valid addresses: anything else did not come from it.
        return remote
