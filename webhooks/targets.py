"""Which URLs an endpoint may have: https (plain http only where
``FLIPSIDE_WEBHOOKS_ALLOW_HTTP``), and a host whose every address is public unless
``FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE`` (the host is resolved: a name pointing at 10.0.0.1, 127.0.0.1,
169.254.169.254 or any other loopback, private, link-local, reserved or multicast address is
refused). Checked when an endpoint is saved and again before every request (a name may be
re-pointed after it was saved)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

PRIVATE_REFUSED = (
    "This address is not reachable from the internet (loopback, private, link-local or reserved "
    "range): webhooks go only to public addresses."
)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise ValidationError({"url": "This host name does not resolve."}) from None
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str) -> None:
    """Raise a ``ValidationError`` on ``url`` naming what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError({"url": "Enter a valid URL."}) from None
    allowed = ("https", "http") if settings.FLIPSIDE_WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise ValidationError({"url": "The URL must start with https://."})
    if not parts.hostname:
        raise ValidationError({"url": "Enter a valid URL."})
    if parts.username or parts.password:
        raise ValidationError({"url": "Leave user names and passwords out of the URL."})
    if settings.FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE:
        return
    default_port = 443 if parts.scheme == "https" else 80
    addresses = resolve(parts.hostname, port or default_port)
    if not addresses or not all(_is_public(address) for address in addresses):
        raise ValidationError({"url": PRIVATE_REFUSED})
