"""Requests to addresses people typed in (webhook receivers, identity providers' discovery,
token, key and metadata URLs), made so that they cannot reach our own network.

An organisation's admin chooses these URLs. Without care, "https://10.0.0.5/" or a name that
resolves to 169.254.169.254 would make the server call into the network it runs in on an admin's
behalf (server-side request forgery). So:

- the host is resolved **once** (``resolve``), and unless private addresses are allowed (development
  and tests, where the other end runs on 127.0.0.1) every address must be public (``is_public``);
- the request connects to one of those checked addresses (``PinnedHTTPConnection`` /
  ``PinnedHTTPSConnection``) and keeps the name for the Host header, TLS SNI and the certificate
  check, so a DNS answer that changes between check and connection (rebinding) reaches nothing;
- no redirect is followed (a 3xx is the answer) and no proxy is used.

``fetch`` does all of it for one request; webhooks build on the same parts with their own messages.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit


class OutboundRefusedError(ValueError):
    """The URL may not be requested (scheme, host, or an address that is not public)."""


NOT_PUBLIC = (
    "This address is not reachable from the internet (loopback, private, link-local or reserved "
    "range)."
)


def is_public(address: str) -> bool:
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
    """Every address ``host`` resolves to (DNS: the one place a name becomes addresses)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise OutboundRefusedError("This host name does not resolve.") from None
    return sorted({str(info[4][0]) for info in infos})


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain http to a checked address; ``host`` (the name) stays in the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """https to a checked address, the certificate verified against the name (SNI and hostname
    check use ``host``, never the address)."""

    def __init__(
        self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address
        self.context = context

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def tls_context() -> ssl.SSLContext:
    """The system's trusted authorities, hostname checked, certificate required."""
    context = ssl.create_default_context()
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def pinned_connection(
    scheme: str, host: str, port: int, address: str, timeout: float
) -> http.client.HTTPConnection:
    if scheme == "https":
        return PinnedHTTPSConnection(
            host, port, address=address, timeout=timeout, context=tls_context()
        )
    return PinnedHTTPConnection(host, port, address=address, timeout=timeout)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes  # at most ``max_bytes`` + 1 bytes: longer means too long


def fetch(
    url: str,
    *,
    allow_private: bool,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    max_bytes: int = 1_000_000,
) -> Reply:
    """One request to ``url``: https (plain http only where private addresses are allowed), to an
    address checked as the module says. ``OutboundRefusedError`` when it may not be made; ``OSError``
    or ``http.client.HTTPException`` when the other end cannot be reached or speaks nonsense."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise OutboundRefusedError("The address has an invalid port.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise OutboundRefusedError("Use an https:// address.")
    if parts.username or parts.password:
        raise OutboundRefusedError("Leave user names and passwords out of the address.")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise OutboundRefusedError("This host name does not resolve.")
    if not allow_private and not all(map(is_public, addresses)):
        raise OutboundRefusedError(NOT_PUBLIC)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    refused: OSError | None = None
    for address in addresses:
        connection = pinned_connection(parts.scheme, host, port, address, timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, response.read(max_bytes + 1))
        except ConnectionRefusedError as error:
            refused = error  # this address is down: the next checked one may answer
        finally:
            connection.close()
    assert refused is not None
    raise refused
