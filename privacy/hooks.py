"""What privacy adds to lower apps (connected in ``PrivacyConfig.ready()``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from matching import hooks as matching_hooks
from organizations.models import Membership, Role
from participants import hooks as participant_hooks
from participants.models import Person
from privacy import rotation

matching_hooks.earlier_pairs.register(rotation.earlier_pairs)


@participant_hooks.person_page.register
def person_data_rights(membership: Membership, person: Person) -> dict[str, Any]:
    """An admin's links from a person's directory page to their export and erasure."""
    if membership.role != Role.ADMIN:
        return {}
    slug = membership.organization.slug
    return {
        "person_actions": [
            ("Export their data", reverse("person_data", args=[slug, person.pk])),
            ("Erase…", reverse("person_erase", args=[slug, person.pk])),
        ]
    }
