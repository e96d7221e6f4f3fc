"""Pseudonyms: anonymous survey answers that still pair per person across waves.

The rule (DESIGN.md §7, tested in ``tests/surveys/test_pseudonyms.py``):

1. Each program has one random secret (``SurveyKey``, 32 bytes from ``secrets``), made on first use.
   No page, API, export, log or ``__str__`` shows it; no serializer has a field for it.
2. A response's pseudonym is ``HMAC-SHA256(secret, "<program id>:<person id>")`` in hex. The same
   person answering the pre and the post survey of one program gets the same pseudonym, so their
   anchor items pair; the same person in another program gets an unrelated one.
3. An anonymous response stores the pseudonym and nothing else that points at the person: no
   enrolment, no submission time, a random (UUID) primary key. Its invitation keeps "answered" and
   no time. Staff see aggregates over at least k respondents (``surveys/privacy.py``), never a
   response, so they cannot test a guess either: turning a pseudonym back into a person needs the
   secret, which only the database holds.
4. Pseudonyms are used only inside the results computation (to pair waves and to refuse a second
   answer); they are never shown or exported.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from surveys.models import SurveyKey


def program_secret(program_id: int) -> bytes:
    """The program's pseudonym secret, made on first use (concurrent first uses agree)."""
    key, _created = SurveyKey.objects.get_or_create(
        program_id=program_id, defaults={"secret": secrets.token_hex(32)}
    )
    return bytes.fromhex(key.secret)


def pseudonym(*, program_id: int, person_id: int, secret: bytes | None = None) -> str:
    """The keyed hash that stands for ``person_id`` in ``program_id``'s survey answers."""
    key = secret if secret is not None else program_secret(program_id)
    message = f"{program_id}:{person_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
