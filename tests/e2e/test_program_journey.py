"""Issue 3's journey in a real browser: an admin sets up a program (objectives, charter), imports the
directory from a CSV file with one bad row (sees the problem, fixes the file, imports), and invites
mentors and mentees; a participant accepts the invitation and the charter and completes the profile.

The import runs on a real Celery worker embedded in the test process (threads pool, real Redis
broker): the job page polls its progress with htmx and reloads itself when the step is done. The
worker starts only once the first dry run is shown as running, so that poll is always exercised.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, Response, expect

from accounts.models import User
from organizations.models import Organization, Role
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, ImportJob, ImportStatus, Person
from programs.models import Topic
from tests.conftest import CeleryWorker
from tests.factories import PASSWORD, make_member, make_organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(tempfile.gettempdir())
PROGRAM = "Digital Fluency 2026"
HEADERS = [
    "Employee id",
    "Full name",
    "Email",
    "Job title",
    "Department",
    "Manager",
    "Level",
    "Time zone",
    "Languages",
]
# Row 6 of the file (the header is row 1) names a manager nobody has: the dry run must say so.
BAD_ROW = 6
BAD_MANAGER = "E99"
ANY = re.compile(".*")
PEOPLE = [
    ["E1", "Dana Director", "dana@acme.test", "Chief Operating Officer", "Operations", "", "9"],
    ["E2", "Evan Executive", "evan@acme.test", "VP Sales", "Sales", "E1", "8"],
    ["E3", "Morgan Member", "morgan@acme.test", "Data analyst", "Data", "E2", "2"],
    ["E4", "Riley Rookie", "riley@acme.test", "Developer", "Engineering", "E2", "2"],
    ["E5", "Sam Newhire", "sam@acme.test", "Designer", "Design", BAD_MANAGER, "1"],
    ["E6", "Pat Partner", "pat@acme.test", "Head of People", "People", "E1", "8"],
]


@dataclass
class Cast:
    organization: Organization
    admin: User
    mentor: User  # Morgan: a junior, the participant whose side of the journey is followed
    mentee: User  # Dana: an executive, accepts so that a mentor place exists


@pytest.fixture
def cast(db: None) -> Cast:
    organization = make_organization("acme", name="Acme Corp")
    with tenant_scope(organization):
        for name in ("AI tools", "Social media", "Workplace culture"):
            Topic.objects.create(organization=organization, name=name)

    def member(role: str, email: str, full_name: str) -> User:
        return make_member(organization, role=role, email=email, full_name=full_name).user

    return Cast(
        organization=organization,
        admin=member(Role.ADMIN, "admin@acme.test", "Alex Admin"),
        mentor=member(Role.MEMBER, "morgan@acme.test", "Morgan Member"),
        mentee=member(Role.MEMBER, "dana@acme.test", "Dana Director"),
    )


@dataclass
class Problems:
    """Console errors and warnings (Chromium reports CSP violations there), uncaught script
    errors and HTTP errors, from every page of the journey."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Page, who: str) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                url = message.location.get("url")
                self.seen.append(f"{who} {message.type}: {message.text} ({url})")

        def on_response(response: Response) -> None:
            if response.status >= 400:
                self.seen.append(f"{who} HTTP {response.status}: {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.seen.append(f"{who} uncaught: {error}"))
        page.on("response", on_response)
        # Also every CSP violation as its own console error, with the directive and what it blocked.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        return page


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"flipside-e2e-journey-{name}.png", full_page=True)
    # After a full-page capture Chromium's scroll offset is stale: the next click on an element
    # below the fold lands about a hundred pixels off (on the form, not its button) unless the
    # page scrolls once first.
    page.evaluate("window.scrollTo(0, 0)")


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows([*row, "Europe/London", "en, fr"] for row in rows)
    return path


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{base}/o/acme/")  # one organisation: straight to its home


def go_to(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()


def labelled(scope: Page | Locator, text: str) -> Locator:
    """The control labelled exactly ``text`` (a required field's label ends with “ *”)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(text)}( \*)?$"))


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def topic(page: Page, name: str) -> Locator:
    """A topic's one group of choices on the registration page."""
    return page.get_by_role("group", name=name, exact=True)


def status_message(page: Page) -> Locator:
    return page.get_by_role("status")


# --- The admin ---------------------------------------------------------------------------------


def create_program(page: Page) -> None:
    go_to(page, "Programs")
    page.get_by_role("link", name="New program").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New program")
    start = date.today() + timedelta(days=30)
    labelled(page, "Name").fill(PROGRAM)
    page.get_by_label("Description").fill("Juniors show executives the tools they use every day.")
    page.get_by_role("checkbox", name="AI tools").check()
    page.get_by_role("checkbox", name="Social media").check()
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Mid-review date").fill((start + timedelta(days=90)).isoformat())
    page.get_by_label("End date").fill((start + timedelta(days=180)).isoformat())
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_role("button", name="Create draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(PROGRAM)
    expect(status_message(page)).to_contain_text(f"“{PROGRAM}” was created as a draft.")
    settings = region(page, "Settings")
    expect(settings).to_contain_text("AI tools, Social media")
    expect(settings).to_contain_text("(Europe/London)")


def add_objective(page: Page, statement: str, measure: str, baseline: str, target: str) -> None:
    objectives = region(page, "Objectives")
    objectives.get_by_label("Statement").fill(statement)
    labelled(objectives, "For").select_option(label="Mentees")
    objectives.get_by_label("Measure").fill(measure)
    objectives.get_by_label("Baseline").fill(baseline)
    objectives.get_by_label("Target").fill(target)
    objectives.get_by_label("Unit").fill("%")
    objectives.get_by_role("button", name="Add objective").click()
    # htmx swaps the section in place: the new row and the section's own message appear.
    expect(objectives.get_by_role("status")).to_have_text("The objective was added.")
    expect(objectives.get_by_role("cell", name=statement, exact=True)).to_be_visible()


def publish_charter(page: Page) -> None:
    charter = region(page, "Ground rules and confidentiality charter")
    expect(charter).to_contain_text("No charter yet.")
    charter.get_by_label("Charter text").fill(
        "What is said in a session stays in the pair.\n\n"
        "Both of you may ask questions that seem naive; nobody is judged for them."
    )
    charter.get_by_role("button", name="Publish version 1").click()
    expect(charter.get_by_role("status")).to_contain_text("A new charter version was published.")
    expect(charter).to_contain_text("Version 1, published")
    expect(charter.get_by_role("button", name="Publish version 2")).to_be_visible()


def expect_missing_for_enrolling(page: Page, missing: list[str]) -> None:
    """The lifecycle panel says what enrolling still needs (kept current by htmx swaps)."""
    lifecycle = region(page, "Lifecycle")
    move = lifecycle.get_by_role("button", name="Move to enrolling")
    if missing:
        expect(move).to_be_disabled()
        expect(lifecycle.get_by_role("listitem")).to_have_text(missing)
    else:
        expect(move).to_be_enabled()
        expect(lifecycle.get_by_role("listitem")).to_have_count(0)


def move_to_enrolling(page: Page) -> None:
    region(page, "Lifecycle").get_by_role("button", name="Move to enrolling").click()
    expect(status_message(page)).to_have_text(f"“{PROGRAM}” is now enrolling.")
    expect(region(page, "Lifecycle")).to_contain_text("Now: Enrolling.")


def upload(page: Page, path: Path) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people")
    page.get_by_label("CSV or XLSX file").set_input_files(path)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import of {path.name}")
    expect(page.get_by_text("Uploaded 6 rows.")).to_be_visible()


def confirm_suggested_mapping(page: Page) -> None:
    """Every column was recognised by its name; the admin checks and keeps the suggestion."""
    columns = region(page, "Columns")
    for target, header in (
        ("Email", "Email"),
        ("Full name", "Full name"),
        ("Employee id", "Employee id"),
        ("Manager", "Manager"),
        ("Level", "Level"),
        ("Time zone", "Time zone"),
        ("Languages", "Languages"),
    ):
        chosen = columns.get_by_label(target, exact=True).locator("option:checked")
        expect(chosen).to_have_text(header)
    expect(columns.get_by_label("First name", exact=True).locator("option:checked")).to_have_text(
        "— not imported —"
    )
    columns.get_by_role("button", name="Check the file (dry run)").click()


def wait_for_job(page: Page, worker: CeleryWorker | None = None) -> None:
    """The step runs on the worker; the page polls (htmx) and reloads itself when it is done."""
    progress = page.get_by_role("progressbar")
    if worker is not None:
        # No worker yet: the job waits in the queue and the page shows it running.
        expect(progress).to_be_visible()
        expect(page.get_by_text("Checking every row…")).to_be_visible()
        worker.start()
    expect(progress).to_have_count(0, timeout=30_000)


def import_people(
    page: Page, organization: Organization, tmp_path: Path, worker: CeleryWorker
) -> None:
    go_to(page, "People")
    page.get_by_role("link", name="Import from CSV or XLSX").click()

    # First attempt: one row names an unknown manager.
    upload(page, write_csv(tmp_path / "people.csv", PEOPLE))
    confirm_suggested_mapping(page)
    wait_for_job(page, worker)
    expect(page.get_by_text("Checked 6 rows.")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("1 problem in 1 row.")
    problems = page.get_by_role("table", name=re.compile("^Problems"))
    expect(problems.get_by_role("row")).to_have_count(2)  # header + the one problem
    expect(problems.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        [
            str(BAD_ROW),
            "Manager",
            f"Unknown manager {BAD_MANAGER}: nobody in this file or in the directory has this "
            "email or employee id.",
        ]
    )
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    shot(page, "1-import-problem")
    with tenant_scope(organization):
        assert not Person.objects.exists()  # a dry run writes nobody

    # The admin fixes the file (Sam reports to Riley) and uploads it again.
    fixed = [[*row[:5], "E4", row[6]] if row[5] == BAD_MANAGER else row for row in PEOPLE]
    page.get_by_role("link", name="← Imports").click()
    upload(page, write_csv(tmp_path / "people.csv", fixed))
    confirm_suggested_mapping(page)
    wait_for_job(page)
    expect(page.get_by_role("status").filter(has_text="Dry run passed")).to_have_text(
        "Dry run passed: 6 to add, 0 to update, 0 unchanged."
    )
    page.get_by_role("button", name="Import 6 rows").click()
    wait_for_job(page)
    expect(page.get_by_text("Imported 6 rows.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Imported")).to_contain_text(
        "Imported: 6 added, 0 updated, 0 unchanged."
    )
    shot(page, "2-import-committed")

    page.get_by_role("link", name="See the directory").click()
    directory = page.get_by_role("table", name="6 people")
    for row in PEOPLE:
        expect(
            directory.get_by_role("row").filter(has_text=row[2]).get_by_role("cell")
        ).to_have_text([row[1], row[2], row[3], row[4], ANY, row[6], "—"])
    sam = directory.get_by_role("row").filter(has_text="sam@acme.test")
    expect(sam.get_by_role("cell").nth(4)).to_have_text("Riley Rookie")  # the fixed manager


def invite_mentors_and_mentees(page: Page) -> None:
    go_to(page, "Programs")
    page.get_by_role("link", name=PROGRAM).click()
    page.get_by_role("navigation", name="Program sections").get_by_role(
        "link", name="Participants and enrolment"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Enrolment: {PROGRAM}")
    expect(page.get_by_text("Status: Enrolling")).to_be_visible()
    invite_people(page, "Mentor (the junior who teaches)", ["Morgan Member", "Riley Rookie"])
    expect(status_message(page)).to_contain_text(
        "Invited 2 as mentor: Morgan Member, Riley Rookie."
    )
    invite_people(page, "Mentee (the executive who learns)", ["Dana Director", "Evan Executive"])
    expect(status_message(page)).to_contain_text(
        "Invited 2 as mentee: Dana Director, Evan Executive."
    )
    counts = page.get_by_role("table", name="Enrolments by role and status")
    for role in ("Mentors", "Mentees"):
        # Role, invited, applied, accepted, waitlisted, withdrawn, declined, total.
        expect(counts.get_by_role("row", name=role).get_by_role("cell")).to_have_text(
            ["2", "0", "0", "0", "0", "0", "2"]
        )
    shot(page, "3-enrolment")


def invite_people(page: Page, role: str, names: list[str]) -> None:
    invite = region(page, "Invite people")
    invite.get_by_label("Invite as").select_option(label=role)
    for name in names:
        invite.get_by_role("checkbox", name=name).check()
    invite.get_by_role("button", name="Invite selected people").click()


# --- The participants --------------------------------------------------------------------------


def open_my_program(page: Page) -> None:
    go_to(page, "My programs")
    mine = region(page, "Programs you are in")
    expect(mine).to_contain_text("You are invited: open the program to accept or decline.")
    mine.get_by_role("link", name=PROGRAM).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROGRAM)


def accept_invitation(page: Page) -> None:
    open_my_program(page)
    page.get_by_role("button", name="Accept the invitation").click()
    expect(status_message(page)).to_have_text("You accepted the invitation. Welcome!")
    expect(page.locator(".lead .badge")).to_have_text("Accepted")


def complete_registration(page: Page) -> None:
    profile = region(page, "Your profile")
    # The languages came with the import; the rest is the participant's to give.
    expect(profile).to_contain_text("Profile 33% complete")
    expect(profile.get_by_role("listitem")).to_have_text(["Skills you can teach", "Availability"])
    profile.get_by_role("link", name="Complete your profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your registration for {PROGRAM}")
    # One click per topic: a level, "Curious" (an interest) or "Not for me".
    topic(page, "AI tools").get_by_role("radio", name="5 expert").check()
    topic(page, "Social media").get_by_role("radio", name="4 strong").check()
    topic(page, "Workplace culture").get_by_role("radio", name="Curious").check()
    page.get_by_label("Window 1: day").select_option(label="Tuesday")
    page.get_by_label("Window 1: from").fill("09:00")
    page.get_by_label("Window 1: to").fill("10:30")
    page.get_by_label("Window 2: day").select_option(label="Thursday")
    page.get_by_label("Window 2: from").fill("14:00")
    page.get_by_label("Window 2: to").fill("15:00")
    # A third window without saving first: the script adds the row.
    page.get_by_role("button", name="Add a window").click()
    expect(page.get_by_label("Window 3: day")).to_be_focused()
    page.get_by_label("Window 3: day").select_option(label="Friday")
    page.get_by_label("Window 3: from").fill("08:00")
    page.get_by_label("Window 3: to").fill("09:00")
    page.get_by_role("group", name="Preferred meeting format").get_by_role(
        "radio", name="Video"
    ).check()
    expect(page.get_by_label("Languages you can meet in")).to_have_value("en, fr")
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/London")  # from the import
    page.get_by_label("How many mentees can you take?").fill("1")
    shot(page, "4-registration")
    page.get_by_role("button", name="Save my registration").click()

    expect(status_message(page)).to_have_text("Your registration was saved.")
    profile = region(page, "Your profile")
    expect(profile).to_contain_text("Profile 100% complete")
    expect(profile.get_by_role("progressbar")).to_have_attribute("value", "100")
    expect(profile).to_contain_text("Your profile is complete.")
    shot(page, "5-participant-complete")

    # Reopened, the form shows what was saved.
    profile.get_by_role("link", name="Review or change it").click()
    expect(
        page.get_by_text("Profile 100% complete. Matching uses what you give here.")
    ).to_be_visible()
    expect(topic(page, "AI tools").get_by_role("radio", name="5 expert")).to_be_checked()
    expect(topic(page, "Social media").get_by_role("radio", name="4 strong")).to_be_checked()
    expect(topic(page, "Workplace culture").get_by_role("radio", name="Curious")).to_be_checked()
    expect(page.get_by_label("Window 2: day")).to_have_value("3")
    expect(page.get_by_label("Window 2: to")).to_have_value("15:00")
    expect(page.get_by_label("Window 3: day")).to_have_value("4")
    expect(page.get_by_role("radio", name="Video")).to_be_checked()


def accept_charter(page: Page) -> None:
    charter = region(page, "Ground rules and confidentiality charter")
    expect(charter.get_by_role("article", name="Charter version 1")).to_contain_text(
        "What is said in a session stays in the pair."
    )
    charter.get_by_role("button", name="I accept version 1 of the charter").click()
    expect(status_message(page)).to_have_text("You accepted version 1 of the charter.")
    expect(region(page, "Ground rules and confidentiality charter")).to_contain_text(
        "You accepted the current version (1)."
    )


# --- The journey -------------------------------------------------------------------------------


def test_admin_sets_up_a_program_and_a_participant_completes_their_profile(
    live_server: Any,
    cast: Cast,
    celery_worker: CeleryWorker,
    new_page: Callable[[], Page],
    tmp_path: Path,
) -> None:
    base = live_server.url
    problems = Problems()

    admin = problems.watch(new_page(), "admin")
    sign_in(admin, base, cast.admin)
    create_program(admin)
    objective, charter = (
        "Add at least one objective.",
        "Publish the ground rules and confidentiality charter.",
    )
    expect_missing_for_enrolling(admin, [objective, charter])
    add_objective(admin, "Executives use AI tools weekly", "Survey: weekly AI tool use", "20", "60")
    add_objective(
        admin, "Executives feel confident on social media", "Survey: confidence 1-5", "2", "4"
    )
    expect(region(admin, "Objectives").get_by_role("row")).to_have_count(3)
    expect_missing_for_enrolling(admin, [charter])
    publish_charter(admin)
    expect_missing_for_enrolling(admin, [])
    shot(admin, "0-program")
    move_to_enrolling(admin)
    import_people(admin, cast.organization, tmp_path, celery_worker)
    invite_mentors_and_mentees(admin)

    # An executive accepts first: a mentor place exists once a mentee is in.
    mentee = problems.watch(new_page(), "mentee")
    sign_in(mentee, base, cast.mentee)
    accept_invitation(mentee)

    mentor = problems.watch(new_page(), "mentor")
    sign_in(mentor, base, cast.mentor)
    accept_invitation(mentor)
    accept_charter(mentor)
    complete_registration(mentor)

    with tenant_scope(cast.organization):
        assert ImportJob.objects.filter(status=ImportStatus.COMMITTED).count() == 1
        assert Person.objects.count() == len(PEOPLE)
        morgan = Enrollment.objects.select_related("person").get(person__email="morgan@acme.test")
        assert morgan.person.user_id == cast.mentor.pk
        assert morgan.status == EnrollmentStatus.ACCEPTED
    assert problems.seen == []
