"""Directory groups: the identity provider's groups of people (SCIM ``Group``).

An organisation's IT keeps people in groups ("Reverse mentoring 2027 — executives") and pushes
them with SCIM; the directory lists and filters people by them. Writes are keyword-only, atomic,
validated and audited, as the directory's are; members are people of the scoped organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from core.text import single_line
from organizations.audit import log_action
from participants.models import DirectoryGroup, DirectoryGroupMember, Person

NAME_TAKEN = "A group already has this name."


def group_choices() -> list[tuple[int, str]]:
    """(id, name) of every group, by name: the directory's group filter."""
    return list(
        DirectoryGroup.objects.order_by(Lower("display_name"), "id").values_list(
            "id", "display_name"
        )
    )


def groups_of(person: Person) -> list[DirectoryGroup]:
    return list(DirectoryGroup.objects.filter(members=person).order_by(Lower("display_name"), "id"))


def member_ids(group: DirectoryGroup) -> list[int]:
    return list(
        DirectoryGroupMember.objects.filter(group=group)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


def _text(field: str, value: str) -> str:
    value = (value or "").strip()
    if len(value) > 255:
        raise ValidationError({field: "Use at most 255 characters."})
    try:
        single_line(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return value


def _clean_name(value: str, group: DirectoryGroup | None) -> str:
    name = _text("display_name", value)
    if not name:
        raise ValidationError({"display_name": "A group needs a name."})
    clash = DirectoryGroup.objects.filter(display_name__iexact=name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ValidationError({"display_name": NAME_TAKEN})
    return name


def _people(ids: Iterable[int]) -> list[Person]:
    wanted = set(ids)
    found = list(Person.objects.filter(pk__in=wanted))
    missing = wanted - {person.pk for person in found}
    if missing:
        listed = ", ".join(str(pk) for pk in sorted(missing)[:5])
        raise ValidationError({"members": f"No person with id {listed} in this directory."})
    return found


def _lock(group: DirectoryGroup) -> DirectoryGroup:
    return DirectoryGroup.objects.select_for_update().get(pk=group.pk)


@transaction.atomic
def group_create(
    *, actor: Any, display_name: str, external_id: str = "", member_ids: Iterable[int] = ()
) -> DirectoryGroup:
    name = _clean_name(display_name, None)
    people = _people(member_ids)
    group = DirectoryGroup.objects.create(
        display_name=name, external_id=_text("external_id", external_id or "")
    )
    DirectoryGroupMember.objects.bulk_create(
        DirectoryGroupMember(organization_id=group.organization_id, group=group, person=person)
        for person in people
    )
    log_action(
        actor=actor,
        action="directory_group.created",
        target=group,
        data={"name": name, "members": len(people)},
    )
    return group


@transaction.atomic
def group_update(
    *,
    actor: Any,
    group: DirectoryGroup,
    display_name: str | None = None,
    external_id: str | None = None,
) -> DirectoryGroup:
    group = _lock(group)
    changes: dict[str, Any] = {}
    if display_name is not None and display_name != group.display_name:
        changes["display_name"] = _clean_name(display_name, group)
    if external_id is not None and external_id != group.external_id:
        changes["external_id"] = _text("external_id", external_id)
    if changes:
        for field, value in changes.items():
            setattr(group, field, value)
        group.updated_at = timezone.now()
        group.save(update_fields=[*changes, "updated_at"])
        log_action(actor=actor, action="directory_group.changed", target=group, data=changes)
    return group


@transaction.atomic
def group_change_members(
    *,
    actor: Any,
    group: DirectoryGroup,
    add: Iterable[int] = (),
    remove: Iterable[int] = (),
    replace: Iterable[int] | None = None,
) -> DirectoryGroup:
    """Add and remove members, or (``replace``) make the members exactly these people. Adding a
    member twice or removing a non-member changes nothing (SCIM clients retry)."""
    group = _lock(group)
    current = set(member_ids(group))
    if replace is not None:
        wanted = {person.pk for person in _people(replace)}
    else:
        added = {person.pk for person in _people(add)}
        wanted = (current | added) - set(remove)
    joined, left = wanted - current, current - wanted
    if joined:
        DirectoryGroupMember.objects.bulk_create(
            DirectoryGroupMember(organization_id=group.organization_id, group=group, person_id=pk)
            for pk in sorted(joined)
        )
    if left:
        DirectoryGroupMember.objects.filter(group=group, person_id__in=left).delete()
    if joined or left:
        group.updated_at = timezone.now()
        group.save(update_fields=["updated_at"])
        log_action(
            actor=actor,
            action="directory_group.members_changed",
            target=group,
            data={"added": sorted(joined), "removed": sorted(left)},
        )
    return group


@transaction.atomic
def group_delete(*, actor: Any, group: DirectoryGroup) -> None:
    """The group goes; its people stay in the directory."""
    group = _lock(group)
    log_action(
        actor=actor,
        action="directory_group.deleted",
        target=group,
        data={"name": group.display_name},
    )
    group.delete()
