"""Issue 12's onboarding journey in a real browser, with the clicks and fields counted.

An admin picks 30 people of the directory with two filters and "select all" (the juniors as
mentors, the executives as mentees) and sends the invitations, which a real Celery worker emails
while the batch page polls its progress. An executive and then a junior mentor each open the link
of their email (read from Django's mail outbox), choose a password, accept the charter on the same
page and land on their registration, which they complete. axe runs on every page of the journey.

Counted (``Steps``): clicks (links, buttons, checkboxes; opening an email's link is one) and
fields typed or chosen, from the email to a completed registration (the same registration answers
each time: a skill and an interest are one click each on the registration page, then a window):

============================  ======  ======  ======
executive                     clicks  fields  emails
============================  ======  ======  ======
before (the old way, below)   14      6       2
now (the program's link)      6       4       1
============================  ======  ======  ======

The admin picks and invites the 30 people in 9 clicks and 3 fields (before: one address typed
and sent per person on the organisation's invitation page, then each ticked on the enrolment
page: about 90 actions, and no email said which program).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from organizations.models import Role
from organizations.scope import tenant_scope
from organizations.services import invitation_create
from participants.models import Enrollment, EnrollmentStatus, Person
from participants.next_step import enrollment_steps, participant_facts
from programs.models import CharterVersion, Program, ProgramStatus, Topic
from tests.conftest import CeleryWorker
from tests.e2e.axe import assert_accessible
from tests.e2e.test_program_journey import (
    Problems,
    go_to,
    labelled,
    shot,
    sign_in,
    status_message,
)
from tests.factories import make_member, make_organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROGRAM = "Digital Fluency 2027"
PASSWORD = "a-long-and-unusual-passphrase"
JUNIORS = 24
EXECUTIVES = 6


@dataclass
class Steps:
    """Every click and every field of one person's journey, in order."""

    who: str
    clicks: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)

    def click(self, locator: Locator, what: str) -> None:
        locator.click()
        self.clicks.append(what)

    def check(self, locator: Locator, what: str) -> None:
        locator.check()
        self.clicks.append(what)

    def fill(self, locator: Locator, value: str, what: str) -> None:
        locator.fill(value)
        self.fields.append(what)

    def choose(self, locator: Locator, what: str, **option: str) -> None:
        locator.select_option(**option)
        self.fields.append(what)

    def goto_link(self, page: Page, url: str) -> None:
        page.goto(url)
        self.clicks.append("the email's link")


@dataclass
class World:
    program: Program
    admin: User
    dana: Person  # an executive (mentee)
    morgan: Person  # a junior (mentor)


@pytest.fixture
def world(db: None) -> World:
    organization = make_organization("acme", name="Acme Corp")
    admin = make_member(
        organization, role=Role.ADMIN, email="admin@acme.test", full_name="Alex Admin"
    ).user
    with tenant_scope(organization):
        topics = [
            Topic.objects.create(organization=organization, name=name)
            for name in ("AI tools", "Social media", "Workplace culture")
        ]
        start = date.today() + timedelta(days=30)
        program = Program.objects.create(
            organization=organization,
            name=PROGRAM,
            description="Juniors show executives the tools they use every day.",
            status=ProgramStatus.ENROLLING,
            start_date=start,
            end_date=start + timedelta(days=180),
        )
        program.focus_topics.set(topics, through_defaults={"organization": organization})
        CharterVersion.objects.create(
            organization=organization,
            program=program,
            version=1,
            body="What is said in a session stays in the pair.",
        )
        people = []
        for number in range(JUNIORS + EXECUTIVES):
            junior = number < JUNIORS
            people.append(
                Person.objects.create(
                    organization=organization,
                    full_name=f"{'Junior' if junior else 'Executive'} {number:02}",
                    email=f"person{number:02}@acme.test",
                    job_title="Analyst" if junior else "Vice President",
                    department="Engineering" if number % 2 else "Sales",
                    level=1 + number % 3 if junior else 7 + number % 3,
                    time_zone="Europe/London",
                    languages=["en"],
                )
            )
        dana, morgan = people[-1], people[0]
        for person, name in ((dana, "Dana Director"), (morgan, "Morgan Member")):
            person.full_name = name
            person.save(update_fields=["full_name"])
    return World(program=program, admin=admin, dana=dana, morgan=morgan)


def checked(page: Page) -> None:
    """axe finds nothing on this page."""
    assert_accessible(page)


def invite(page: Page, steps: Steps, *, level: tuple[str, str], role: str, count: int) -> None:
    """Filter by level, select every match (on every page) and send."""
    bound, value = level
    steps.choose(page.get_by_label(bound, exact=True), bound, value=value)
    steps.click(page.get_by_role("button", name="Show people"), "Show people")
    people = page.get_by_role("table", name=re.compile(r"people match"))
    expect(people).to_have_accessible_name(
        re.compile(rf"^{count} people match( \(page 1 of \d\))?$")
    )
    checked(page)
    steps.check(
        page.get_by_role("checkbox", name=f"Select all {count} people who match, on every page"),
        "select all",
    )
    if role != "Mentor (the junior who teaches)":  # the first choice is already chosen
        steps.choose(labelled(page, "Invite as"), "Invite as", label=role)
    steps.click(page.get_by_role("button", name="Send the invitations"), "Send")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invitations to {PROGRAM}")
    expect(status_message(page).filter(has_text="sent")).to_have_text(
        f"{count} invitations sent.", timeout=30_000
    )
    checked(page)


def admin_invites(page: Page, base: str, world: World) -> Steps:
    steps = Steps("admin")
    sign_in(page, base, world.admin)
    go_to(page, "People")
    steps.clicks.append("People")
    steps.click(page.get_by_role("link", name="Invite people to a program"), "Invite people")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite people to a program")
    # The only program taking invitations is chosen already.
    expect(page.get_by_label("Program", exact=True)).to_have_value(str(world.program.pk))
    checked(page)
    invite(page, steps, level=("Level to", "3"), role="Mentor (the junior who teaches)", count=24)
    shot(page, "onboarding-1-batch-sent")
    steps.click(page.get_by_role("link", name="← Invite more people"), "Invite more people")
    invite(
        page, steps, level=("Level from", "7"), role="Mentee (the executive who learns)", count=6
    )
    return steps


def letter_for(person: Person, base: str) -> str:
    letters = [m for m in mail.outbox if m.to == [person.email]]
    assert len(letters) == 1, [m.subject for m in letters]  # one email per person, no other
    found = re.search(r"https?://[^/\s]+(/join/acme/\S+/)", letters[0].body)
    assert found is not None, letters[0].body
    return base + found.group(1)


def join(page: Page, steps: Steps, link: str, person: Person, role_text: str) -> None:
    steps.goto_link(page, link)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {PROGRAM}")
    expect(page.get_by_text(role_text, exact=True)).to_be_visible()
    expect(page.get_by_text(person.email)).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value(person.full_name)  # from the directory
    checked(page)
    steps.fill(page.get_by_label("Choose a password"), PASSWORD, "password")
    steps.check(page.get_by_label("I accept version 1 of the charter above"), "charter")
    steps.click(page.get_by_role("button", name="Accept and create my account"), "Accept")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your registration for {PROGRAM}")
    expect(status_message(page).filter(has_text="Welcome")).to_have_text(f"Welcome to {PROGRAM}!")
    checked(page)


def register(page: Page, steps: Steps, *, direction: str, axe: bool = True) -> None:
    """What matching needs and the import did not give: one skill (a level in the role's own
    direction, ``direction`` is for the reader), one interest ("Curious"), one window."""
    steps.check(
        page.get_by_role("group", name="AI tools", exact=True).get_by_role(
            "radio",
            name=re.compile(r"^4 "),  # 4 strong (teach) or 4 confident (learn)
        ),
        f"skill to {direction}",
    )
    steps.check(
        page.get_by_role("group", name="Social media", exact=True).get_by_role(
            "radio", name="Curious"
        ),
        "interest",
    )
    steps.choose(page.get_by_label("Window 1: day"), "day", label="Tuesday")
    steps.fill(page.get_by_label("Window 1: from"), "09:00", "start")
    steps.fill(page.get_by_label("Window 1: to"), "10:00", "end")
    steps.click(page.get_by_role("button", name="Save my registration"), "Save")
    expect(status_message(page)).to_have_text("Your registration was saved.")
    if axe:
        checked(page)


def registration_done(person: Person) -> Enrollment:
    with tenant_scope(person.organization):
        enrollment = Enrollment.objects.select_related("person", "program").get(person=person)
        facts = participant_facts([enrollment])[enrollment.pk]
        steps = [s.code for s in enrollment_steps(enrollment, facts, paired=False)]
    assert facts.completeness.complete, facts.completeness.missing
    assert steps == [], steps
    return enrollment


def test_thirty_people_invited_in_bulk_and_two_register_from_their_email(
    live_server: Any,
    world: World,
    worker: CeleryWorker,
    new_page: Callable[[], Page],
    settings: Any,
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    problems = Problems()

    admin = problems.watch(new_page(), "admin")
    admin_steps = admin_invites(admin, base, world)
    assert len(mail.outbox) == 30
    # People, Invite people, then per group: show, select all, send (and back for the second).
    assert len(admin_steps.clicks) == 9, admin_steps.clicks
    assert len(admin_steps.fields) == 3, admin_steps.fields

    dana = problems.watch(new_page(), "executive")
    dana_steps = Steps("executive")
    join(
        dana,
        dana_steps,
        letter_for(world.dana, base),
        world.dana,
        "mentee (the executive who learns)",
    )
    shot(dana, "onboarding-2-executive-registration")
    register(dana, dana_steps, direction="learn")
    assert registration_done(world.dana).status == EnrollmentStatus.ACCEPTED

    morgan = problems.watch(new_page(), "mentor")
    morgan.set_viewport_size({"width": 390, "height": 844})  # the junior answers on a phone
    morgan_steps = Steps("mentor")
    join(
        morgan,
        morgan_steps,
        letter_for(world.morgan, base),
        world.morgan,
        "mentor (the junior who teaches)",
    )
    shot(morgan, "onboarding-3-mentor-registration-390px")
    register(morgan, morgan_steps, direction="teach")
    # The executive accepted first, so a mentor place was free: accepted, not waitlisted.
    assert registration_done(world.morgan).status == EnrollmentStatus.ACCEPTED

    for steps in (dana_steps, morgan_steps):
        # Link, charter, accept; interest, save. Fields: password; skill, day, start, end.
        assert len(steps.clicks) == 6, (steps.who, steps.clicks)
        assert len(steps.fields) == 4, (steps.who, steps.fields)
    assert len(mail.outbox) == 30  # no verification email, no other email
    assert problems.seen == []


def link_in(person_email: str, base: str, path_start: str) -> str:
    for message in reversed(mail.outbox):
        if message.to == [person_email]:
            found = re.search(rf"https?://[^/\s]+({re.escape(path_start)}\S+)", message.body)
            if found:
                return base + found.group(1)
    raise AssertionError(f"no email to {person_email} with a link to {path_start}")


def test_the_old_way_for_one_executive(
    live_server: Any, world: World, new_page: Callable[[], Page], settings: Any
) -> None:
    """The path that existed before the program invitation's link (and still does): an invitation
    to the organisation, sign-up, a second email to verify the address, joining, then finding the
    program, accepting, the charter, the profile. Counted the same way, for the comparison."""
    base = live_server.url
    settings.SITE_URL = base
    organization = world.program.organization
    with tenant_scope(organization):
        invitation_create(
            organization=organization, actor=world.admin, email=world.dana.email, role="member"
        )
        Enrollment.objects.create(
            organization=organization,
            program=world.program,
            person=world.dana,
            role="mentee",
            invited_by=world.admin,
        )
    page = new_page()
    steps = Steps("executive, before")
    steps.goto_link(page, link_in(world.dana.email, base, "/invitations/"))
    steps.click(page.get_by_role("link", name="Create your account"), "Create your account")
    steps.fill(page.get_by_label("Email"), world.dana.email, "email")
    steps.fill(page.locator("input[name=password1]"), PASSWORD, "password")
    steps.fill(page.locator("input[name=password2]"), PASSWORD, "password again")
    steps.click(page.get_by_role("button", name="Sign Up"), "Sign up")
    steps.goto_link(page, link_in(world.dana.email, base, "/accounts/confirm-email/"))
    steps.click(page.get_by_role("button", name="Confirm"), "Confirm")
    steps.click(page.get_by_role("button", name="Accept and join"), "Accept and join")
    go_to(page, "My programs")
    steps.clicks.append("My programs")
    steps.click(page.get_by_role("link", name=PROGRAM), "the program")
    steps.click(page.get_by_role("button", name="Accept the invitation"), "Accept")
    steps.click(page.get_by_role("button", name="I accept version 1 of the charter"), "charter")
    steps.click(page.get_by_role("link", name="Complete your profile"), "Complete your profile")
    register(page, steps, direction="learn", axe=False)
    registration_done(world.dana)
    emails_read = {m.subject for m in mail.outbox if m.to == [world.dana.email]}
    assert len(emails_read) == 2  # the invitation, then the address check
    assert len(steps.clicks) == 14, steps.clicks
    assert len(steps.fields) == 6, steps.fields
