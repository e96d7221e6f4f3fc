"""Demo programs for the demo organisation: a topic vocabulary and five programs, one per
lifecycle stage a visitor should see (draft, enrolling, matching, active, closed).

Everything is written through the services (so the audit log tells the story), with dates relative
to today. Statuses that need accepted participants (matching, active, closed) are set directly:
this module must not depend on participant data existing, and seed_demo adds people afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from organizations.models import Organization
from organizations.scope import tenant_scope
from programs import content, lifecycle, services
from programs.models import Program, ProgramStatus, Topic

TOPICS = {
    "AI tools": "Everyday AI assistants, prompting, and what they are good and bad at.",
    "Social media": "How platforms shape brand perception and how people find news and jobs.",
    "Digital skills": "Collaboration tools, automation, working in the open.",
    "DEI": "Lived experience of colleagues from under-represented groups.",
    "Sustainability": "What a climate-aware generation expects from its employer.",
    "Mental health": "Talking about wellbeing, burnout and boundaries at work.",
    "Workplace culture": "Flexible work, feedback, recognition, how teams really work.",
    "Generative AI": "Text, image and code generation: uses, risks, policy.",
    "Data literacy": "Reading dashboards, asking good questions of data, analytics tools.",
}

CHARTER = """What is said in a session stays between the two of you. Coordinators see that a session took place, never what was discussed.

The mentor leads. Rank stays at the door: the executive is here to learn, the junior colleague to teach, and both to listen.

No career consequences. Nothing shared in this program is used in performance reviews, promotion decisions or team discussions.

Show up. Keep the agreed rhythm, come prepared, and cancel early if you must. Either side may end the pairing by telling the program coordinator; no reason is needed."""

TRAINING = [
    {
        "title": "How reverse mentoring works (video)",
        "url": "https://flipside.example/training/how-it-works",
        "audience": "both",
        "estimated_minutes": 12,
        "required": True,
    },
    {
        "title": "Teaching upwards: a guide for mentors",
        "body": "Start from your mentee's real work. Show, don't tell: open the tool together. "
        "Give feedback on what you see, not on the person. Prepare one question for each session.",
        "audience": "mentors",
        "estimated_minutes": 20,
        "required": True,
    },
    {
        "title": "Learning from a junior colleague: a guide for executives",
        "body": "Listen more than you speak. Let your mentor set the agenda. Try things between "
        "sessions and report back. Assume candour is a gift.",
        "audience": "mentees",
        "estimated_minutes": 15,
        "required": True,
    },
    {
        "title": "Further reading: reverse mentoring case studies",
        "url": "https://flipside.example/reading/case-studies",
        "audience": "both",
        "estimated_minutes": 30,
        "required": False,
    },
]


@dataclass
class DemoProgram:
    name: str
    description: str
    status: str
    start_in_days: int
    length_days: int
    topics: list[str]
    objectives: list[dict[str, object]]
    terminology: dict[str, str] = field(default_factory=dict)


def _objective(
    statement: str, audience: str, measure: str, baseline: str, target: str
) -> dict[str, object]:
    return {
        "statement": statement,
        "audience": audience,
        "measure": measure,
        "baseline": Decimal(baseline),
        "target": Decimal(target),
        "unit": "points (1-5)",
    }


PROGRAMS = [
    DemoProgram(
        name="Digital Fluency for the Leadership Team 2025",
        description="Our first cohort: twelve directors paired with early-career colleagues from "
        "marketing, data and engineering to build confidence with the tools our customers use.",
        status=ProgramStatus.CLOSED,
        start_in_days=-300,
        length_days=180,
        topics=["Digital skills", "Social media", "Data literacy"],
        objectives=[
            _objective(
                "Executives feel confident using collaboration and analytics tools",
                "mentees",
                "Survey: digital confidence",
                "2.4",
                "3.8",
            ),
            _objective(
                "Mentors feel heard by senior leadership",
                "mentors",
                "Survey: voice with leadership",
                "2.9",
                "4.0",
            ),
        ],
    ),
    DemoProgram(
        name="Generative AI Reverse Mentoring — Spring cohort",
        description="Junior colleagues who use AI tools daily show executives what works, what "
        "doesn't, and what our policies should say.",
        status=ProgramStatus.ACTIVE,
        start_in_days=-45,
        length_days=150,
        topics=["AI tools", "Generative AI", "Data literacy"],
        objectives=[
            _objective(
                "Executives use an AI assistant in their own work every week",
                "mentees",
                "Survey: weekly AI use",
                "1.8",
                "3.5",
            ),
            _objective(
                "Mentors gain visibility and strategic context",
                "mentors",
                "Survey: understanding of strategy",
                "2.6",
                "3.8",
            ),
            _objective(
                "Both sides trust each other across levels",
                "both",
                "Survey: cross-level trust",
                "3.0",
                "4.0",
            ),
        ],
        terminology={"program": "AI exchange"},
    ),
    DemoProgram(
        name="Listening Up: Inclusive Leadership",
        description="Leaders learn first-hand about the experiences of colleagues from "
        "under-represented groups, and turn what they learn into one concrete change each.",
        status=ProgramStatus.MATCHING,
        start_in_days=21,
        length_days=180,
        topics=["DEI", "Workplace culture", "Mental health"],
        objectives=[
            _objective(
                "Executives can name one inclusion blind spot they acted on",
                "mentees",
                "Survey: inclusion actions",
                "1.5",
                "3.5",
            ),
            _objective(
                "Mentors feel their perspective changes decisions",
                "mentors",
                "Survey: perceived influence",
                "2.2",
                "3.6",
            ),
        ],
        terminology={"program": "upward mentoring"},
    ),
    DemoProgram(
        name="Next-Gen Workplace — Autumn cohort",
        description="Open for sign-ups: what do colleagues who joined in the last three years "
        "expect from flexible work, feedback and recognition?",
        status=ProgramStatus.ENROLLING,
        start_in_days=60,
        length_days=150,
        topics=["Workplace culture", "Social media"],
        objectives=[
            _objective(
                "Executives understand early-career expectations of work",
                "mentees",
                "Survey: understanding of next-gen expectations",
                "2.5",
                "4.0",
            ),
        ],
    ),
    DemoProgram(
        name="Sustainability Champions (draft)",
        description="Planned for next year: pair sustainability-minded graduates with the "
        "operations leadership team.",
        status=ProgramStatus.DRAFT,
        start_in_days=200,
        length_days=180,
        topics=["Sustainability"],
        objectives=[],
    ),
]


def _create(
    organization: Organization, admin: User, spec: DemoProgram, topics: dict[str, Topic]
) -> Program:
    today = timezone.localdate()
    start = today + timedelta(days=spec.start_in_days)
    program = services.program_create(
        organization=organization,
        actor=admin,
        values={
            "name": spec.name,
            "description": spec.description,
            "start_date": start,
            "mid_review_date": start + timedelta(days=spec.length_days // 2),
            "end_date": start + timedelta(days=spec.length_days),
            "time_zone": "Europe/London",
            "max_mentees_per_mentor": 1,
            "terminology": spec.terminology,
        },
        focus_topics=[topics[name] for name in spec.topics],
    )
    for values in spec.objectives:
        content.objective_create(actor=admin, program=program, values=values)
    for values in TRAINING:
        content.training_create(actor=admin, program=program, values=values)
    if spec.status != ProgramStatus.DRAFT:
        content.charter_publish(actor=admin, program=program, body=CHARTER)
        lifecycle.program_transition(actor=admin, program=program, to=ProgramStatus.ENROLLING)
    if spec.status == ProgramStatus.ACTIVE:
        content.charter_publish(
            actor=admin,
            program=program,
            body=CHARTER + "\n\nAI tools in sessions: never paste confidential company data into "
            "a public AI service, not even to demonstrate it.",
            change_note="Added a rule on confidential data in AI tools.",
        )
    if spec.status not in (ProgramStatus.DRAFT, ProgramStatus.ENROLLING):
        # Needs accepted participants, which the demo adds later: set directly.
        Program.objects.filter(pk=program.pk).update(status=spec.status)
    return program


def load_demo_programs(organization: Organization, admin: User) -> None:
    """Create the demo vocabulary and programs once (a second call changes nothing)."""
    with tenant_scope(organization):
        if Program.objects.exists():
            return
        topics = {
            name: services.topic_create(
                organization=organization, actor=admin, name=name, description=description
            )
            for name, description in TOPICS.items()
        }
        for spec in PROGRAMS:
            _create(organization, admin, spec, topics)
