"""A participant's next step in each of their programs: the one thing to do now, with its button.

The participant's program page (``participants/views/my_programs.py``) lists these steps under
"What happens next" and shows the facts behind them in full; the homes show only the first step;
the pair page puts them under "What to do now". One rule, three places. The rule, in order (``STEP_ORDER``; the apps above add the
steps of a running pair, and the homes sort all of them by this one tuple):

==========================  =================================================================
step                        when
==========================  =================================================================
answer_invitation           the enrolment is an invitation not answered yet
accept_charter              accepted, and the program's current charter is not accepted
                            (a new version asks again: ``participation.CharterState``)
confirm_session             (feedback) the partner logged a session that waits for them
answer_check_in             (feedback) a check-in was sent to them and is still open
answer_survey               (surveys) a survey invitation reached them and is still open
finish_registration         accepted, not paired yet, and the profile is incomplete
                            (``registration.completeness_of``)
finish_training             accepted, and required training of their role is left
await_approval              applied: nothing to do but wait (no button)
waitlisted                  waitlisted: nothing to do but wait (no button)
==========================  =================================================================

:func:`participant_facts` loads what these rules read for any number of enrolments in a fixed
number of queries (six), with the training and questions in full (the program page shows them).
The home reads them within its own statement: :func:`facts_sql` gives them as SQL expressions over
an enrolment row and :func:`facts_of` reads them back (the training as a count). A paired
enrolment's steps (its pair page) read less: :func:`paired_facts` takes the charter state its page
read already and its required training left, which :func:`required_training_left_sql` gives as
one SQL expression for the page's own statement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Max

from core import rows
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentRole,
    EnrollmentSkill,
    EnrollmentStatus,
    RegistrationQuestion,
    SkillDirection,
    TrainingCompletion,
)
from participants.participation import CharterState, TrainingItem, audience_of
from participants.registration import Completeness, completeness_of, skill_direction
from programs.models import Audience, CharterVersion, TrainingResource

STEP_ORDER: tuple[str, ...] = (
    "answer_invitation",
    "accept_charter",
    "confirm_session",
    "answer_check_in",
    "answer_survey",
    "finish_registration",
    "finish_training",
    "await_approval",
    "waitlisted",
)


@dataclass(frozen=True)
class Step:
    """One thing to do. ``url_name`` and ``url_args`` name the page that does it (``None``: a
    state to wait in, without a button); ``button`` is the button's text."""

    code: str
    text: str
    button: str = ""
    url_name: str | None = None
    url_args: tuple[int, ...] = ()
    # The part of that page that does it (the program page holds the charter and the training).
    anchor: str = ""

    @property
    def rank(self) -> int:
        return STEP_ORDER.index(self.code)


@dataclass
class ParticipantFacts:
    """What the participant rules read about one enrolment, loaded in bulk."""

    charter: CharterState
    # None when not read: a paired enrolment has no registration step (``paired_facts``).
    completeness: Completeness | None
    training: list[TrainingItem] = field(default_factory=list)
    # Only the count, when that is all a page read (``paired_facts``).
    training_left: int | None = None

    @property
    def required_training_left(self) -> int:
        if self.training_left is not None:
            return self.training_left
        return sum(1 for item in self.training if item.resource.required and not item.done)


def participant_facts(enrollments: Sequence[Enrollment]) -> dict[int, ParticipantFacts]:
    """The facts of every enrolment (``person`` and ``program`` already loaded), in six queries
    whatever their number."""
    if not enrollments:
        return {}
    ids = [e.pk for e in enrollments]
    program_ids = {e.program_id for e in enrollments}
    current = {
        charter.program_id: charter
        for charter in CharterVersion.objects.filter(program_id__in=program_ids)
        .order_by("program_id", "-version")
        .distinct("program_id")
    }
    accepted = dict(
        CharterAcceptance.objects.filter(enrollment_id__in=ids)
        .values("enrollment_id")
        .annotate(version=Max("charter_version__version"))
        .values_list("enrollment_id", "version")
        .order_by()
    )
    skills = set(
        EnrollmentSkill.objects.filter(enrollment_id__in=ids)
        .values_list("enrollment_id", "direction")
        .distinct()
    )
    questions: dict[int, list[RegistrationQuestion]] = defaultdict(list)
    for question in RegistrationQuestion.objects.filter(program_id__in=program_ids).order_by(
        "position", "id"
    ):
        questions[question.program_id].append(question)
    resources: dict[int, list[TrainingResource]] = defaultdict(list)
    for resource in TrainingResource.objects.filter(program_id__in=program_ids).order_by(
        "position", "id"
    ):
        resources[resource.program_id].append(resource)
    done = {
        (enrollment_id, resource_id): at
        for enrollment_id, resource_id, at in TrainingCompletion.objects.filter(
            enrollment_id__in=ids
        ).values_list("enrollment_id", "resource_id", "completed_at")
    }
    facts = {}
    for enrollment in enrollments:
        audiences = (Audience.BOTH, audience_of(enrollment.role))
        facts[enrollment.pk] = ParticipantFacts(
            charter=CharterState(
                current=current.get(enrollment.program_id),
                accepted_version=accepted.get(enrollment.pk),
            ),
            completeness=completeness_of(
                enrollment,
                has_skills=(enrollment.pk, skill_direction(enrollment.role)) in skills,
                questions=[q for q in questions[enrollment.program_id] if q.audience in audiences],
            ),
            training=[
                TrainingItem(resource=r, completed_at=done.get((enrollment.pk, r.pk)))
                for r in resources[enrollment.program_id]
                if r.audience in audiences
            ],
        )
    return facts


def required_training_left_sql(enrollment: Enrollment) -> tuple[str, list[Any]]:
    """The rule of ``ParticipantFacts.required_training_left`` as one SQL expression with its
    parameters, for a page that reads it within its own statement (the pair page): the required
    items of the enrolment's role, in its program, that it has not completed. Each table is
    filtered by the enrolment's organisation, as the tenant manager would, and row-level
    security holds as on any query."""
    quote = connection.ops.quote_name
    resources = quote(TrainingResource._meta.db_table)
    completions = quote(TrainingCompletion._meta.db_table)
    sql = (
        f"(SELECT count(*) FROM {resources} r WHERE r.organization_id = %s "  # noqa: S608 (table names; values bound)
        "AND r.program_id = %s AND r.required AND r.audience IN (%s, %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {completions} c WHERE c.organization_id = %s "
        "AND c.enrollment_id = %s AND c.resource_id = r.id))"
    )
    organization = enrollment.organization_id
    audiences = [Audience.BOTH.value, audience_of(enrollment.role)]
    return sql, [organization, enrollment.program_id, *audiences, organization, enrollment.pk]


def facts_sql(alias: str, organization_id: int) -> tuple[list[str], list[Any]]:
    """What the rules read of the enrolment row under ``alias`` (its ``id``, ``program_id`` and
    ``role`` columns), as SQL expressions for a caller's own statement, with their parameters in
    order: the program's current charter (``[id, version]``), the newest version the enrolment
    accepted, its required training left (as :func:`required_training_left_sql`), whether it
    registered the skills of its role, and its audience's required registration questions
    (``[[id, text], …]``, JSON). :func:`facts_of` reads them back. Each table is filtered by the
    organisation, as the tenant manager would, and row-level security holds as on any query."""
    quote = connection.ops.quote_name
    versions = quote(CharterVersion._meta.db_table)
    acceptances = quote(CharterAcceptance._meta.db_table)
    resources = quote(TrainingResource._meta.db_table)
    completions = quote(TrainingCompletion._meta.db_table)
    skills = quote(EnrollmentSkill._meta.db_table)
    questions = quote(RegistrationQuestion._meta.db_table)
    org = organization_id
    mentor = EnrollmentRole.MENTOR.value
    # The role's audience (``audience_of``) and skill direction (``skill_direction``).
    audience = f"CASE WHEN {alias}.role = %s THEN %s ELSE %s END"
    audience_params = [mentor, Audience.MENTORS.value, Audience.MENTEES.value]
    direction = [mentor, SkillDirection.TEACH.value, SkillDirection.LEARN.value]
    columns = [
        f"(SELECT ARRAY[v.id, v.version] FROM {versions} v WHERE v.organization_id = %s "  # noqa: S608 (table names; values bound)
        f"AND v.program_id = {alias}.program_id ORDER BY v.version DESC LIMIT 1)",
        f"(SELECT max(v.version) FROM {acceptances} a JOIN {versions} v "  # noqa: S608 (table names; values bound)
        "ON v.id = a.charter_version_id WHERE a.organization_id = %s AND v.organization_id = %s "
        f"AND a.enrollment_id = {alias}.id)",
        f"(SELECT count(*) FROM {resources} r WHERE r.organization_id = %s "  # noqa: S608 (table names; values bound)
        f"AND r.program_id = {alias}.program_id AND r.required "
        f"AND r.audience IN (%s, {audience}) "
        f"AND NOT EXISTS (SELECT 1 FROM {completions} c WHERE c.organization_id = %s "
        f"AND c.enrollment_id = {alias}.id AND c.resource_id = r.id))",
        f"EXISTS (SELECT 1 FROM {skills} s WHERE s.organization_id = %s "  # noqa: S608 (table names; values bound)
        f"AND s.enrollment_id = {alias}.id "
        f"AND s.direction = CASE WHEN {alias}.role = %s THEN %s ELSE %s END)",
        f"(SELECT json_agg(json_build_array(q.id, q.text) ORDER BY q.position, q.id) "  # noqa: S608 (table names; values bound)
        f"FROM {questions} q WHERE q.organization_id = %s AND q.program_id = {alias}.program_id "
        f"AND q.required AND q.audience IN (%s, {audience}))",
    ]
    params: list[Any] = [
        org,
        org,
        org,
        org,
        Audience.BOTH.value,
        *audience_params,
        org,
        org,
        *direction,
        org,
        Audience.BOTH.value,
        *audience_params,
    ]
    return columns, params


FACTS_WIDTH = 5  # the columns of ``facts_sql``


def facts_of(enrollment: Enrollment, values: Sequence[Any]) -> ParticipantFacts:
    """The facts of ``enrollment`` (its ``person`` loaded) from :func:`facts_sql`'s columns: what
    :func:`enrollment_steps` reads, its training as the count left."""
    charter, accepted, training_left, has_skills, questions = values
    current = None
    if charter is not None:
        # Only what the steps read of it, as only() would: its version.
        current = rows.partial(
            CharterVersion, id=charter[0], program_id=enrollment.program_id, version=charter[1]
        )
    required = [
        rows.partial(
            RegistrationQuestion, id=pk, program_id=enrollment.program_id, text=text, required=True
        )
        for pk, text in questions or ()
    ]
    return ParticipantFacts(
        charter=CharterState(current=current, accepted_version=accepted),
        completeness=completeness_of(enrollment, has_skills=has_skills, questions=required),
        training_left=training_left,
    )


def paired_facts(
    enrollment: Enrollment, charter: CharterState, training_left: int
) -> ParticipantFacts:
    """The facts the steps of a paired enrolment read (``enrollment_steps(…, paired=True)``),
    from what its page read already: its charter state and its required training left
    (:func:`required_training_left_sql`)."""
    return ParticipantFacts(charter=charter, completeness=None, training_left=training_left)


def enrollment_steps(
    enrollment: Enrollment, facts: ParticipantFacts, *, paired: bool
) -> list[Step]:
    """The enrolment's own steps (not its pair's), in ``STEP_ORDER``."""
    program = enrollment.program_id
    if enrollment.status == EnrollmentStatus.INVITED:
        return [
            Step(
                "answer_invitation",
                "You are invited: accept to take part, or decline.",
                "Answer the invitation",
                "my_program_detail",
                (program,),
            )
        ]
    if enrollment.status == EnrollmentStatus.APPLIED:
        return [Step("await_approval", "Your application is waiting for the program team.")]
    if enrollment.status == EnrollmentStatus.WAITLISTED:
        return [
            Step(
                "waitlisted",
                f"You are number {enrollment.waitlist_position} on the waitlist and move up "
                "automatically when a place frees.",
            )
        ]
    if enrollment.status != EnrollmentStatus.ACCEPTED:
        return []
    steps = []
    if facts.charter.needs_acceptance:
        assert facts.charter.current is not None
        steps.append(
            Step(
                "accept_charter",
                f"Read and accept version {facts.charter.current.version} of the charter.",
                "Accept the charter",
                "my_program_detail",
                (program,),
                anchor="charter",
            )
        )
    if not paired:
        completeness = facts.completeness
        if completeness is None:
            raise ValueError("The steps of an enrolment not paired yet read its completeness.")
        if not completeness.complete:
            steps.append(
                Step(
                    "finish_registration",
                    f"Your profile is {completeness.percent}% complete: a complete profile "
                    "gives you a better match.",
                    "Finish your registration",
                    "my_registration",
                    (program,),
                )
            )
    left = facts.required_training_left
    if left:
        steps.append(
            Step(
                "finish_training",
                f"{left} required training item{'s' if left != 1 else ''} left.",
                "Finish the training",
                "my_program_detail",
                (program,),
                anchor="training-panel",
            )
        )
    return steps
