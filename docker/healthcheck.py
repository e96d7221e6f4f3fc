"""Health check of the web container: ``GET /healthz`` on the gunicorn inside it.

The probe sends the first ``DJANGO_ALLOWED_HOSTS`` entry as its Host and ``X-Forwarded-Proto:
https`` (production settings trust that header from the proxy), so that neither the host check nor
``SECURE_SSL_REDIRECT`` turns a healthy server's answer into a 400 or a redirect.
"""

from __future__ import annotations

import http.client
import os
import sys


def probe_host() -> str:
    hosts = [host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    # ".example.org" allows example.org and its subdomains; "*" allows anything.
    return next((host.lstrip(".") for host in hosts if host and host != "*"), "localhost")


def main() -> int:
    port = int(os.environ.get("FLIPSIDE_HEALTHCHECK_PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(
            "GET", "/healthz", headers={"Host": probe_host(), "X-Forwarded-Proto": "https"}
        )
        status = connection.getresponse().status
    except OSError as exc:
        sys.stderr.write(f"healthcheck: /healthz unreachable: {exc}\n")
        return 1
    finally:
        connection.close()
    if status != 200:
        sys.stderr.write(f"healthcheck: /healthz answered {status}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
