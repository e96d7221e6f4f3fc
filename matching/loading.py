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

from matching import hooks
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
    RegistrationQuestion,
    SkillDirection,
)
from participants.models import (
    QuestionKind as ModelQuestionKind,
)
from programs.models import Program, ProgramTopic, Topic

ENROLLMENT_FIELDS = (
    "id",
    "role",
    "person_id",
    "answers",
    "availability",
    "meeting_format",
    "max_mentees",
    "person__full_name",
    "person__level",
    "person__department",
    "person__time_zone",
    "person__languages",
    "person__demographics",
    "person__demographics_consented_at",
)


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


def _generation(demographics: Any, consented_at: datetime | None) -> str:
    if consented_at is None or not isinstance(demographics, dict):
        return ""
    return str(demographics.get("generation") or "")


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
    return _free_places(enrollment.max_mentees, program, load)


def _free_places(max_mentees: int | None, program: Program, load: int) -> int:
    limit = program.max_mentees_per_mentor
    own = max_mentees if max_mentees is not None else limit
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
    accepted = Enrollment.objects.filter(program=program, status=EnrollmentStatus.ACCEPTED)
    # Plain rows, not model instances: for 10k mentors and 10k mentees, building 40k Enrollment and
    # Person objects cost more than the queries themselves.
    rows = []
    places: dict[int, int] = {}
    for row in accepted.order_by("id").values_list(*ENROLLMENT_FIELDS, named=True):
        other_of_rematch_side = (
            rematch_for is not None and row.role == rematch_for.role and row.id != rematch_for.pk
        )
        if other_of_rematch_side:
            continue
        if row.role == EnrollmentRole.MENTEE:
            if row.id in paired_mentees:
                continue
        else:
            places[row.id] = _free_places(row.max_mentees, program, mentor_load.get(row.id, 0))
            if places[row.id] < 1:
                continue
        rows.append(row)
    ids = [row.id for row in rows]
    # A whole-program round reads skills, interests and previous pairs through a subquery, not a
    # list of 20k ids (each one a bound parameter); rows of enrolments left out above are never
    # looked up. A re-match keeps its short list.
    whole_program = rematch_for is None
    accepted_ids = accepted.values("id") if whole_program else ids
    teach: dict[int, dict[int, int]] = defaultdict(dict)
    learn: dict[int, dict[int, int]] = defaultdict(dict)
    for enrollment_id, topic_id, direction, level in EnrollmentSkill.objects.filter(
        enrollment_id__in=accepted_ids
    ).values_list("enrollment_id", "topic_id", "direction", "level"):
        (teach if direction == SkillDirection.TEACH else learn)[enrollment_id][topic_id] = level
    interests: dict[int, list[int]] = defaultdict(list)
    for enrollment_id, topic_id in EnrollmentInterest.objects.filter(
        enrollment_id__in=accepted_ids
    ).values_list("enrollment_id", "topic_id"):
        interests[enrollment_id].append(topic_id)
    offsets: dict[str, int] = {}  # one time-zone conversion per zone, not per person

    def record(row: Any) -> PersonRecord:
        is_mentor = row.role == EnrollmentRole.MENTOR
        answers: dict[str | int, Any] = dict(row.answers) if isinstance(row.answers, dict) else {}
        time_zone = row.person__time_zone
        if time_zone not in offsets:
            offsets[time_zone] = utc_offset_minutes(time_zone, at)
        return PersonRecord(
            enrollment_id=row.id,
            person_id=row.person_id,
            name=row.person__full_name,
            level=row.person__level,
            department=row.person__department,
            utc_offset_minutes=offsets[time_zone],
            languages=[str(name) for name in row.person__languages or ()],
            meeting_format=row.meeting_format,
            availability=row.availability or (),
            skills=(teach if is_mentor else learn).get(row.id, {}),
            interests=interests.get(row.id, ()),
            answers=answers,
            max_mentees=places[row.id] if is_mentor else None,
            generation=_generation(row.person__demographics, row.person__demographics_consented_at),
        )

    mentors = [record(row) for row in rows if row.role == EnrollmentRole.MENTOR]
    mentees = [record(row) for row in rows if row.role == EnrollmentRole.MENTEE]
    person_ids = {row.person_id for row in rows}
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
    accepted_people = accepted.values("person_id") if whole_program else list(person_ids)
    previous = [
        pair
        for pair in Pair.objects.filter(
            mentor__person_id__in=accepted_people, mentee__person_id__in=accepted_people
        ).values_list("mentor__person_id", "mentee__person_id")
        if person_ids.issuperset(pair)
    ]
    cohort_people = frozenset(person_ids)
    for more_pairs in hooks.earlier_pairs:
        previous.extend(pair for pair in more_pairs(program, cohort_people))
    present = set(ids)
    constraints = Constraints(
        previous_pairs=previous,
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
