"""Survey results benchmark: a program's outcomes and one survey's results for 2,000 respondents.

Import after ``django.setup()`` (``bench/run.py --only survey_results`` does, on its throwaway
database). Seeds, with ``bulk_create`` inside the organisation's scope, one program with 1,000
mentees and 1,000 mentors (departments, levels, consented generation), four surveys (pre, mid,
post, follow-up; the post one anonymous) of eight questions each (four Likert anchor items, NPS,
one choice, several choices, free text), invitations for everyone and answers from 95 % of them
(about 60,000 answers), and three objectives linked to anchor items. Then it times whole requests
in process through Django's test ``Client`` (middleware, session, policy, queries, numpy, JSON or
template): the server time of one request. Goal: ≤ 300 ms. Figures are printed, never asserted.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from organizations.models import Membership, Organization, Role
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, Person
from programs.models import Objective, Program, ProgramStatus
from surveys.models import (
    InvitationStatus,
    ObjectiveAnchor,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    Wave,
)
from surveys.pseudonyms import program_secret, pseudonym

SLUG = "bench-surveys"
GOAL_MS = 300.0
DEPARTMENTS = ["Sales", "Engineering", "Finance", "Marketing", "Operations", "People", "Legal"]
GENERATIONS = ["boomer", "gen-x", "millennial", "gen-z"]
ANCHORS = ["ai-confidence", "younger-view", "exec-confidence", "visibility"]
LABELS = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
WAVES = (Wave.PRE, Wave.MID, Wave.POST, Wave.FOLLOW_UP)
HOST = {"HTTP_HOST": "127.0.0.1"}


@dataclass
class Seeded:
    organization: Organization
    admin: User
    program: Program
    surveys: dict[str, Survey]
    respondents: int
    answers: int


@dataclass
class Timing:
    label: str
    path: str
    samples_ms: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p90_ms(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[int(0.9 * (len(ordered) - 1))]


def _questions(organization: Organization, version: SurveyVersion) -> list[Question]:
    specs: list[dict[str, Any]] = [
        *(
            {
                "kind": QuestionKind.LIKERT,
                "text": f"Anchor {key}",
                "scale_points": 5,
                "labels": LABELS,
                "anchor_key": key,
            }
            for key in ANCHORS
        ),
        {"kind": QuestionKind.NPS, "text": "Would you recommend the program?"},
        {"kind": QuestionKind.SINGLE, "text": "How do you meet?", "choices": ["Video", "Room"]},
        {"kind": QuestionKind.MULTIPLE, "text": "Topics", "choices": ["AI", "Social", "Hybrid"]},
        {"kind": QuestionKind.TEXT, "text": "What changed?", "required": False},
    ]
    return Question.objects.bulk_create(
        Question(organization=organization, version=version, position=i, **spec)
        for i, spec in enumerate(specs)
    )


def seed(*, people: int = 2000, rate: float = 0.95, seed_value: int = 5) -> Seeded:
    rng = random.Random(seed_value)
    with transaction.atomic():
        organization = Organization.objects.create(slug=SLUG, name="Surveys Bench")
        admin = User.objects.create_user(
            email="admin@bench-surveys.test"
        )  # signed in by force_login
        with tenant_scope(organization):
            Membership.objects.create(organization=organization, user=admin, role=Role.ADMIN)
            program = Program.objects.create(
                organization=organization, name="Bench cohort", status=ProgramStatus.CLOSED
            )
            persons = Person.objects.bulk_create(
                Person(
                    organization=organization,
                    email=f"p{i}@bench-surveys.test",
                    full_name=f"Person {i}",
                    department=DEPARTMENTS[i % len(DEPARTMENTS)],
                    level=1 + i % 9,
                    demographics={"generation": GENERATIONS[i % len(GENERATIONS)]},
                )
                for i in range(people)
            )
            enrollments = Enrollment.objects.bulk_create(
                Enrollment(
                    organization=organization,
                    program=program,
                    person=person,
                    role="mentee" if i % 2 == 0 else "mentor",
                    status=EnrollmentStatus.ACCEPTED,
                )
                for i, person in enumerate(persons)
            )
            secret = program_secret(program.pk)
            names = [
                pseudonym(program_id=program.pk, person_id=p.pk, secret=secret) for p in persons
            ]
            surveys: dict[str, Survey] = {}
            answers = 0
            for step, wave in enumerate(WAVES):
                survey = Survey.objects.create(
                    organization=organization,
                    program=program,
                    wave=wave,
                    title=f"{wave} survey",
                    anonymous=wave == Wave.POST,
                )
                surveys[wave] = survey
                version = SurveyVersion.objects.create(
                    organization=organization, survey=survey, number=1
                )
                questions = _questions(organization, version)
                answering = [rng.random() < rate for _ in enrollments]
                SurveyInvitation.objects.bulk_create(
                    SurveyInvitation(
                        organization=organization,
                        survey=survey,
                        enrollment=enrollment,
                        opens_on=date(2030, 1, 1),
                        closes_on=date(2030, 1, 15),
                        status=InvitationStatus.ANSWERED if answered else InvitationStatus.CLOSED,
                    )
                    for enrollment, answered in zip(enrollments, answering, strict=True)
                )
                responses = SurveyResponse.objects.bulk_create(
                    SurveyResponse(
                        organization=organization,
                        survey=survey,
                        version=version,
                        pseudonym=names[i],
                        role=enrollment.role,
                        department=persons[i].department,
                        level=persons[i].level,
                        demographics=persons[i].demographics,
                        respondent=None if survey.anonymous else enrollment,
                    )
                    for i, (enrollment, answered) in enumerate(
                        zip(enrollments, answering, strict=True)
                    )
                    if answered
                )
                rows: list[SurveyAnswer] = []
                for response in responses:
                    for question in questions:
                        row = SurveyAnswer(
                            organization=organization, response=response, question=question
                        )
                        if question.kind == QuestionKind.LIKERT:
                            drift = min(step, 2) * 0.4
                            row.number = Decimal(max(1, min(5, round(rng.gauss(2.8 + drift, 1)))))
                        elif question.kind == QuestionKind.NPS:
                            row.number = Decimal(rng.randint(4, 10))
                        elif question.kind == QuestionKind.SINGLE:
                            row.choices = [rng.choice(question.choices)]
                        elif question.kind == QuestionKind.MULTIPLE:
                            row.choices = rng.sample(question.choices, rng.randint(1, 2))
                        elif rng.random() < 0.3:
                            row.text = "Meetings with my mentor changed how I plan."
                        else:
                            continue
                        rows.append(row)
                SurveyAnswer.objects.bulk_create(rows, batch_size=5000)
                answers += len(rows)
            for i, key in enumerate(ANCHORS[:3]):
                objective = Objective.objects.create(
                    organization=organization,
                    program=program,
                    statement=f"Objective {i + 1}",
                    audience="mentees" if i != 2 else "mentors",
                    target=Decimal("4.2"),
                    baseline=Decimal("2.8") if i == 0 else None,
                    position=i,
                )
                ObjectiveAnchor.objects.create(
                    organization=organization, objective=objective, anchor_key=key
                )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Seeded(organization, admin, program, surveys, people, answers)


def _measure(client: Client, label: str, path: str, iterations: int) -> Timing:
    timing = Timing(label, path)
    for _ in range(3):  # warm-up
        response = client.get(path, **HOST)  # type: ignore[arg-type]
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        client.get(path, **HOST)  # type: ignore[arg-type]
    timing.queries = len(queries)
    for _ in range(iterations):
        started = time.perf_counter()
        client.get(path, **HOST)  # type: ignore[arg-type]
        timing.samples_ms.append((time.perf_counter() - started) * 1000)
    return timing


def run(*, iterations: int, say: Callable[[str], None]) -> tuple[Seeded, list[Timing]]:
    say("survey results: seeding 2,000 respondents x 4 waves…")
    started = time.monotonic()
    seeded = seed()
    say(f"seeded {seeded.answers:,} answers in {time.monotonic() - started:.0f} s")
    client = Client()
    client.force_login(seeded.admin)
    slug, program = seeded.organization.slug, seeded.program.pk
    post = seeded.surveys[Wave.POST].pk
    pre = seeded.surveys[Wave.PRE].pk
    targets = [
        (
            "API: program outcomes (rates, 4 anchors x 2 comparisons x 2 roles, 3 objectives)",
            reverse("api-program-outcomes", kwargs={"org_slug": slug, "program_pk": program}),
        ),
        (
            "API: post survey results per question, broken down by role",
            reverse("api-survey-results", kwargs={"org_slug": slug, "pk": post}) + "?by=role",
        ),
        (
            "API: pre survey results, filtered (department) and broken down by level",
            reverse("api-survey-results", kwargs={"org_slug": slug, "pk": pre})
            + "?department=Sales&by=level",
        ),
        (
            "Page: program outcomes",
            reverse("program_outcomes", kwargs={"org_slug": slug, "program_pk": program}),
        ),
        (
            "Page: pre survey results (attributed: free text shown)",
            reverse("survey_results", kwargs={"org_slug": slug, "pk": pre}),
        ),
        (
            "CSV: pre survey results by department",
            reverse("survey_results_csv", kwargs={"org_slug": slug, "pk": pre}) + "?by=department",
        ),
    ]
    timings = []
    for label, path in targets:
        timing = _measure(client, label, path, iterations)
        say(f"{label}: median {timing.median_ms:.1f} ms, {timing.queries} queries")
        timings.append(timing)
    return seeded, timings


def report(seeded: Seeded, timings: list[Timing], iterations: int) -> list[str]:
    lines = [
        "",
        "Survey results (in process, Django test Client: one whole request, server time)",
        f"  {seeded.respondents:,} people, 4 waves, {seeded.answers:,} answers; "
        f"{iterations} requests each after 3 warm-up; goal ≤ {GOAL_MS:.0f} ms",
        f"  {'request':<84}{'median ms':>11}{'p90 ms':>9}{'queries':>9}  verdict",
    ]
    for timing in timings:
        verdict = "ok" if timing.median_ms <= GOAL_MS else "OVER"
        lines.append(
            f"  {timing.label:<84}{timing.median_ms:>11.1f}{timing.p90_ms:>9.1f}"
            f"{timing.queries:>9}  {verdict}"
        )
    lines.append("")
    return lines
