"""The client secret at rest: Fernet (AES-128-CBC + HMAC) under a key derived from SECRET_KEY.

A leaked database dump alone does not reveal the secrets; rotating SECRET_KEY means entering the
client secrets again (``reveal`` then answers None and the settings page asks for it).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"flipside.sso.client-secret:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def reveal(sealed: str) -> str | None:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
