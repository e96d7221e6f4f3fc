"""End-to-end matching round in Django: seed a program on the bench database, time the round's task.

Import after ``django.setup()`` with ``bench.settings`` (the children of ``bench/matching_bench.py``
do). Two steps, each in its own child process so that the round's peak memory is its own:

1. :func:`seed` (not timed): an organisation with a program in its matching phase and N accepted
   mentors and N accepted mentees, written with ``bulk_create`` inside ``tenant_scope``. The profile
   values are the engine-only bench's (``synthetic_records``), so both measurements see the same
   cohort: people with levels, departments, time zones, languages and managers; skills, interests,
   availability, answers to the program's matching questions; focus topics. Previous pairs from an
   earlier program (rotation), admin blocks and pins are ``synthetic_constraints`` drawn on the
   cohort as the round reads it (``matching.loading.load_cohort``), so they name the stored ids.
2. :func:`run_rounds`: ``matching.rounds.config.round_create``, queued with ``run.mark_queued`` as
   ``round_start`` does it, then the task body ``run.run_round(round_id=…)`` called directly (no
   broker), inside the organisation's scope as ``TenantTask`` enters it. Stages are timed by
   wrapping what ``run_round`` calls: ``load_cohort`` (and ``build_cohort`` inside it),
   ``engine.run_round`` and ``store_result``; the engine's own stage timings come from the round's
   ``stats["timings"]``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import statistics
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bench.matching_bench import (
    FOCUS_TOPICS,
    QUESTIONS,
    RULES,
    WEIGHTS,
    synthetic_constraints,
    synthetic_records,
    topic_names,
)
from matching import engine, loading
from matching.engine import HardRules, PersonRecord
from matching.engine.pipeline import STAGES as ENGINE_STAGES
from matching.models import (
    MatchingBlock,
    MatchingPin,
    Pair,
    PairStatus,
    ProposedPair,
    RoundMode,
    RoundStatus,
    UnmatchedEntry,
)
from matching.rounds import config, run
from organizations import services as organization_services
from organizations.models import Organization
from organizations.scope import tenant_scope
from participants.models import (
    Enrollment,
    EnrollmentInterest,
    EnrollmentRole,
    EnrollmentSkill,
    EnrollmentStatus,
    MatchingUse,
    Person,
    QuestionKind,
    RegistrationQuestion,
    SkillDirection,
)
from programs.models import Program, ProgramStatus, ProgramTopic, Topic

BATCH = 5_000
# Zones without daylight saving time, so that every person's offset is the engine-only bench's
# whatever the date of the run.
ZONE_OF_OFFSET = {
    -480: "Pacific/Pitcairn",
    -300: "America/Bogota",
    -180: "America/Sao_Paulo",
    0: "UTC",
    60: "Africa/Lagos",
    120: "Africa/Johannesburg",
    330: "Asia/Kolkata",
    480: "Asia/Singapore",
    540: "Asia/Tokyo",
    600: "Australia/Brisbane",
}
TITLES = ["Analyst", "Associate", "Specialist", "Lead", "Manager", "Director", "VP", "EVP"]


# --- Seeding (not timed) -------------------------------------------------------------------------


def _reserve_ids(model: type[Person], count: int) -> list[int]:
    """Primary keys from the table's own sequence, so managers can be set in the same insert."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _previous_program(organization_id: int, previous: Collection[tuple[int, int]]) -> int:
    """An earlier, closed program whose completed pairs are the rotation rule's previous pairs."""
    program = Program.objects.create(
        organization_id=organization_id, name="Earlier cohort", status=ProgramStatus.CLOSED
    )
    roles = {mentor: EnrollmentRole.MENTOR for mentor, _ in previous} | {
        mentee: EnrollmentRole.MENTEE for _, mentee in previous
    }
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            organization_id=organization_id,
            program=program,
            person_id=person,
            role=role,
            status=EnrollmentStatus.ACCEPTED,
        )
        for person, role in roles.items()
    )
    enrollment_of = {
        person: enrollment.pk for person, enrollment in zip(roles, enrollments, strict=True)
    }
    Pair.objects.bulk_create(
        Pair(
            organization_id=organization_id,
            program=program,
            mentor_id=enrollment_of[mentor],
            mentee_id=enrollment_of[mentee],
            status=PairStatus.COMPLETED,
        )
        for mentor, mentee in previous
    )
    return len(previous)


def _questions(organization_id: int, program: Program) -> dict[str, RegistrationQuestion]:
    """The bench's two matching questions, plus two the program asks but does not match on."""
    similar, different = QUESTIONS
    return {
        str(similar.id): RegistrationQuestion.objects.create(
            organization_id=organization_id,
            program=program,
            text=similar.text,
            kind=QuestionKind.SINGLE_CHOICE,
            choices=list(similar.choices),
            matching_use=MatchingUse.SIMILAR,
            position=1,
        ),
        str(different.id): RegistrationQuestion.objects.create(
            organization_id=organization_id,
            program=program,
            text=different.text,
            kind=QuestionKind.SCALE,
            matching_use=MatchingUse.DIFFERENT,
            position=2,
        ),
        "hopes": RegistrationQuestion.objects.create(
            organization_id=organization_id,
            program=program,
            text="What do you hope to get out of the program?",
            kind=QuestionKind.SHORT_TEXT,
            position=3,
        ),
        "diet": RegistrationQuestion.objects.create(
            organization_id=organization_id,
            program=program,
            text="Dietary requirements for the kick-off lunch",
            kind=QuestionKind.SINGLE_CHOICE,
            choices=["None", "Vegetarian", "Vegan", "Other"],
            position=4,
        ),
    }


def _answers(
    record: PersonRecord, questions: dict[str, RegistrationQuestion], rng: random.Random
) -> dict[str, Any]:
    answers: dict[str, Any] = {
        str(questions[str(key)].pk): value
        for key, value in record.answers.items()
        if value is not None  # an unanswered question is absent, as the registration form saves it
    }
    answers[str(questions["hopes"].pk)] = "Learn how my team's youngest colleagues work."
    answers[str(questions["diet"].pk)] = rng.choice(questions["diet"].choices)
    return answers


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed(n: int) -> dict[str, Any]:
    """An organisation and a program in its matching phase with ``n`` mentors and ``n`` mentees."""
    started = time.perf_counter()
    mentors, mentees, manager_of = synthetic_records(n)
    rng = random.Random(n)
    tag = f"{n}-{time.time_ns() % 1_000_000_000}"
    admin = User.objects.create_user(email=f"admin@matching-{tag}.bench.test", password=None)
    organization = organization_services.organization_create(
        name=f"Matching bench {n:,}", slug=f"bench-matching-{tag}", admin=admin
    )
    org = organization.pk
    with tenant_scope(organization):
        with transaction.atomic():
            topics = Topic.objects.bulk_create(
                Topic(organization_id=org, name=name)
                for _, name in sorted(topic_names().items())  # ids in the engine-only bench's order
            )
            topic_of = {number: topic.pk for number, topic in enumerate(topics, start=1)}
            program = Program.objects.create(
                organization_id=org,
                name=f"Reverse mentoring {n:,}",
                status=ProgramStatus.MATCHING,
                max_mentees_per_mentor=2,
                created_by=admin,
            )
            ProgramTopic.objects.bulk_create(
                ProgramTopic(organization_id=org, program=program, topic_id=topic_of[number])
                for number in FOCUS_TOPICS
            )
            questions = _questions(org, program)

            records = [*mentees, *mentors]  # mentees first: load_cohort reads by enrolment id
            person_of = dict(
                zip((r.person_id for r in records), _reserve_ids(Person, len(records)), strict=True)
            )
            consented = timezone.now()
            Person.objects.bulk_create(
                (
                    Person(
                        organization_id=org,
                        id=person_of[r.person_id],
                        email=f"person{r.person_id}@matching-{tag}.bench.test",
                        employee_id=f"E{r.person_id:06d}",
                        full_name=r.name,
                        job_title=TITLES[min(len(TITLES) - 1, (r.level or 1) - 1)],
                        department=r.department,
                        # Foreign keys are checked at commit: a manager may come later in the insert.
                        manager_id=person_of[m] if (m := manager_of.get(r.person_id)) else None,
                        level=r.level,
                        location=ZONE_OF_OFFSET[r.utc_offset_minutes].split("/")[-1],
                        time_zone=ZONE_OF_OFFSET[r.utc_offset_minutes],
                        languages=list(r.languages),
                        demographics={"generation": r.generation},
                        demographics_consented_at=consented,
                    )
                    for r in records
                ),
                batch_size=BATCH,
            )
            enrollments = Enrollment.objects.bulk_create(
                (
                    Enrollment(
                        organization_id=org,
                        program=program,
                        person_id=person_of[r.person_id],
                        role=role,
                        status=EnrollmentStatus.ACCEPTED,
                        answers=_answers(r, questions, rng),
                        availability=list(r.availability),
                        meeting_format=r.meeting_format,
                        max_mentees=r.max_mentees if role == EnrollmentRole.MENTOR else None,
                    )
                    for role, side in (
                        (EnrollmentRole.MENTEE, mentees),
                        (EnrollmentRole.MENTOR, mentors),
                    )
                    for r in side
                ),
                batch_size=BATCH,
            )
            enrollment_of = {
                r.enrollment_id: e.pk for r, e in zip(records, enrollments, strict=True)
            }
            EnrollmentSkill.objects.bulk_create(
                (
                    EnrollmentSkill(
                        organization_id=org,
                        enrollment_id=enrollment_of[r.enrollment_id],
                        topic_id=topic_of[topic],
                        direction=direction,
                        level=level,
                    )
                    for direction, side in (
                        (SkillDirection.LEARN, mentees),
                        (SkillDirection.TEACH, mentors),
                    )
                    for r in side
                    for topic, level in r.skills.items()
                ),
                batch_size=BATCH,
            )
            EnrollmentInterest.objects.bulk_create(
                (
                    EnrollmentInterest(
                        organization_id=org,
                        enrollment_id=enrollment_of[r.enrollment_id],
                        topic_id=topic_of[topic],
                    )
                    for r in records
                    for topic in r.interests
                ),
                batch_size=BATCH,
            )

        # The round's loader plans its queries on statistics: fresh ones, not those of empty tables.
        _analyze()
        # Rotation, blocks and pins: the engine-only bench's constraints, drawn on the cohort as
        # the round loads it (the same people in the same order, under their stored ids).
        cohort = loading.load_cohort(program).cohort
        constraints = synthetic_constraints(cohort, RULES)
        with transaction.atomic():
            previous = _previous_program(org, constraints.previous_pairs)
            MatchingBlock.objects.bulk_create(
                MatchingBlock(
                    organization_id=org, program=program, mentor_id=mentor, mentee_id=mentee
                )
                for mentor, mentee in dict.fromkeys(constraints.blocks)
            )
            MatchingPin.objects.bulk_create(
                MatchingPin(
                    organization_id=org, program=program, mentor_id=mentor, mentee_id=mentee
                )
                for mentor, mentee in constraints.pins
            )
        counts = {
            "people": Person.objects.count(),
            "enrollments": Enrollment.objects.filter(program=program).count(),
            "skills": EnrollmentSkill.objects.count(),
            "interests": EnrollmentInterest.objects.count(),
            "previous_pairs": previous,
            "blocks": MatchingBlock.objects.count(),
            "pins": MatchingPin.objects.count(),
        }
    _analyze()  # as autovacuum would have by the next round
    return {
        "organization_id": org,
        "program_id": program.pk,
        "seconds": time.perf_counter() - started,
        "counts": counts,
    }


# --- One timed round ------------------------------------------------------------------------------


@dataclass
class StageClock:
    """Wall time and queries per stage of ``run.run_round`` (outer stages only: a stage
    entered inside another, ``build`` inside ``load``, is timed but its queries stay outer)."""

    seconds: dict[str, float] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    query_seconds: dict[str, float] = field(default_factory=dict)
    current: str = "other"

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            outer, started = self.current, time.perf_counter()
            if outer == "other":
                self.current = stage
            try:
                return function(*args, **kwargs)
            finally:
                self.current = outer
                self.seconds[stage] = self.seconds.get(stage, 0.0) + (time.perf_counter() - started)

        return timed

    def count_query(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            stage = self.current
            self.queries[stage] = self.queries.get(stage, 0) + 1
            self.query_seconds[stage] = self.query_seconds.get(stage, 0.0) + (
                time.perf_counter() - started
            )


@contextmanager
def instrumented(clock: StageClock) -> Iterator[None]:
    """Wrap what ``run.run_round`` calls, by name, for the duration of one round."""
    originals = [
        (run, "load_cohort", "load"),
        (loading, "build_cohort", "build"),
        (engine, "run_round", "engine"),
        (run, "store_result", "store"),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in originals]
    for module, name, stage in originals:
        setattr(module, name, clock.wrap(stage, getattr(module, name)))
    try:
        with connection.execute_wrapper(clock.count_query):
            yield
    finally:
        for module, name, function in saved:
            setattr(module, name, function)


def _one_round(program: Program, profile: cProfile.Profile | None) -> dict[str, Any]:
    rules = {f.name: getattr(RULES, f.name) for f in fields(HardRules)}
    matching_round = config.round_create(
        program=program, actor=None, weights=WEIGHTS, rules=rules, mode=RoundMode.SCORE_FIRST
    )
    run.mark_queued(matching_round.pk)  # as round_start does; the broker hop is not measured
    clock = StageClock()
    with instrumented(clock):
        if profile is not None:
            profile.enable()
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = run.run_round(round_id=matching_round.pk)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        if profile is not None:
            profile.disable()
    matching_round.refresh_from_db()
    if outcome != "proposed" or matching_round.status != RoundStatus.PROPOSED:
        raise RuntimeError(f"round {matching_round.pk}: {outcome}, {matching_round.error}")
    stats = matching_round.stats
    stored_pairs = ProposedPair.objects.filter(round=matching_round).count()
    stored_unmatched = UnmatchedEntry.objects.filter(round=matching_round).count()
    if stored_pairs != stats["matched"] or stored_unmatched != stats["unmatched"]:
        raise RuntimeError(f"round {matching_round.pk} stored {stored_pairs} pairs, stats {stats}")
    staged = clock.seconds["load"] + clock.seconds["engine"] + clock.seconds["store"]
    timings = stats["timings"]
    return {
        "total_s": seconds,
        "cpu_s": cpu_seconds,  # the worker's own CPU time: less sensitive to a busy machine
        "load_s": clock.seconds["load"],
        "build_s": clock.seconds["build"],
        "engine_s": clock.seconds["engine"],
        "engine_timings": timings,
        # Outside the engine's stage timings: rule set and pins, progress writes.
        "engine_rest_s": clock.seconds["engine"] - sum(timings.values()),
        "store_s": clock.seconds["store"],
        "other_s": seconds - staged,
        "queries": clock.queries,
        "query_seconds": clock.query_seconds,
        "matched": stats["matched"],
        "unmatched": stats["unmatched"],
        "total": stats["total"],
    }


def _profile_text(profile: cProfile.Profile, limit: int = 45) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(profile, stream=buffer)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return buffer.getvalue()


def run_rounds(
    *, organization_id: int, program_id: int, repeats: int, profile_dir: Path | None = None
) -> dict[str, Any]:
    """``repeats`` rounds of one program, each a new round, in one worker-like process."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_scope(organization):
        program = Program.objects.get(pk=program_id)
        runs = [_one_round(program, None) for _ in range(repeats)]
        if profile_dir is not None:  # one more round, profiled and left out of the figures
            profile = cProfile.Profile()
            profiled = _one_round(program, profile)
            profile_dir.mkdir(parents=True, exist_ok=True)
            name = f"matching-round-{profiled['matched']}-pairs-{program_id}"
            profile.dump_stats(profile_dir / f"{name}.pstats")
            (profile_dir / f"{name}.txt").write_text(_profile_text(profile))
    median = {
        key: statistics.median(run[key] for run in runs)
        for key in (
            "total_s",
            "cpu_s",
            "load_s",
            "build_s",
            "engine_s",
            "engine_rest_s",
            "store_s",
            "other_s",
        )
    }
    return {
        "runs": runs,
        "median": median,
        "engine_timings_median": {
            stage: statistics.median(run["engine_timings"][stage] for run in runs)
            for stage in ENGINE_STAGES  # the round's stats come back in JSONB's key order
            if stage in runs[0]["engine_timings"]
        },
    }
