"""Rotation history that survives erasure: a pair is kept only as a keyed hash of its two people.

Matching never pairs two people twice (``matching/engine/rules.py``, rule ``rotation``); it reads
earlier pairs by person. An erased person's directory entry is anonymised (``privacy/erasure``), so
if HR imports them again (same email address) they are a new person and their old pairs would be
forgotten. Before the entry is anonymised, each of their pairs becomes one ``ErasedPairing``:

    token(p)  = HMAC-SHA256(FLIPSIDE_ROTATION_SECRET, "<organisation id>:<lower-case email>")
    pair_key  = token(a) XOR token(b)                                     (hex, 64 characters)

XOR makes the key the same whichever side each person was on; without the secret a key tells
nothing (both tokens are pseudo-random), and with it one still needs both email addresses. A
round's cohort costs one HMAC per person and, per stored key, one set lookup per person: for each
person ``a`` the partner's token would be ``key XOR token(a)``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings

from organizations.scope import require_organization_id
from participants.models import Person
from privacy.models import ErasedPairing
from programs.models import Program


def person_token(organization_id: int, email: str) -> int:
    message = f"{organization_id}:{email.strip().lower()}".encode()
    key = settings.FLIPSIDE_ROTATION_SECRET.encode()
    return int.from_bytes(hmac.new(key, message, hashlib.sha256).digest(), "big")


def pair_key(organization_id: int, email_a: str, email_b: str) -> str:
    token = person_token(organization_id, email_a) ^ person_token(organization_id, email_b)
    return f"{token:064x}"


def remember_pairs(*, organization_id: int, email: str, partner_emails: Iterable[str]) -> int:
    """Keep the pairs of ``email`` with each partner as keyed hashes (idempotent)."""
    keys = {pair_key(organization_id, email, other) for other in partner_emails if other}
    ErasedPairing.objects.bulk_create(
        [ErasedPairing(organization_id=organization_id, pair_key=key) for key in sorted(keys)],
        ignore_conflicts=True,
    )
    return len(keys)


def earlier_pairs(program: Program, person_ids: frozenset[int]) -> list[tuple[int, int]]:
    """The pairs among ``person_ids`` that erased history remembers (``matching.hooks``)."""
    keys = [int(key, 16) for key in ErasedPairing.objects.values_list("pair_key", flat=True)]
    if not keys or not person_ids:
        return []
    organization_id = require_organization_id()
    people: dict[int, int] = {}
    for person_id, email in Person.objects.filter(pk__in=person_ids).values_list("id", "email"):
        people[person_token(organization_id, email)] = person_id
    found: set[tuple[int, int]] = set()
    for key in keys:
        for token, person_id in people.items():
            partner = people.get(key ^ token)
            if partner is not None and partner != person_id:
                found.add((min(person_id, partner), max(person_id, partner)))
    return sorted(found)
