"""ORM → engine: a program's accepted mentors and mentees as a :class:`~matching.engine.Cohort`.

A fixed number of bulk queries whatever the cohort's size: enrolments with their person, skills,
interests, matching questions, topics, focus topics, the organisation's manager map, previous pairs
(rotation), pins and blocks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.utils import timezone

from matching.engine import Cohort, Constraints, MatchingQuestion, PersonRecord, build_cohort
from matching.engine.profiles import QuestionKind, QuestionUse
from matching.models import OPEN_PAIR_STATUSES, MatchingBlock, MatchingPin, Pair
from participants.directory import manager_map
from participants.models import (
    Enrollment,
    EnrollmentInterest,
    EnrollmentRole,
    EnrollmentSkill,
    EnrollmentStatus,
    MatchingUse,
    Person,
    RegistrationQuestion,
    SkillDirection,
)
from participants.models import (
    QuestionKind as ModelQuestionKind,
)
from programs.models import Program, ProgramTopic, Topic


@dataclass(frozen=True, eq=False)
class LoadedCohort:
    cohort: Cohort
    constraints: Constraints


def utc_offset_minutes(time_zone: str, at: datetime) -> int:
    """Minutes east of UTC of a time zone at one moment (unknown zones count as UTC)."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _generation(person: Person) -> str:
    if person.demographics_consented_at is None or not isinstance(person.demographics, dict):
        return ""
    return str(person.demographics.get("generation") or "")


def matching_questions(program: Program) -> list[MatchingQuestion]:
    questions = RegistrationQuestion.objects.filter(program=program).exclude(
        Q(matching_use=MatchingUse.NONE) | Q(kind=ModelQuestionKind.SHORT_TEXT)
    )
    return [
        MatchingQuestion(
            id=question.pk,
            text=question.text,
            kind=cast(QuestionKind, question.kind),
            use=cast(QuestionUse, question.matching_use),
            choices=tuple(str(choice) for choice in question.choices or ()),
            scale_min=question.scale_min,
            scale_max=question.scale_max,
        )
        for question in questions
    ]


def open_pair_counts(program: Program) -> tuple[set[int], dict[int, int]]:
    """Mentees of the program with an open (active or paused) pair, and each mentor's open pairs."""
    rows = Pair.objects.filter(program=program, status__in=OPEN_PAIR_STATUSES).values_list(
        "mentor_id", "mentee_id"
    )
    paired_mentees: set[int] = set()
    mentor_load: dict[int, int] = defaultdict(int)
    for mentor_id, mentee_id in rows:
        paired_mentees.add(mentee_id)
        mentor_load[mentor_id] += 1
    return paired_mentees, dict(mentor_load)


def free_places(enrollment: Enrollment, program: Program, load: int) -> int:
    """How many more mentees a mentor can take (min of own and program limit, minus open pairs)."""
    limit = program.max_mentees_per_mentor
    own = enrollment.max_mentees if enrollment.max_mentees is not None else limit
    return max(0, min(own, limit) - load)


def load_cohort(
    program: Program, *, at: datetime | None = None, rematch_for: Enrollment | None = None
) -> LoadedCohort:
    """The program's accepted enrolments still free to match, with rotation, pins and blocks.

    Mentees with an open pair are left out and mentors count only their free places, so a round
    in a running program matches the rest. ``rematch_for`` narrows one side to that one person (a
    re-match is a small round). Pins and blocks are kept when both people are in the cohort.
    """
    at = at or timezone.now()
    paired_mentees, mentor_load = open_pair_counts(program)
    enrollments = []
    places: dict[int, int] = {}
    for enrollment in (
        Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACCEPTED)
        .select_related("person")
        .order_by("id")
    ):
        other_of_rematch_side = (
            rematch_for is not None
            and enrollment.role == rematch_for.role
            and enrollment.pk != rematch_for.pk
        )
        if other_of_rematch_side:
            continue
        if enrollment.role == EnrollmentRole.MENTEE:
            if enrollment.pk in paired_mentees:
                continue
        else:
            places[enrollment.pk] = free_places(
                enrollment, program, mentor_load.get(enrollment.pk, 0)
            )
            if places[enrollment.pk] < 1:
                continue
        enrollments.append(enrollment)
    ids = [enrollment.pk for enrollment in enrollments]
    teach: dict[int, dict[int, int]] = defaultdict(dict)
    learn: dict[int, dict[int, int]] = defaultdict(dict)
    for enrollment_id, topic_id, direction, level in EnrollmentSkill.objects.filter(
        enrollment_id__in=ids
    ).values_list("enrollment_id", "topic_id", "direction", "level"):
        (teach if direction == SkillDirection.TEACH else learn)[enrollment_id][topic_id] = level
    interests: dict[int, list[int]] = defaultdict(list)
    for enrollment_id, topic_id in EnrollmentInterest.objects.filter(
        enrollment_id__in=ids
    ).values_list("enrollment_id", "topic_id"):
        interests[enrollment_id].append(topic_id)

    def record(enrollment: Enrollment) -> PersonRecord:
        person = enrollment.person
        is_mentor = enrollment.role == EnrollmentRole.MENTOR
        answers: dict[str | int, Any] = (
            dict(enrollment.answers) if isinstance(enrollment.answers, dict) else {}
        )
        return PersonRecord(
            enrollment_id=enrollment.pk,
            person_id=person.pk,
            name=person.full_name,
            level=person.level,
            department=person.department,
            utc_offset_minutes=utc_offset_minutes(person.time_zone, at),
            languages=[str(name) for name in person.languages or ()],
            meeting_format=enrollment.meeting_format,
            availability=enrollment.availability or (),
            skills=(teach if is_mentor else learn).get(enrollment.pk, {}),
            interests=interests.get(enrollment.pk, ()),
            answers=answers,
            max_mentees=places[enrollment.pk] if is_mentor else None,
            generation=_generation(person),
        )

    mentors = [record(e) for e in enrollments if e.role == EnrollmentRole.MENTOR]
    mentees = [record(e) for e in enrollments if e.role == EnrollmentRole.MENTEE]
    person_ids = [e.person_id for e in enrollments]
    cohort = build_cohort(
        mentors=mentors,
        mentees=mentees,
        topics=dict(Topic.objects.values_list("id", "name")),
        focus_topics=list(
            ProgramTopic.objects.filter(program=program).values_list("topic_id", flat=True)
        ),
        questions=matching_questions(program),
        max_mentees_per_mentor=program.max_mentees_per_mentor,
        manager_of=manager_map(),
    )
    previous = Pair.objects.filter(
        mentor__person_id__in=person_ids, mentee__person_id__in=person_ids
    ).values_list("mentor__person_id", "mentee__person_id")
    present = set(ids)
    constraints = Constraints(
        previous_pairs=list(previous),
        blocks=[
            pair
            for pair in MatchingBlock.objects.filter(program=program).values_list(
                "mentor_id", "mentee_id"
            )
            if present.issuperset(pair)
        ],
        pins=[
            pair
            for pair in MatchingPin.objects.filter(program=program)
            .order_by("id")
            .values_list("mentor_id", "mentee_id")
            if present.issuperset(pair)
        ],
    )
    return LoadedCohort(cohort=cohort, constraints=constraints)
