"""Which URLs an endpoint may have: https (plain http only where
``FLIPSIDE_WEBHOOKS_ALLOW_HTTP``), and a host whose every address is public unless
``FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE`` (the host is resolved: a name pointing at 10.0.0.1, 127.0.0.1,
169.254.169.254 or any other loopback, private, link-local, reserved or multicast address is
refused). Checked when an endpoint is saved and again before every request (a name may be
re-pointed after it was saved).

Before a request the host is resolved **once** (``check_target``): the addresses that passed the
check are the ones the request connects to (``webhooks.delivery``), so a DNS server that answers a
public address to the check and 127.0.0.1 to the connection (rebinding) reaches nothing."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from core import outbound

PRIVATE_REFUSED = (
    "This address is not reachable from the internet (loopback, private, link-local or reserved "
    "range): webhooks go only to public addresses."
)


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``addresses``, every one checked) and what to ask for
    (``host`` stays the name: the Host header and the TLS certificate are checked against it)."""

    scheme: str
    host: str
    port: int
    path: str  # with the query, never empty
    addresses: tuple[str, ...]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (``core.outbound.resolve``; tests stand in here)."""
    try:
        return outbound.resolve(host, port)
    except outbound.OutboundRefusedError:
        raise ValidationError({"url": "This host name does not resolve."}) from None


def _parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an acceptable URL; a ``ValidationError`` else."""
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
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def _checked_addresses(host: str, port: int) -> tuple[str, ...]:
    addresses = resolve(host, port)
    if not addresses:
        raise ValidationError({"url": "This host name does not resolve."})
    if not settings.FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE and not all(map(outbound.is_public, addresses)):
        raise ValidationError({"url": PRIVATE_REFUSED})
    return tuple(addresses)


def check_target(url: str) -> Target:
    """Before a request: the target of ``url``, its host resolved once and every address checked;
    a ``ValidationError`` naming what is wrong."""
    scheme, host, port, path = _parse(url)
    return Target(scheme, host, port, path, _checked_addresses(host, port))


def check_url(url: str) -> None:
    """When an endpoint is saved: a ``ValidationError`` naming what is wrong with ``url`` (the
    host is resolved only where private addresses are refused: a developer's receiver may not
    exist yet)."""
    _scheme, host, port, _path = _parse(url)
    if not settings.FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE:
        _checked_addresses(host, port)
