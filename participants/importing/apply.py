"""Writing a checked import: every planned row in one go (the caller holds the transaction)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from organizations.models import Organization
from participants.importing.rows import Node, RowPlan
from participants.models import Person

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Applied:
    """The people an import added and those it changed (ids, in the file's row order)."""

    created: list[int]
    updated: list[int]


def apply_plans(organization: Organization, plans: list[RowPlan], *, now: datetime) -> Applied:
    """Create new people layer by layer (managers before their reports, so every manager id is
    known at insert time), then update changed people, in batches. Call inside a transaction."""
    new = {plan.index: plan for plan in plans if plan.existing_id is None}
    created: dict[int, int] = {}
    for layer in _layers(new):
        people = [_new_person(organization, plan, created, now) for plan in layer]
        Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
        created.update({plan.index: person.pk for plan, person in zip(layer, people, strict=True)})
    changed = [plan for plan in plans if plan.existing_id is not None and plan.changed]
    by_fields: dict[tuple[str, ...], list[Person]] = defaultdict(list)
    for plan in changed:
        person = Person(pk=plan.existing_id, organization_id=organization.pk, updated_at=now)
        for key in plan.changed:
            value = plan.values[key]
            setattr(person, key, _manager_id(value, created) if key == "manager_id" else value)
        by_fields[tuple(sorted(plan.changed))].append(person)
    for fields, people_ in by_fields.items():
        Person.objects.bulk_update(people_, [*fields, "updated_at"], batch_size=BATCH_SIZE)
    return Applied(
        created=[created[index] for index in sorted(created)],
        updated=[
            plan.existing_id
            for plan in sorted(changed, key=lambda plan: plan.index)
            if plan.existing_id is not None
        ],
    )


def _layers(new: dict[int, RowPlan]) -> list[list[RowPlan]]:
    depth: dict[int, int] = {}
    for index in new:
        chain = []
        current: int | None = index
        while current is not None and current not in depth:
            chain.append(current)
            manager = new[current].manager
            current = manager[1] if manager is not None and manager[0] == "r" else None
        base = depth[current] + 1 if current is not None else 0
        for offset, item in enumerate(reversed(chain)):
            depth[item] = base + offset
    layers: dict[int, list[RowPlan]] = defaultdict(list)
    for index, plan in new.items():
        layers[depth[index]].append(plan)
    return [layers[level] for level in sorted(layers)]


def _manager_id(node: Node | None, created: dict[int, int]) -> int | None:
    if node is None:
        return None
    return node[1] if node[0] == "p" else created[node[1]]


def _new_person(
    organization: Organization, plan: RowPlan, created: dict[int, int], now: datetime
) -> Person:
    values = dict(plan.values)
    manager = values.pop("manager_id", None)
    return Person(
        organization_id=organization.pk,
        manager_id=_manager_id(manager, created),
        created_at=now,
        updated_at=now,
        **values,
    )
