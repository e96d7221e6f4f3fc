"""The two ways a sign-in through an identity provider fails, whatever the protocol (OpenID
Connect or SAML), so no answer of a provider can become a 500:

- ``IdpUnreachableError`` (502): the provider cannot be reached or answers with something unreadable;
- ``SignInRefusedError`` (400 or 403): the answer arrived and is not acceptable, with a sentence for
  the person.
"""

from __future__ import annotations


class IdpUnreachableError(Exception):
    """The identity provider could not be reached or gave no readable answer (502)."""


class SignInRefusedError(Exception):
    """The sign-in is refused; ``message`` is shown to the person as is."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
