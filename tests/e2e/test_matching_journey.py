"""Issue 4's review in a real browser: an admin opens a program's matching page, sees what each
hard rule removes before running, runs a round on a real Celery worker (watching its progress bar
until the page reloads with the proposals, each person with their title and level), swaps two
partners after seeing what it costs, is asked what a re-run should do with the swap, runs a
what-if in the fairest mode and compares it (issue 12), and publishes; the mentee's email says why
they were paired, and the mentee, signed in, reads the same rationale on their pair page. axe
checks the matching, round and comparison pages.

The worker starts only once the round page shows the round waiting, so the htmx poll is exercised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from matching.access import as_member, rationale_as_seen
from matching.models import Pair, ProposedPair, RoundStatus
from organizations.models import Membership, Role
from participants.models import Enrollment, EnrollmentRole, Person
from programs.models import ProgramStatus, Topic
from tests.conftest import CeleryWorker, Tenant
from tests.e2e.axe import assert_accessible
from tests.e2e.test_program_journey import Problems, shot, sign_in
from tests.factories import make_user
from tests.matching.test_rounds_builders import add_person
from tests.participants.test_enrollment_builders import make_program

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROGRAM = "Digital Fluency 2027"
MENTORS = ["Ana Analyst", "Ben Builder", "Cleo Coder"]
MENTEES = ["Dana Director", "Evan Executive", "Fay Founder"]
TITLES = {
    "Ana Analyst": "Data analyst",
    "Ben Builder": "Platform engineer",
    "Cleo Coder": "Graduate developer",
    "Dana Director": "Director of finance",
    "Evan Executive": "Chief operating officer",
    "Fay Founder": "Founder",
}


def build_program(tenant: Tenant) -> tuple[int, dict[str, Enrollment]]:
    """Mentor k teaches topic k best and mentee k wants it: the best round pairs them k with k."""
    program = make_program(tenant, name=PROGRAM, status=ProgramStatus.MATCHING)
    with tenant.scope():
        topics = [
            Topic.objects.create(organization=tenant.organization, name=name)
            for name in ("AI tools", "Social media", "Workplace culture")
        ]
    people: dict[str, Enrollment] = {}
    for k, name in enumerate(MENTORS):
        people[name] = add_person(
            tenant,
            program,
            EnrollmentRole.MENTOR,
            topics=topics,
            levels={k: 5, (k + 1) % 3: 1},
            full_name=name,
            job_title=TITLES[name],
        )
    for k, name in enumerate(MENTEES):
        people[name] = add_person(
            tenant,
            program,
            EnrollmentRole.MENTEE,
            topics=topics,
            levels={k: 5},
            full_name=name,
            job_title=TITLES[name],
        )
    return program.pk, people


def run_round(page: Page, base: str, program_pk: int, worker: CeleryWorker) -> None:
    page.goto(f"{base}/o/acme/programs/{program_pk}/matching/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Matching: {PROGRAM}")
    expect(page.get_by_text("No rounds yet.")).to_be_visible()
    new_round = page.get_by_role("region", name="New round")
    weights = new_round.get_by_role("group", name="Criteria weights")
    expect(weights.get_by_label(re.compile("^Skills to learn"))).to_have_value("5")
    weights.get_by_label(re.compile("^Shared interests")).fill("3")
    rules = new_round.get_by_role("group", name="Hard rules")
    expect(
        rules.get_by_role("checkbox", name="The mentor is more junior than the mentee")
    ).to_be_checked()
    new_round.get_by_role("radio", name="Highest total score").check()
    # Before running: what each rule removes, for the settings as typed.
    impact = new_round.get_by_role("region", name="What these rules remove")
    expect(impact).to_contain_text("9 of the 9 possible pairs remain (100 %)")
    new_round.get_by_role("checkbox", name="They work in different departments").check()
    impact.get_by_role("button", name="Check these rules").click()
    new_round = page.get_by_role("region", name="New round")
    impact = new_round.get_by_role("region", name="What these rules remove")
    expect(impact.get_by_role("row", name=re.compile("^They must be in different"))).to_be_visible()
    expect(impact).to_contain_text("a round can make at most 3 pairs for 3 mentees")
    expect(new_round.get_by_label(re.compile("^Shared interests"))).to_have_value("3")
    assert_accessible(page)
    shot(page, "matching-0-new-round")
    new_round.get_by_role("checkbox", name="They work in different departments").uncheck()
    new_round.get_by_role("button", name="Run the round").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Round \d+$"))
    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(page.locator("#round-progress")).to_contain_text("Waiting for a worker: 0 %")
    worker.start()
    # The poll sees the round finish and reloads the page: the bar goes, the proposals come.
    expect(progress).to_have_count(0, timeout=30_000)
    expect(page.get_by_role("heading", name="Proposed pairs")).to_be_visible()
    expect(page.locator(".figures")).to_contain_text("Matched pairs3")
    expect(row_of(page, "Dana Director")).to_contain_text("Director of finance · level 6")
    expect(row_of(page, "Dana Director")).to_contain_text("Data analyst · level 1")
    assert_accessible(page)


def proposals_table(page: Page) -> Any:
    return page.get_by_role("table", name=re.compile("^Proposed pairs"))


def row_of(page: Page, mentee: str) -> Any:
    """The proposal row whose mentee cell is ``mentee`` with their title and level (other rows name
    them as runners-up)."""
    cell = page.get_by_role("cell", name=re.compile(f"^{mentee} {TITLES[mentee]} · level"))
    return proposals_table(page).get_by_role("row").filter(has=cell)


def mentor_cell(page: Page, mentee: str) -> Any:
    return row_of(page, mentee).get_by_role("cell").nth(0)


def swap_two_pairs(page: Page, second_pair: int) -> None:
    expect(mentor_cell(page, "Dana Director")).to_have_text(re.compile("^Ana Analyst"))
    proposals_table(page).get_by_role("link", name="Swap… Ana Analyst with Dana Director").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Swap the mentors of two pairs")
    page.get_by_label("Swap mentors with").select_option(str(second_pair))
    page.get_by_role("button", name="Preview the swap").click()
    preview = page.get_by_role("region", name="What the swap changes")
    expect(preview).to_contain_text(re.compile(r"total score changes by -\d+\.\d points"))
    expect(preview.get_by_role("row").filter(has_text="Dana Director")).to_contain_text(
        "Ben Builder"
    )
    shot(page, "matching-1-swap-preview")
    preview.get_by_role("button", name="Swap the mentors").click()

    expect(page.get_by_role("status").filter(has_text="Swapped:")).to_contain_text(
        "Swapped: Ben Builder now mentors Dana Director, and Ana Analyst mentors Evan Executive."
    )
    expect(mentor_cell(page, "Dana Director")).to_have_text(re.compile("^Ben Builder Swapped"))
    # A re-run would recompute every pair: the page asks what to do with the swap first.
    rerun = page.get_by_role("group", name="Re-run with the current pins and blocks")
    expect(rerun).to_contain_text("You swapped the mentors of 2 pairs in this round.")
    expect(rerun.get_by_role("button", name="Keep my swaps (pin them) and re-run")).to_be_visible()
    expect(rerun.get_by_role("button", name="Discard my swaps and re-run")).to_be_visible()


def fairest_what_if(page: Page) -> None:
    """A what-if from the round's settings in the fairest mode (the worker is running), then the
    comparison: later minus earlier, with each round's mode."""
    first = page.url
    page.get_by_role("link", name="What-if: a new round from these settings").click()
    new_round = page.get_by_role("region", name="New round")
    new_round.get_by_role("radio", name=re.compile("^Fairest")).check()
    new_round.get_by_role("button", name="Run the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Round 2")
    expect(page.get_by_role("heading", name="Proposed pairs")).to_be_visible(timeout=30_000)
    expect(page.locator(".lead")).to_contain_text("Optimised for: fairest")
    choice = page.get_by_label("Compare with")
    expect(choice.get_by_role("option")).to_have_text([re.compile(r"^Round 1 \(proposed")])
    choice.select_option(index=0)
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare round 2 with round 1")
    figures = page.get_by_role("table", name=re.compile("^Round 1 .earlier. and round 2"))
    expect(figures.get_by_role("row", name=re.compile("^Optimised for"))).to_contain_text("Fairest")
    expect(figures.get_by_role("row", name=re.compile("^Lowest score"))).to_be_visible()
    assert_accessible(page)
    shot(page, "matching-1b-compare-fairest")
    page.goto(first)


def publish(page: Page) -> None:
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Publish round \d+$"))
    shot(page, "matching-2-publish-confirm")
    page.get_by_role("button", name="Publish and email 3 pairs").click()
    expect(page.get_by_role("status").filter(has_text="is published")).to_contain_text(
        "3 pairs created, and both people of each pair were emailed"
    )
    expect(page.get_by_text("Published on")).to_be_visible()
    expect(page.get_by_role("link", name="Publish…")).to_have_count(0)
    shot(page, "matching-3-published")


def test_admin_runs_reviews_swaps_and_publishes_a_round(
    live_server: Any,
    org_a: Tenant,
    celery_worker: CeleryWorker,
    new_page: Callable[[], Page],
) -> None:
    base = live_server.url
    problems = Problems()
    program_pk, people = build_program(org_a)

    admin = problems.watch(new_page(), "admin")
    sign_in(admin, base, org_a.admin.user)
    run_round(admin, base, program_pk, celery_worker)
    with org_a.scope():
        evan = ProposedPair.objects.get(mentee=people["Evan Executive"])
        assert evan.mentor_id == people["Ben Builder"].pk
    swap_two_pairs(admin, evan.pk)
    fairest_what_if(admin)
    publish(admin)

    with org_a.scope():
        pair = Pair.objects.get(mentee=people["Dana Director"])
        assert pair.mentor_id == people["Ben Builder"].pk
        assert pair.source_round is not None
        assert pair.source_round.status == RoundStatus.PUBLISHED
        assert Pair.objects.count() == 3
        dana_email = people["Dana Director"].person.email
    to_dana = [m for m in mail.outbox if m.to == [dana_email]]
    assert len(to_dana) == 1
    assert "your mentor is Ben Builder" in to_dana[0].body
    assert pair.rationale
    assert f"Why we paired you: {pair.rationale}" in to_dana[0].body

    mentee = problems.watch(new_page(), "mentee")
    sign_in(mentee, base, dana_account(org_a, people["Dana Director"]))
    mentee.get_by_role("link", name="My pairs").click()
    expect(mentee.get_by_role("heading", level=1)).to_have_text("My pairs")
    mentee.get_by_role("link", name="Ben Builder").click()
    # One click away, and without the program team's remarks ("pinned by an administrator").
    why = mentee.locator("details.why-paired")
    why.locator("summary").click()
    expect(why).to_have_attribute("open", "")
    with org_a.scope():
        as_seen = rationale_as_seen(pair.rationale, as_member(pair, pair.mentee))
    expect(why).to_contain_text(as_seen)
    expect(why).not_to_contain_text("pinned by an administrator")
    shot(mentee, "matching-4-mentee-sees-why")
    assert problems.seen == []


def dana_account(tenant: Tenant, enrollment: Enrollment) -> User:
    """Dana signs up: an account in the organisation linked to her directory entry."""
    user = make_user(email=enrollment.person.email)
    with tenant.scope():
        Membership.objects.create(organization=tenant.organization, user=user, role=Role.MEMBER)
        Person.objects.filter(pk=enrollment.person_id).update(user=user)
    return user
