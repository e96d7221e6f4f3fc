"""Issue 12's "Done means" as one chained journey in one world, through the real pages only.

Only the organisation and its HR admin are made in the database; everything else is done in a real
browser, with a real Celery worker, and the emails are read from Django's mail outbox:

1. the admin adds the topics, creates the program (an objective, the charter) and opens enrolment;
2. imports 30 people from a CSV file (a dry run, then the import) and, from the import's page,
   invites them in two groups: the juniors as mentors, the executives as mentees;
3. two executives and then two junior mentors each follow their email's link, choose a password,
   accept the charter and complete their registration (the executive Dana and the mentor Morgan
   are the two the issue follows; Evan and Riley make the rules' impact worth reading);
4. the admin chooses what happens to the 26 invitations still open, moves the program to matching,
   reads what each hard rule removes before running (Morgan reports to Evan through a team lead,
   so the reporting-chain rule removes one of the four possible pairs), runs a round in the
   fairest mode and publishes it;
5. Dana follows the publication email to the pair page and logs a session with a note; Morgan is
   emailed and sees it on their home, and confirms it.

Every page each person lands on is checked by axe at 1280 px and at 390 px, with a screenshot at
each width (``var/screenshots/whole-journey/``); a page that scrolls sideways at 390 px fails.
Clicks (links, buttons, checkboxes, radios; following an email's link is one) and fields (typed,
chosen or uploaded) are counted per person and per step, bounded, and printed as a table; the
same table is written beside the screenshots. No console, CSP or HTTP error on the way.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from feedback.models import SessionLog, SessionStatus
from matching.models import Pair
from organizations.models import Role
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, Person
from tests.conftest import CeleryWorker
from tests.e2e.axe import axe_violations
from tests.e2e.test_onboarding_journey import PASSWORD, PROGRAM, Steps, link_in, register
from tests.e2e.test_people_journey import the_partner_is_emailed
from tests.e2e.test_program_journey import (
    Problems,
    go_to,
    labelled,
    region,
    status_message,
)
from tests.factories import PASSWORD as ADMIN_PASSWORD
from tests.factories import make_member, make_organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "whole-journey"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TOPICS = ("AI tools", "Social media")
SHARED_NOTE = "Next time: prompts for the board pack"

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
# Six executives (levels 7-9), two team leads (4) and 22 juniors (1-3). Morgan reports to Lee, who
# reports to Evan: within the reporting-chain rule's two levels, so Morgan may not mentor Evan.
LEADERS = [
    ["E01", "Dana Director", "Chief Executive Officer", "Operations", "", "9"],
    ["E02", "Evan Executive", "VP Sales", "Sales", "E01", "8"],
    ["E03", "Pat Partner", "VP Engineering", "Engineering", "E01", "8"],
    ["E04", "Fay Finance", "Chief Financial Officer", "Finance", "E01", "8"],
    ["E05", "Hana Head", "Director of People", "People", "E03", "7"],
    ["E06", "Ivo Impact", "Director of Marketing", "Marketing", "E02", "7"],
    ["E07", "Lee Lead", "Sales team lead", "Sales", "E02", "4"],
    ["E08", "Kim Keen", "Engineering team lead", "Engineering", "E03", "4"],
    ["E09", "Morgan Member", "Data analyst", "Sales", "E07", "2"],
    ["E10", "Riley Rookie", "Developer", "Engineering", "E08", "2"],
]
JUNIOR_NAMES = [
    "Ada Abara", "Bo Berg", "Cy Cole", "Di Dunn", "Ed Eze", "Flo Falk", "Gus Gray", "Hal Hart",
    "Ines Ito", "Jo Jung", "Kai Kerr", "Lu Lind", "Mo Mills", "Nia Noor", "Oz Ortiz", "Pia Park",
    "Qi Quinn", "Ray Roy", "Sol Sato", "Tia Toth",
]  # fmt: skip
PEOPLE = [
    *LEADERS,
    *(
        [
            f"E{11 + n}",
            name,
            "Analyst" if n % 2 else "Developer",
            "Sales" if n % 2 else "Engineering",
            "E07" if n % 2 else "E08",
            str(1 + n % 3),
        ]
        for n, name in enumerate(JUNIOR_NAMES)
    ),
]
EMAILS = {row[1]: f"{row[1].split()[0].lower()}@acme.test" for row in PEOPLE}
# The elements that stick out past the right edge of a 390 px screen, leaving out what scrolls or
# is clipped inside a box of its own (null when the page fits).
WIDEST = """() => {
  if (document.documentElement.scrollWidth <= innerWidth) return null;
  const boxed = (e) => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !boxed(e))
    .map((e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`
      + ` (${Math.round(e.getBoundingClientRect().right)} px)`)
    .slice(0, 6).join(", ") || "the page";
}"""
# Two animation frames: the resize events of a new viewport size have been handled.
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
IMPORTED = ["Europe/London", "en"]  # time zone and languages: registration need not ask
MENTOR_ROLE = "mentor (the junior who teaches)"
MENTEE_ROLE = "mentee (the executive who learns)"


def write_people_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for employee, name, title, department, manager, level in PEOPLE:
            writer.writerow(
                [employee, name, EMAILS[name], title, department, manager, level, *IMPORTED]
            )
    return path


# --- Counting and checking ---------------------------------------------------------------------


@dataclass
class Row:
    who: str
    step: str
    clicks: int
    fields: int
    seconds: float


@dataclass
class Journey:
    """Each person's clicks and fields, step by step, and the pages they land on: every kind of
    page (its path with ids and tokens left out) is checked by axe at both widths with a
    screenshot at each, and a kind of page landed on but never checked fails the journey."""

    problems: Problems = field(default_factory=Problems)
    rows: list[Row] = field(default_factory=list)
    landed: dict[str, str] = field(default_factory=dict)  # kind of page: who landed there first
    checked: set[str] = field(default_factory=set)
    faults: list[str] = field(default_factory=list)  # axe violations, sideways scrolling
    shots: int = 0
    checking_seconds: float = 0.0
    axe_seconds: float = 0.0

    def browser(self, new_page: Callable[[], Page], who: str, size: dict[str, int]) -> Page:
        page = self.problems.watch(new_page(), who)
        page.set_viewport_size(size)

        def on_navigation(frame: Any) -> None:
            if frame.parent_frame is None and frame.url.startswith("http"):
                self.landed.setdefault(page_kind(frame.url), who)

        page.on("framenavigated", on_navigation)
        return page

    @contextmanager
    def step(self, steps: Steps, name: str) -> Iterator[Steps]:
        clicks, fields, started = len(steps.clicks), len(steps.fields), time.monotonic()
        yield steps
        self.rows.append(
            Row(
                steps.who,
                name,
                len(steps.clicks) - clicks,
                len(steps.fields) - fields,
                time.monotonic() - started,
            )
        )

    def look(self, page: Page, who: str, name: str) -> None:
        """axe and a full-page screenshot at 1280 px and at 390 px (where nothing may stick out
        sideways), then back to the person's own width. Faults are gathered, to be reported
        together at the end of the journey."""
        own = page.viewport_size
        assert own is not None
        self.shots += 1
        started = time.monotonic()
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.evaluate(SETTLED)
            where = f"{who} on {urlsplit(page.url).path} ({name}) at {size['width']} px"
            axe_started = time.monotonic()
            self.faults += [f"{where}: {line}" for line in axe_violations(page)]
            self.axe_seconds += time.monotonic() - axe_started
            if size is PHONE and (wide := page.evaluate(WIDEST)):
                self.faults.append(f"{where}: wider than the screen: {wide}")
            page.screenshot(
                path=SCREENSHOTS / f"{self.shots:02}-{who}-{name}-{size['width']}.png",
                full_page=True,
            )
        page.set_viewport_size(own)
        # After a full-page capture Chromium's scroll offset is stale (see test_program_journey).
        page.evaluate("window.scrollTo(0, 0)")
        self.checked.add(page_kind(page.url))
        self.checking_seconds += time.monotonic() - started

    def unchecked(self) -> dict[str, str]:
        return {kind: who for kind, who in self.landed.items() if kind not in self.checked}

    def table(self) -> str:
        lines = [f"{'who':<10} {'step':<44} {'clicks':>6} {'fields':>6} {'seconds':>7}"]
        for row in self.rows:
            lines.append(
                f"{row.who:<10} {row.step:<44} {row.clicks:>6} {row.fields:>6} {row.seconds:>7.1f}"
            )
        totals: dict[str, list[int]] = {}
        for row in self.rows:
            total = totals.setdefault(row.who, [0, 0])
            total[0] += row.clicks
            total[1] += row.fields
        for who, (clicks, fields) in totals.items():
            lines.append(f"{who:<10} {'(all steps)':<44} {clicks:>6} {fields:>6}")
        lines.append(
            f"{self.shots} pages checked at 2 widths in {self.checking_seconds:.1f} s, axe "
            f"{self.axe_seconds:.1f} s of it (included in the steps' seconds)"
        )
        return "\n".join(lines)

    def totals(self, who: str) -> tuple[int, int]:
        mine = [row for row in self.rows if row.who == who]
        return sum(row.clicks for row in mine), sum(row.fields for row in mine)

    def of(self, who: str, step: str) -> tuple[int, int]:
        (row,) = [row for row in self.rows if (row.who, row.step) == (who, step)]
        return row.clicks, row.fields


def page_kind(url: str) -> str:
    """``/o/acme/pairs/7/`` → ``/o/acme/pairs/N/``; ``/join/acme/<token>/`` → ``/join/acme/T/``."""
    path = re.sub(r"/\d+/", "/N/", urlsplit(url).path)
    return re.sub(r"^/join/([^/]+)/[^/]+/$", r"/join/\1/T/", path)


def heading(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def nav_click(page: Page, steps: Steps, link: str) -> None:
    go_to(page, link)
    steps.clicks.append(link)


# --- The admin ---------------------------------------------------------------------------------


def admin_signs_in(page: Page, base: str, steps: Steps, journey: Journey) -> None:
    page.goto(f"{base}/accounts/login/")
    journey.look(page, "admin", "sign-in")
    steps.fill(page.get_by_label("Email"), "admin@acme.test", "email")
    steps.fill(page.get_by_label("Password"), ADMIN_PASSWORD, "password")
    steps.click(page.get_by_role("button", name="Sign In"), "Sign in")
    expect(page).to_have_url(f"{base}/o/acme/")
    journey.look(page, "admin", "home")


def admin_adds_topics(page: Page, steps: Steps, journey: Journey) -> None:
    nav_click(page, steps, "Topics")
    expect(heading(page)).to_have_text("Topic vocabulary")
    for name in TOPICS:
        steps.fill(labelled(page, "Name"), name, "topic name")
        steps.click(page.get_by_role("button", name="Add topic"), "Add topic")
        expect(status_message(page)).to_have_text(f"“{name}” was added to the vocabulary.")
    journey.look(page, "admin", "topics")


def admin_creates_the_program(page: Page, steps: Steps, journey: Journey) -> None:
    nav_click(page, steps, "Programs")
    journey.look(page, "admin", "programs")
    steps.click(page.get_by_role("link", name="New program"), "New program")
    expect(heading(page)).to_have_text("New program")
    journey.look(page, "admin", "new-program")
    start = date.today() + timedelta(days=14)
    steps.fill(labelled(page, "Name"), PROGRAM, "name")
    for name in TOPICS:
        steps.check(page.get_by_role("checkbox", name=name), name)
    steps.fill(page.get_by_label("Start date"), start.isoformat(), "start date")
    steps.fill(page.get_by_label("End date"), (start + timedelta(days=180)).isoformat(), "end")
    steps.click(page.get_by_role("button", name="Create draft"), "Create draft")
    expect(heading(page)).to_have_text(PROGRAM)
    expect(status_message(page)).to_contain_text(f"“{PROGRAM}” was created as a draft.")


def admin_opens_enrolment(page: Page, steps: Steps, journey: Journey) -> None:
    """An objective and the charter (what enrolling needs), then the move."""
    objectives = region(page, "Objectives")
    steps.fill(objectives.get_by_label("Statement"), "Executives use AI tools weekly", "objective")
    steps.fill(objectives.get_by_label("Target"), "60", "target")
    steps.click(objectives.get_by_role("button", name="Add objective"), "Add objective")
    expect(objectives.get_by_role("status")).to_have_text("The objective was added.")
    charter = region(page, "Ground rules and confidentiality charter")
    steps.fill(
        charter.get_by_label("Charter text"),
        "What is said in a session stays in the pair.",
        "charter",
    )
    steps.click(charter.get_by_role("button", name="Publish version 1"), "Publish the charter")
    expect(charter.get_by_role("status")).to_contain_text("A new charter version was published.")
    lifecycle = region(page, "Lifecycle")
    expect(lifecycle.get_by_role("button", name="Move to enrolling")).to_be_enabled()
    steps.click(lifecycle.get_by_role("button", name="Move to enrolling"), "Move to enrolling")
    expect(status_message(page)).to_have_text(f"“{PROGRAM}” is now enrolling.")
    journey.look(page, "admin", "program-enrolling")


def wait_for_job(page: Page) -> None:
    """The import step runs on the worker; the page polls and reloads itself when it is done."""
    expect(page.get_by_role("progressbar")).to_have_count(0, timeout=30_000)


def admin_imports(page: Page, steps: Steps, journey: Journey, csv_file: Path) -> None:
    nav_click(page, steps, "People")
    journey.look(page, "admin", "directory-empty")
    steps.click(page.get_by_role("link", name="Import from CSV or XLSX"), "Import")
    expect(heading(page)).to_have_text("Import people")
    journey.look(page, "admin", "import-upload")
    page.get_by_label("CSV or XLSX file").set_input_files(csv_file)
    steps.fields.append("file")
    steps.click(page.get_by_role("button", name="Upload"), "Upload")
    expect(heading(page)).to_have_text(f"Import of {csv_file.name}")
    expect(page.get_by_text(f"Uploaded {len(PEOPLE)} rows.")).to_be_visible()
    # Every column is recognised by its name: the admin keeps the suggestion.
    columns = region(page, "Columns")
    for target in ("Email", "Full name", "Employee id", "Manager", "Level", "Languages"):
        expect(columns.get_by_label(target, exact=True).locator("option:checked")).to_have_text(
            target
        )
    journey.look(page, "admin", "import-columns")
    steps.click(columns.get_by_role("button", name="Check the file (dry run)"), "Dry run")
    wait_for_job(page)
    expect(page.get_by_role("status").filter(has_text="Dry run passed")).to_have_text(
        f"Dry run passed: {len(PEOPLE)} to add, 0 to update, 0 unchanged."
    )
    steps.click(page.get_by_role("button", name=f"Import {len(PEOPLE)} rows"), "Import")
    wait_for_job(page)
    expect(page.get_by_role("status").filter(has_text="Imported")).to_contain_text(
        f"Imported: {len(PEOPLE)} added, 0 updated, 0 unchanged."
    )
    journey.look(page, "admin", "import-done")


def invite_group(
    page: Page,
    steps: Steps,
    journey: Journey,
    *,
    level: tuple[str, str],
    role: str,
    count: int,
    check: bool,
) -> None:
    bound, value = level
    steps.choose(page.get_by_label(bound, exact=True), bound, value=value)
    steps.click(page.get_by_role("button", name="Show people"), "Show people")
    expect(page.get_by_role("table", name=re.compile("people match"))).to_have_accessible_name(
        re.compile(rf"^{count} people match( \(page 1 of \d\))?$")
    )
    if check:  # the same pages again for the second group
        journey.look(page, "admin", "invite-filtered")
    steps.check(
        page.get_by_role("checkbox", name=f"Select all {count} people who match, on every page"),
        "select all",
    )
    if role != "Mentor (the junior who teaches)":  # the first choice is already chosen
        steps.choose(labelled(page, "Invite as"), "Invite as", label=role)
    steps.click(page.get_by_role("button", name="Send the invitations"), "Send")
    expect(heading(page)).to_have_text(f"Invitations to {PROGRAM}")
    expect(status_message(page).filter(has_text="sent")).to_have_text(
        f"{count} invitations sent.", timeout=30_000
    )
    if check:
        journey.look(page, "admin", "invitations-sent")


def admin_invites(page: Page, steps: Steps, journey: Journey) -> None:
    """Right after the import, from its page: the juniors as mentors, the executives as mentees."""
    steps.click(page.get_by_role("link", name="Invite these people to a program"), "Invite")
    expect(heading(page)).to_have_text("Invite people to a program")
    # The only program taking invitations is chosen already.
    expect(page.get_by_label("Program", exact=True).locator("option:checked")).to_contain_text(
        PROGRAM
    )
    invite_group(
        page, steps, journey, level=("Level to", "4"), role="Mentor (the junior who teaches)",
        count=24, check=True,
    )  # fmt: skip
    steps.click(page.get_by_role("link", name="← Invite more people"), "Invite more people")
    invite_group(
        page, steps, journey, level=("Level from", "7"), role="Mentee (the executive who learns)",
        count=6, check=False,
    )  # fmt: skip


def admin_starts_matching(page: Page, steps: Steps, journey: Journey) -> None:
    """Moving to matching waits for a choice about the invitations nobody answered."""
    nav_click(page, steps, "Programs")
    steps.click(page.get_by_role("link", name=PROGRAM), "the program")
    lifecycle = region(page, "Lifecycle")
    expect(lifecycle.get_by_role("button", name="Move to matching")).to_be_disabled()
    expect(lifecycle).to_contain_text("26 invitations are still open")
    journey.look(page, "admin", "program-open-invitations")
    steps.click(
        page.get_by_role("navigation", name="Program sections").get_by_role(
            "link", name="Participants and enrolment"
        ),
        "Participants and enrolment",
    )
    expect(heading(page)).to_have_text(f"Enrolment: {PROGRAM}")
    counts = page.get_by_role("table", name="Enrolments by role and status")
    # Role: invited, applied, accepted, waitlisted, withdrawn, declined, total.
    expect(counts.get_by_role("row", name="Mentors").get_by_role("cell")).to_have_text(
        ["22", "0", "2", "0", "0", "0", "24"]
    )
    expect(counts.get_by_role("row", name="Mentees").get_by_role("cell")).to_have_text(
        ["4", "0", "2", "0", "0", "0", "6"]
    )
    journey.look(page, "admin", "enrolment")
    open_invitations = region(page, "Open invitations")
    expect(open_invitations).to_contain_text("26 people have not answered their invitation yet.")
    steps.click(open_invitations.get_by_role("button", name="Keep them open"), "Keep them open")
    expect(status_message(page).filter(has_text="open invitations stay open")).to_have_text(
        "26 open invitations stay open: they can still be accepted during matching."
    )
    steps.click(page.get_by_role("link", name=f"← {PROGRAM}"), "back to the program")
    lifecycle = region(page, "Lifecycle")
    steps.click(lifecycle.get_by_role("button", name="Move to matching"), "Move to matching")
    expect(status_message(page)).to_have_text(f"“{PROGRAM}” is now matching.")


def admin_runs_a_fairest_round(page: Page, steps: Steps, journey: Journey) -> None:
    steps.click(
        page.get_by_role("navigation", name="Program sections").get_by_role(
            "link", name="Matching"
        ),
        "Matching",
    )
    expect(heading(page)).to_have_text(f"Matching: {PROGRAM}")
    new_round = region(page, "New round")
    impact = new_round.get_by_role("region", name="What these rules remove")
    table = impact.get_by_role("table", name=re.compile("^Each checked rule on its own"))
    expect(table).to_have_accessible_name(re.compile("over the 2 mentees and 2 mentors"))
    chain = table.get_by_role("row", name=re.compile("^Neither may be in the other's reporting"))
    expect(chain.get_by_role("cell")).to_have_text(["1 (25 %)", "0", "0"])
    junior = table.get_by_role("row", name=re.compile("^The mentor must be at least 1 level"))
    expect(junior.get_by_role("cell")).to_have_text(["0 (0 %)", "0", "0"])
    expect(impact).to_contain_text(
        "3 of the 4 possible pairs remain (75 %); a round can make at most 2 pairs for 2 mentees."
    )
    journey.look(page, "admin", "matching-rule-impact")
    steps.check(new_round.get_by_role("radio", name=re.compile("^Fairest")), "Fairest")
    steps.click(new_round.get_by_role("button", name="Run the round"), "Run the round")
    expect(heading(page)).to_have_text("Round 1")
    expect(page.get_by_role("heading", name="Proposed pairs")).to_be_visible(timeout=30_000)
    expect(page.locator(".lead")).to_contain_text("Optimised for: fairest")
    proposals = page.get_by_role("table", name=re.compile("^Proposed pairs"))
    for mentor, mentee in (
        ("Morgan Member", "Dana Director Chief Executive Officer"),
        ("Riley Rookie", "Evan Executive VP Sales"),
    ):
        # The row whose mentee cell is this person with title and level (other rows may name
        # them as runners-up).
        cell = page.get_by_role("cell", name=re.compile(f"^{mentee} · level"))
        row = proposals.get_by_role("row").filter(has=cell)
        expect(row.get_by_role("cell").nth(0)).to_contain_text(mentor)
    journey.look(page, "admin", "round-proposed")


def admin_publishes(page: Page, steps: Steps, journey: Journey) -> None:
    steps.click(page.get_by_role("link", name="Publish…"), "Publish…")
    expect(heading(page)).to_have_text("Publish round 1")
    journey.look(page, "admin", "publish-confirm")
    steps.click(page.get_by_role("button", name="Publish and email 2 pairs"), "Publish")
    expect(page.get_by_role("status").filter(has_text="is published")).to_contain_text(
        "2 pairs created"
    )


# --- The participants --------------------------------------------------------------------------


def joins_and_registers(
    page: Page, base: str, steps: Steps, journey: Journey, name: str, role_text: str
) -> None:
    """From the invitation's email to a completed registration (the pages are checked for the
    two people the issue follows; the other two see the same pages)."""
    check = steps.who in ("executive", "mentor")
    with journey.step(steps, "email → account, charter (join page)"):
        steps.goto_link(page, link_in(EMAILS[name], base, "/join/acme/"))
        expect(heading(page)).to_have_text(f"Join {PROGRAM}")
        expect(page.get_by_text(role_text, exact=True)).to_be_visible()
        expect(page.get_by_text(EMAILS[name])).to_be_visible()
        expect(page.get_by_label("Your name")).to_have_value(name)  # from the import
        if check:
            journey.look(page, steps.who, "join")
        steps.fill(page.get_by_label("Choose a password"), PASSWORD, "password")
        steps.check(page.get_by_label("I accept version 1 of the charter above"), "charter")
        steps.click(page.get_by_role("button", name="Accept and create my account"), "Accept")
        expect(heading(page)).to_have_text(f"Your registration for {PROGRAM}")
        expect(status_message(page).filter(has_text="Welcome")).to_have_text(
            f"Welcome to {PROGRAM}!"
        )
        if check:
            journey.look(page, steps.who, "registration")
    with journey.step(steps, "registration (skill, interest, a window)"):
        register(page, steps, direction="teach" if role_text == MENTOR_ROLE else "learn", axe=False)
        expect(heading(page)).to_have_text(PROGRAM)  # their program's page, saying what is next
        if check:
            journey.look(page, steps.who, "registered")


def pair_link(email: str, base: str) -> str:
    """The pair page's link in the publication email (wherever the email puts it)."""
    return link_in(email, base, "/o/acme/pairs/")


def executive_logs_a_session(page: Page, base: str, steps: Steps, journey: Journey) -> None:
    steps.goto_link(page, pair_link(EMAILS["Dana Director"], base))
    expect(heading(page)).to_have_text("Morgan Member and Dana Director")
    todo = page.get_by_role("region", name="What to do now")
    expect(todo).to_contain_text("Plan your first session together")
    journey.look(page, steps.who, "pair")
    steps.click(todo.get_by_role("link", name="Log a session"), "Log a session")
    log = page.get_by_role("form", name="Log a session")
    steps.fill(labelled(log, "Length (minutes)"), "45", "length")
    steps.check(log.get_by_role("group", name="Topics").get_by_label("AI tools"), "topic")
    steps.fill(labelled(log, "Shared note"), SHARED_NOTE, "shared note")
    steps.click(log.get_by_role("button", name="Log the session"), "Log the session")
    expect(page.locator("#pair-life-status")).to_contain_text("Session logged.")
    expect(todo).not_to_contain_text("first session")


def mentor_confirms_from_home(page: Page, base: str, steps: Steps, journey: Journey) -> None:
    # The worker emails Morgan a link straight to the session...
    link = the_partner_is_emailed(EMAILS["Morgan Member"])
    # ...and Morgan's home says the same, with a button to the pair.
    steps.goto_link(page, f"{base}/o/acme/")
    taking_part = page.get_by_role("region", name="Taking part")
    expect(taking_part).to_contain_text(
        re.compile(r"Next step: Your partner logged a session on .+: confirm or correct it\.")
    )
    button = taking_part.get_by_role("link", name="Confirm the session")
    expect(button).to_have_attribute("href", re.compile(re.escape(urlsplit(link).path)))
    journey.look(page, steps.who, "home-notified")
    steps.click(button, "Confirm the session (home)")
    todo = page.get_by_role("region", name="What to do now")
    expect(todo).to_contain_text("logged your session of")
    expect(page.get_by_role("region", name="Notes")).to_contain_text(SHARED_NOTE)
    journey.look(page, steps.who, "pair-to-confirm")
    steps.click(
        todo.get_by_role("button", name=re.compile("^Confirm the session")), "Confirm the session"
    )
    expect(page.locator("#pair-life-status")).to_contain_text("Session confirmed.")
    expect(
        page.get_by_role("region", name="Sessions", exact=True).get_by_text("Confirmed", exact=True)
    ).to_be_visible()


# --- The journey -------------------------------------------------------------------------------


def walk(journey: Journey, base: str, new_page: Callable[[], Page], csv_file: Path) -> None:
    """The whole journey, person by person, each step counted."""
    admin = journey.browser(new_page, "admin", DESKTOP)
    hr = Steps("admin")
    with journey.step(hr, "sign in"):
        admin_signs_in(admin, base, hr, journey)
    with journey.step(hr, "add two topics"):
        admin_adds_topics(admin, hr, journey)
    with journey.step(hr, "create the program"):
        admin_creates_the_program(admin, hr, journey)
    with journey.step(hr, "objective, charter, open enrolment"):
        admin_opens_enrolment(admin, hr, journey)
    with journey.step(hr, "import 30 people (dry run, import)"):
        admin_imports(admin, hr, journey, csv_file)
    with journey.step(hr, "invite 30 people (two groups)"):
        admin_invites(admin, hr, journey)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(EMAILS.values())  # one each

    # The executives first: each accepted mentee opens a mentor place.
    people: dict[str, tuple[Page, Steps]] = {}
    for name, who, role_text, size in (
        ("Dana Director", "executive", MENTEE_ROLE, DESKTOP),
        ("Evan Executive", "evan", MENTEE_ROLE, DESKTOP),
        ("Morgan Member", "mentor", MENTOR_ROLE, PHONE),  # the junior answers on a phone
        ("Riley Rookie", "riley", MENTOR_ROLE, DESKTOP),
    ):
        people[who] = (journey.browser(new_page, who, size), Steps(who))
        joins_and_registers(people[who][0], base, people[who][1], journey, name, role_text)

    with journey.step(hr, "open invitations, move to matching"):
        admin_starts_matching(admin, hr, journey)
    with journey.step(hr, "rule impact, fairest round"):
        admin_runs_a_fairest_round(admin, hr, journey)
    with journey.step(hr, "publish"):
        admin_publishes(admin, hr, journey)

    dana, dana_steps = people["executive"]
    with journey.step(dana_steps, "publication email → log a session"):
        executive_logs_a_session(dana, base, dana_steps, journey)
    morgan, morgan_steps = people["mentor"]
    with journey.step(morgan_steps, "notified (email, home) → confirm"):
        mentor_confirms_from_home(morgan, base, morgan_steps, journey)


def test_from_the_import_to_a_confirmed_session_through_the_pages(
    live_server: Any,
    worker: CeleryWorker,
    new_page: Callable[[], Page],
    settings: Any,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = live_server.url
    settings.SITE_URL = base  # the emails' links point at this test's server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    organization = make_organization("acme", name="Acme Corp")
    make_member(organization, role=Role.ADMIN, email="admin@acme.test", full_name="Alex Admin")
    journey = Journey()

    try:
        walk(journey, base, new_page, write_people_csv(tmp_path / "people.csv"))
    finally:
        table = journey.table()
        (SCREENSHOTS / "clicks.txt").write_text(table + "\n", encoding="utf-8")
        # The table on the terminal (a serial run: xdist's workers have no terminal), and beside
        # the screenshots.
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            with capsys.disabled():
                reporter.write_line("\n" + "\n".join([table, *journey.faults]))

    with tenant_scope(organization):
        assert Person.objects.count() == len(PEOPLE)
        accepted = Enrollment.objects.filter(status=EnrollmentStatus.ACCEPTED)
        assert sorted(accepted.values_list("person__full_name", flat=True)) == sorted(
            ["Dana Director", "Evan Executive", "Morgan Member", "Riley Rookie"]
        )
        pairs = {
            (p.mentor.person.full_name, p.mentee.person.full_name)
            for p in Pair.objects.select_related("mentor__person", "mentee__person")
        }
        assert pairs == {("Morgan Member", "Dana Director"), ("Riley Rookie", "Evan Executive")}
        session = SessionLog.objects.select_related("logged_by__person").get()
        assert session.status == SessionStatus.CONFIRMED
        assert session.logged_by.person.full_name == "Dana Director"

    assert journey.faults == [], "\n".join(journey.faults)
    assert journey.unchecked() == {}, "pages landed on but not checked"
    assert journey.problems.seen == [], "\n".join(journey.problems.seen)

    # The bounds: a step that needs one more click or field than today fails here.
    bounds = {
        ("admin", "sign in"): (1, 2),
        ("admin", "add two topics"): (3, 2),
        ("admin", "create the program"): (5, 3),
        ("admin", "objective, charter, open enrolment"): (3, 3),
        ("admin", "import 30 people (dry run, import)"): (5, 1),
        ("admin", "invite 30 people (two groups)"): (8, 3),
        ("admin", "open invitations, move to matching"): (6, 0),  # 7 before the back link
        ("admin", "rule impact, fairest round"): (3, 0),
        ("admin", "publish"): (2, 0),
        ("executive", "publication email → log a session"): (4, 2),
        ("mentor", "notified (email, home) → confirm"): (3, 0),
    }
    for who in ("executive", "evan", "mentor", "riley"):
        # Link, charter, accept; skill, interest, save. Fields: password; day, start, end.
        bounds[who, "email → account, charter (join page)"] = (3, 1)
        bounds[who, "registration (skill, interest, a window)"] = (3, 3)
    over = {
        (who, step): (journey.of(who, step), bound)
        for (who, step), bound in bounds.items()
        if not all(n <= most for n, most in zip(journey.of(who, step), bound, strict=True))
    }
    assert over == {}, "more clicks or fields than before: (counted, bound)"
