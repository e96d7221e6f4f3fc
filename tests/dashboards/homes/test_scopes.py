"""A participant's home is computed again after a write to anything it reads (its pairs and their
sessions, goals, notes and check-ins; its enrolments, the partner's, their charter, training and
survey rows; its programs and theirs) and stays warm after writes elsewhere in the organisation,
another pair's above all (``dashboards.homes.scopes``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import CASCADE
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from dashboards.homes import scopes, selectors
from feedback import goals as goal_services
from feedback.models import CheckIn, EngagementSnapshot, Goal, Note, SessionLog, Touchpoint
from feedback.sessions import services as sessions
from matching.models import MatchingRound, Pair, PairStatus
from organizations.models import Membership
from organizations.tenancy import TenantModel
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentSkill,
    EnrollmentStatus,
    Person,
    RegistrationQuestion,
    TrainingCompletion,
)
from programs.models import CharterVersion, Program, Topic, TrainingResource
from surveys.models import Survey, SurveyInvitation
from tests.conftest import Tenant
from tests.dashboards.homes.builders import live_program, people_pair, snapshot, today
from tests.feedback.test_engagement_builders import add_goal, check_in, log_session
from tests.participants.test_enrollment_builders import enrol, make_charter, make_person
from tests.surveys.respond.helpers import open_invitation
from tests.surveys.waves.builders import make_survey

pytestmark = pytest.mark.django_db


class World:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.program = live_program(tenant)
        with tenant.scope():
            self.charter = make_charter(self.program, 1)
        self.survey = make_survey(tenant, self.program)
        mine = people_pair(tenant, self.program)
        self.user: User = mine.mentor_user
        self.pair = mine.pair
        self.other = people_pair(tenant, self.program).pair
        self.elsewhere = live_program(tenant)
        self.far = people_pair(tenant, self.elsewhere).pair
        with tenant.scope():
            self.topic = Topic.objects.create(organization=tenant.organization, name="Listening")
            EnrollmentSkill.objects.create(
                organization=tenant.organization,
                enrollment_id=self.pair.mentor_id,
                topic=self.topic,
                direction="teach",
            )
        for pair in (self.pair, self.other, self.far):
            log_session(tenant, pair, today() - timedelta(days=2))
            check_in(tenant, pair, today() - timedelta(days=10), rating=4)
            check_in(tenant, pair, today() - timedelta(days=1))
            add_goal(tenant, pair, 30)
            snapshot(tenant, pair, "watch")
            open_invitation(tenant, self.survey, pair.mentor)


@pytest.fixture
def world(org_a: Tenant) -> World:
    return World(org_a)


class Computed:
    """How many times the participant home was computed (not read from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        compute = selectors.participant_home

        def counting(user_id: int, slug: str) -> Any:
            self.count += 1
            return compute(user_id, slug)

        monkeypatch.setattr(selectors, "participant_home", counting)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> Computed:
    return Computed(monkeypatch)


def _read(world: World) -> selectors.ParticipantHome:
    tenant = world.tenant
    with tenant.scope():
        membership = Membership.objects.get(user=world.user)
        return selectors.cached_participant_home(membership, tenant.slug)


def _tables_read(world: World) -> set[str]:
    with world.tenant.scope(), CaptureQueriesContext(connection) as queries:
        home = selectors.participant_home(world.user.pk, world.tenant.slug)
    assert home.enrollments
    assert home.enrollments[0].pairs
    assert home.enrollments[0].steps
    found: set[str] = set()
    for query in queries.captured_queries:
        found.update(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    return found


def _cascading_into(read: set[type[Any]]) -> set[type[Any]]:
    """The models whose deletion deletes rows of ``read`` with it (Django's cascade, which
    announces only the row deleted)."""
    return {
        field.related_model
        for model in read
        for field in model._meta.concrete_fields
        if field.is_relation and field.remote_field.on_delete is CASCADE
    }


def test_every_tenant_table_the_participant_home_reads_is_mapped_to_its_scopes(
    world: World,
) -> None:
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    read = {by_table[table] for table in _tables_read(world)}
    # A deletion of these takes rows the home reads with it: mapped as well.
    watched = {
        model
        for model in read | _cascading_into(read)
        if isinstance(model, type) and issubclass(model, TenantModel)
    }
    unmapped = {
        model._meta.label_lower
        for model in watched
        if model._meta.label_lower not in scopes.HOME_READS
    }
    assert unmapped == set()
    # And every model mapped is one it reads or one whose deletion cascades into it (the table is
    # not padded).
    assert set(scopes.HOME_READS) == {model._meta.label_lower for model in watched}


def _first(model: type[Any], **filters: Any) -> Any:
    return model.objects.filter(**filters).order_by("pk").first()


def _touch(row: Any) -> None:
    """Save a row unchanged: a write of it, as any service's would be."""
    row.save()


def _pause(pair: Pair) -> None:
    row = Pair.objects.get(pk=pair.pk)
    row.status = PairStatus.PAUSED
    row.save(update_fields=["status"])


Write = Callable[[World], Any]

# Writes that can change the person's home: each must make the next read compute it again.
CHANGES: dict[str, Write] = {
    "a session logged in their pair": lambda w: sessions.session_log(
        pair=w.pair, by=w.pair.mentee, actor=None, held_on=today(), duration_minutes=30
    ),
    "a session of their pair deleted": lambda w: _first(SessionLog, pair=w.pair).delete(),
    "a goal set in their pair": lambda w: goal_services.goal_create(
        pair=w.pair, by=w.pair.mentee, actor=None, owner="mentee", description="Ship it"
    ),
    "a goal of their pair moved": lambda w: _touch(_first(Goal, pair=w.pair)),
    "a note in their pair": lambda w: Note.objects.create(
        organization_id=w.pair.organization_id,
        pair=w.pair,
        author=w.pair.mentee,
        text="Shared",
        visibility="shared",
    ),
    "a check-in of their pair": lambda w: _touch(_first(CheckIn, pair=w.pair)),
    "their pair paused": lambda w: _pause(w.pair),
    "their pair saved": lambda w: _touch(Pair.objects.get(pk=w.pair.pk)),
    "their partner's enrolment": lambda w: _touch(Enrollment.objects.get(pk=w.pair.mentee_id)),
    "their own enrolment": lambda w: _touch(Enrollment.objects.get(pk=w.pair.mentor_id)),
    "their charter accepted": lambda w: CharterAcceptance.objects.create(
        organization_id=w.pair.organization_id,
        enrollment_id=w.pair.mentor_id,
        charter_version=w.charter,
    ),
    "a skill of theirs": lambda w: EnrollmentSkill.objects.create(
        organization_id=w.pair.organization_id,
        enrollment_id=w.pair.mentor_id,
        topic=Topic.objects.create(organization_id=w.pair.organization_id, name="Prompting"),
        direction="teach",
    ),
    "a topic deleted, with their skill in it": lambda w: Topic.objects.get(pk=w.topic.pk).delete(),
    "their training completed": lambda w: TrainingCompletion.objects.create(
        organization_id=w.pair.organization_id,
        enrollment_id=w.pair.mentor_id,
        resource=TrainingResource.objects.create(
            organization_id=w.pair.organization_id,
            program=w.program,
            title="Listening",
            url="https://learn.example.test/listening",
        ),
    ),
    "their survey invitation": lambda w: _touch(
        _first(SurveyInvitation, enrollment_id=w.pair.mentor_id)
    ),
    "their program": lambda w: _touch(Program.objects.get(pk=w.program.pk)),
    "their program's charter": lambda w: _touch(CharterVersion.objects.get(pk=w.charter.pk)),
    "their program's question": lambda w: RegistrationQuestion.objects.create(
        organization_id=w.pair.organization_id, program=w.program, text="Why?", kind="text"
    ),
    "their program's survey": lambda w: _touch(Survey.objects.get(pk=w.survey.pk)),
    "a person (any)": lambda w: _touch(_first(Person)),
    "sessions updated by a filter (rows unknown)": lambda w: SessionLog.objects.filter(
        pair=w.other
    ).update(learned="Edited"),
}

# Writes elsewhere in the organisation: the home stays warm.
ELSEWHERE: dict[str, Write] = {
    "a session logged in another pair of their program": lambda w: sessions.session_log(
        pair=w.other, by=w.other.mentee, actor=None, held_on=today(), duration_minutes=30
    ),
    "a check-in of another pair": lambda w: _touch(_first(CheckIn, pair=w.other)),
    "a goal of another pair": lambda w: _touch(_first(Goal, pair=w.other)),
    "another pair saved": lambda w: _touch(Pair.objects.get(pk=w.other.pk)),
    "another pair's enrolment": lambda w: _touch(Enrollment.objects.get(pk=w.other.mentor_id)),
    "another program": lambda w: _touch(Program.objects.get(pk=w.elsewhere.pk)),
    "their own pair's engagement snapshot (not shown to them)": lambda w: _touch(
        _first(EngagementSnapshot, pair=w.pair)
    ),
    "a round in their program (staff only)": lambda w: MatchingRound.objects.create(
        organization_id=w.pair.organization_id, program=w.program
    ),
    "a touchpoint": lambda w: Touchpoint.objects.create(
        organization_id=w.pair.organization_id,
        kind="email",
        due_at=timezone.now(),
        idempotency_key="scopes-test",
        payload={},
    ),
}


@pytest.fixture
def warm(world: World, computed: Computed) -> World:
    _read(world)
    _read(world)
    assert computed.count == 1  # computed once, then from the cache
    return world


@pytest.mark.parametrize("write", list(CHANGES), ids=list(CHANGES))
def test_a_write_to_what_the_home_reads_shows_on_the_next_read(
    warm: World, computed: Computed, write: str
) -> None:
    with warm.tenant.scope():
        CHANGES[write](warm)
    _read(warm)
    assert computed.count == 2


@pytest.mark.parametrize("write", list(ELSEWHERE), ids=list(ELSEWHERE))
def test_a_write_elsewhere_leaves_the_home_warm(
    warm: World, computed: Computed, write: str
) -> None:
    with warm.tenant.scope():
        ELSEWHERE[write](warm)
    _read(warm)
    assert computed.count == 1


def test_another_organisations_writes_leave_the_home_warm(
    warm: World, computed: Computed, org_b: Tenant
) -> None:
    theirs = World(org_b)  # the same shape, the same ids' neighbours
    with org_b.scope():
        sessions.session_log(
            pair=theirs.pair,
            by=theirs.pair.mentee,
            actor=None,
            held_on=today(),
            duration_minutes=30,
        )
        for pair in Pair.objects.all():
            _touch(pair)
        for program in Program.objects.all():
            _touch(program)
    _read(warm)
    assert computed.count == 1


def test_a_new_pair_of_theirs_shows_on_the_next_read(warm: World, computed: Computed) -> None:
    tenant = warm.tenant
    with tenant.scope():
        person = Person.objects.get(user=warm.user)
    mentor = enrol(tenant, warm.elsewhere, person, EnrollmentRole.MENTOR, EnrollmentStatus.ACCEPTED)
    mentee = enrol(
        tenant,
        warm.elsewhere,
        make_person(tenant),
        EnrollmentRole.MENTEE,
        EnrollmentStatus.ACCEPTED,
    )
    _read(warm)
    assert computed.count == 2  # enrolled elsewhere: a new scope
    with tenant.scope():
        new = Pair.objects.create(
            organization=tenant.organization,
            program=warm.elsewhere,
            mentor=mentor,
            mentee=mentee,
            activated_at=timezone.now(),
        )
    home = _read(warm)
    assert computed.count == 3
    assert new.pk in {card.pk for e in home.enrollments for card in e.pairs}


def test_the_new_session_is_on_the_page_after_the_write(warm: World) -> None:
    with warm.tenant.scope():
        sessions.session_log(
            pair=warm.pair, by=warm.pair.mentee, actor=None, held_on=today(), duration_minutes=30
        )
    [card] = [card for e in _read(warm).enrollments for card in e.pairs]
    assert card.last_session_on == today()
    assert "confirm_session" in {step.code for e in _read(warm).enrollments for step in e.steps}


def test_a_warm_home_costs_two_queries(warm: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        _read(warm)
    # The membership (this test's lookup) and the home's scopes; the rest comes from the cache.
    assert len(queries) == 2
