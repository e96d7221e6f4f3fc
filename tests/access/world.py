"""One coherent organisation for the role-by-action matrix (no tests here).

Org A ("acme") runs one program, P, in which every actor has a meaningful place:

- ``admin``: the organisation's admin (takes part in nothing);
- ``coordinator``: a coordinator (organisation role) assigned to P;
- ``other_coordinator``: a coordinator assigned only to Q, another program of org A;
- ``org_coordinator``: an org-wide coordinator (``Membership.all_programs``), assigned to nothing,
  who coordinates every program (P and Q) because an admin said so on the members page;
- ``mentor`` and ``mentee``: the two people of P's published, active pair;
- ``outsider``: a plain member enrolled in P as an accepted mentee but not paired (a person of the
  program outside the pair, not a stranger to it: that is the harder case for the pair policy);
- ``anonymous``: nobody signed in.

Everything a route's URL takes belongs to P or to its pair: the pair's session, shared and private
notes (both the mentor's), goal, check-ins (the mentor's: one waiting, one answered earlier), a
proposed round over P's free people with a pin and a block, an applicant's enrolment, a registration
question, an objective, the charter, a training resource, the coordinator's assignment, an
engagement snapshot and a review decision (the review of P is open). Routes about one member or
person address people of P: member routes the outsider's membership, directory routes the mentee's
entry, enrolment accept/decline the mentee's enrolment. Organisation-wide objects (an invitation,
the admin's own API token, an import job, an audit entry) belong to org A. Org B ("bolt") exists
as in every fixture set.

The URL kwargs come from the cross-tenant matrix (``tests/tenancy/routes``): :func:`build` returns
the ids under the keys its ``Route.kwargs`` builders read, all pointing into this one world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from feedback import engagement, goals, links, notes, review
from feedback.models import CheckIn, CheckInStatus, NoteVisibility
from feedback.sessions import services as sessions
from matching import services as matching
from matching.models import ProposedPair
from organizations import services as organizations
from organizations.models import AuditEntry, Role
from participants.importing import jobs as importing
from participants.models import EnrollmentRole, EnrollmentStatus, RegistrationQuestion
from programs import content
from programs import services as programs
from programs.models import Program, Topic
from programs.selectors import current_charter
from tests.access.areas import AREAS
from tests.access.areas.context import Context
from tests.conftest import Tenant, _tenant
from tests.factories import make_member
from tests.feedback.builders import live_pair
from tests.matching.test_rounds_builders import WEIGHTS, accept_charter, add_person
from tests.participants.test_enrollment_builders import enrol, make_person, make_program

# Text written in the pair's life, and who may read it (feedback/visibility.py).
TEXTS = {
    "session_learned": "We tried three prompt patterns",
    "shared_note": "Shared with my mentee",
    "private_note": "For my eyes only",
    "check_in_blockers": "Calendar is too full",
}
READERS = {
    "session_learned": frozenset({"mentor", "mentee"}),
    "shared_note": frozenset({"mentor", "mentee"}),
    "private_note": frozenset({"mentor"}),
    "check_in_blockers": frozenset({"mentor", "admin", "coordinator", "org_coordinator"}),
}


@dataclass
class World:
    org_a: Tenant
    org_b: Tenant
    # The signed-in user of each actor (None for anonymous).
    users: dict[str, User | None]
    # URL ids, under the keys of the cross-tenant matrix's kwargs builders (plus a few of ours).
    ids: dict[str, Any]
    # Each signed-in actor's session key (set by the test module's fixture).
    sessions: dict[str, str] = field(default_factory=dict)


def build() -> World:
    org_a, org_b = _tenant("acme"), _tenant("bolt")
    admin = org_a.admin.user

    live = live_pair(org_a)
    program, pair = live.program, live.pair
    with org_a.scope():
        topics = list(Topic.objects.filter(name__startswith=f"Topic {program.pk}-").order_by("pk"))
    # The outsider and three more free people: a proposed round has someone to propose.
    outsider = add_person(
        org_a,
        program,
        EnrollmentRole.MENTEE,
        topics=topics,
        levels={1: 5},
        user=org_a.member.user,
    )
    free_mentee = add_person(org_a, program, EnrollmentRole.MENTEE, topics=topics, levels={2: 5})
    free_mentors = [
        add_person(org_a, program, EnrollmentRole.MENTOR, topics=topics, levels={k: 5})
        for k in (1, 2)
    ]
    accept_charter(org_a, program, [outsider, free_mentee, *free_mentors])
    applicant = enrol(
        org_a, program, make_person(org_a), EnrollmentRole.MENTOR, EnrollmentStatus.APPLIED
    )

    other_coordinator = make_member(
        org_a.organization,
        role=Role.COORDINATOR,
        email="other-coordinator@acme.test",
        full_name="Olly Othercoordinator",
    ).user
    other_program = make_program(org_a, name="Another program")
    org_coordinator_membership = make_member(
        org_a.organization,
        role=Role.COORDINATOR,
        email="org-coordinator@acme.test",
        full_name="Orla Orgwide",
    )

    today = date.today()
    with org_a.scope():
        assignment = programs.coordinator_assign(
            actor=admin, program=program, user=org_a.coordinator.user
        )
        programs.coordinator_assign(actor=admin, program=other_program, user=other_coordinator)
        organizations.membership_set_all_programs(
            actor=admin, membership=org_coordinator_membership, all_programs=True
        )
        objective = content.objective_create(
            actor=admin,
            program=program,
            values={"statement": "Leaders use AI weekly", "measure": "Q1", "target": 1},
        )
        training = content.training_create(
            actor=admin, program=program, values={"title": "Listening well", "body": "Read"}
        )
        charter = current_charter(program=program)
        assert charter is not None
        question = RegistrationQuestion.objects.create(
            organization=org_a.organization, program=program, text="Why?", kind="short_text"
        )

        # A proposed round over the free people, then a pin of one proposal and a block.
        matching_round = matching.round_create(program=program, actor=admin, weights=WEIGHTS)
        matching.round_start(matching_round=matching_round, actor=admin)
        assert matching.run_round(round_id=matching_round.pk) == "proposed"
        proposal = ProposedPair.objects.filter(round=matching_round).order_by("id").first()
        assert proposal is not None
        pin = matching.pin_create(
            program=program, actor=admin, mentor=proposal.mentor, mentee=proposal.mentee
        )
        block = matching.block_create(
            program=program,
            actor=admin,
            mentor=next(m for m in free_mentors if m.pk != proposal.mentor_id),
            mentee=proposal.mentee,
        )

        # The pair's life: a session, a shared and a private note, a goal, a check-in.
        session = sessions.session_log(
            pair=pair,
            by=live.mentor,
            actor=live.mentor_user,
            held_on=today - timedelta(days=1),
            duration_minutes=30,
            learned=TEXTS["session_learned"],
        )
        shared_note = notes.note_create(
            pair=pair,
            author=live.mentor,
            actor=live.mentor_user,
            text=TEXTS["shared_note"],
            visibility=NoteVisibility.SHARED,
        )
        private_note = notes.note_create(
            pair=pair,
            author=live.mentor,
            actor=live.mentor_user,
            text=TEXTS["private_note"],
            visibility=NoteVisibility.PRIVATE,
        )
        goal = goals.goal_create(
            pair=pair,
            by=live.mentee,
            actor=live.mentee_user,
            owner="mentee",
            description="Use an AI assistant every week",
        )
        check_in = CheckIn.objects.create(
            organization=org_a.organization,
            pair=pair,
            enrollment=live.mentor,
            due_on=today,
            status=CheckInStatus.SENT,
            sent_at=timezone.now(),
        )
        # An earlier one the mentor answered: its blockers are for the mentor and staff.
        CheckIn.objects.create(
            organization=org_a.organization,
            pair=pair,
            enrollment=live.mentor,
            due_on=today - timedelta(days=14),
            status=CheckInStatus.ANSWERED,
            sent_at=timezone.now() - timedelta(days=14),
            answered_at=timezone.now() - timedelta(days=13),
            rating=2,
            blockers=TEXTS["check_in_blockers"],
        )

        # The mid-program review is open (it opened yesterday): a snapshot and a decision.
        Program.objects.filter(pk=program.pk).update(mid_review_date=today - timedelta(days=1))
        program.refresh_from_db()
        [outcome] = engagement.compute_program(program, today=today)
        decision = review.decision_record(
            pair=pair, actor=admin, decision="continue", note="On track."
        )

        # Organisation-wide objects.
        invitation, invitation_token = organizations.invitation_create(
            organization=org_a.organization,
            actor=admin,
            email="newcomer@acme.test",
            role="member",
        )
        api_token, _key = organizations.api_token_create(
            organization=org_a.organization, user=admin, name="HRIS"
        )
        job = importing.import_upload(
            organization=org_a.organization,
            actor=admin,
            file_name="people.csv",
            content=b"Email,Name\nnew@acme.test,New Person\n",
        )
        audit_id = AuditEntry.objects.values_list("pk", flat=True).first()

    users: dict[str, User | None] = {
        "admin": admin,
        "coordinator": org_a.coordinator.user,
        "other_coordinator": other_coordinator,
        "org_coordinator": org_coordinator_membership.user,
        "mentor": live.mentor_user,
        "mentee": live.mentee_user,
        "outsider": org_a.member.user,
        "anonymous": None,
    }
    ids: dict[str, Any] = {
        # organisation (tests/tenancy/routes/core.py); "member" is the outsider's membership
        "member": org_a.member.pk,
        "invitation": invitation.pk,
        "invitation_token": invitation_token,
        "api_token": api_token.pk,
        "audit": audit_id,
        # programs
        "pg_topic": topics[0].pk,
        "pg_program": program.pk,
        "pg_objective": objective.pk,
        "pg_charter": charter.pk,
        "pg_training": training.pk,
        "pg_program_coordinator": assignment.pk,
        # directory: the mentee's directory entry
        "person": live.mentee.person_id,
        "import": job.pk,
        # enrolment: "own" is the mentee's accepted enrolment
        "enrol_program": program.pk,
        "own_enrollment": live.mentee.pk,
        "applicant_enrollment": applicant.pk,
        "question": question.pk,
        "training": training.pk,
        # matching
        "matching_round": matching_round.pk,
        "matching_pin": pin.pk,
        "matching_block": block.pk,
        "matching_pair": pair.pk,
        "pages_program": program.pk,
        "pages_round": matching_round.pk,
        "pages_proposal": proposal.pk,
        "pages_pin": pin.pk,
        "pages_block": block.pk,
        "pair_page_pair": pair.pk,
        "pair_page_program": program.pk,
        "pair_page_mentee": live.mentee.pk,
        # the pair's life
        "relationship_pair": pair.pk,
        "relationship_session": session.pk,
        "relationship_note": shared_note.pk,
        "relationship_private_note": private_note.pk,
        "relationship_goal": goal.pk,
        "check_in": check_in.pk,
        "check_in_program": program.pk,
        "check_in_token": links.make_token(check_in),
        # review
        "review_program": program.pk,
        "review_pair": pair.pk,
        "review_snapshot": outcome.snapshot.pk,
        "review_decision": decision.pk,
    }
    ctx = Context(
        org_a=org_a,
        org_b=org_b,
        admin=admin,
        coordinator=org_a.coordinator.user,
        other_coordinator=other_coordinator,
        program=program,
        other_program=other_program,
        pair=pair,
        mentor=live.mentor,
        mentee=live.mentee,
        mentor_user=live.mentor_user,
        mentee_user=live.mentee_user,
        outsider=outsider,
        topics=topics,
        objective=objective,
        session=session,
        extra={},
    )
    for area in AREAS:
        ids.update(area.build(ctx))
    return World(org_a=org_a, org_b=org_b, users=users, ids=ids)
