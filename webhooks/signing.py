"""Signing as the Standard Webhooks specification does (https://www.standardwebhooks.com/):

    webhook-id:        the message id (the same on every attempt of one delivery)
    webhook-timestamp: seconds since the epoch, when this attempt was made
    webhook-signature: "v1," + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))

The secret is shown as ``whsec_`` + base64 of 32 random bytes; the HMAC key is those bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "Content-Type": "application/json",
        "User-Agent": "Flipside-Webhooks/1",
    }


def verify(secret: str, message_id: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (and the tests): any of the space-separated signatures may match."""
    expected = signature(secret, message_id, int(timestamp), body)
    return any(hmac.compare_digest(expected, given) for given in header.split())
