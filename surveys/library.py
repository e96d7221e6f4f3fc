"""The survey templates shipped with Flipside, written for reverse mentoring: one per wave.

Mentees are the executives, mentors the junior colleagues who mentor them. The **anchor items**
(``ANCHORS``) are asked with the same words on the same scale in the pre, post and follow-up
surveys, so each person's answers pair from wave to wave; objectives link to them
(``surveys.ObjectiveAnchor``). Change an anchor's wording only in ``ANCHORS``: every wave reads it
from there.

``install_library`` copies the templates into an organisation as its own (``Survey.library_key``
names the shipped one; installing twice changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import User
from organizations.audit import log_action
from organizations.models import Organization
from programs.models import Audience
from surveys import access as policy
from surveys.builder.validation import clean_question
from surveys.models import Question, QuestionKind, Survey, SurveyVersion, Wave

Q = dict[str, Any]

AGREE_5 = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
WELL_7 = [
    "Very poorly",
    "Poorly",
    "Somewhat poorly",
    "Neither well nor poorly",
    "Somewhat well",
    "Well",
    "Very well",
]
MENTEES, MENTORS, BOTH = Audience.MENTEES, Audience.MENTORS, Audience.BOTH


def likert(
    text: str, *, audience: str = BOTH, anchor: str = "", help_text: str = "", required: bool = True
) -> Q:
    return {
        "kind": QuestionKind.LIKERT,
        "text": text,
        "audience": audience,
        "anchor_key": anchor,
        "help_text": help_text,
        "required": required,
        "scale_points": 5,
        "labels": AGREE_5,
    }


def choice(
    text: str,
    options: list[str],
    *,
    several: bool = False,
    audience: str = BOTH,
    help_text: str = "",
    required: bool = True,
) -> Q:
    return {
        "kind": QuestionKind.MULTIPLE if several else QuestionKind.SINGLE,
        "text": text,
        "choices": options,
        "audience": audience,
        "help_text": help_text,
        "required": required,
    }


def free_text(text: str, *, audience: str = BOTH, help_text: str = "", required: bool = False) -> Q:
    return {
        "kind": QuestionKind.TEXT,
        "text": text,
        "audience": audience,
        "help_text": help_text,
        "required": required,
    }


def number(
    text: str,
    *,
    low: int,
    high: int,
    audience: str = BOTH,
    help_text: str = "",
    required: bool = False,
) -> Q:
    return {
        "kind": QuestionKind.NUMBER,
        "text": text,
        "min_value": low,
        "max_value": high,
        "audience": audience,
        "help_text": help_text,
        "required": required,
    }


def nps(text: str, *, audience: str = BOTH) -> Q:
    return {"kind": QuestionKind.NPS, "text": text, "audience": audience, "required": True}


# --- Anchor items: the same words in every wave that measures change -----------------------------

ANCHORS: dict[str, Q] = {
    # Mentees (executives): the focus topics of reverse mentoring.
    "confidence_ai_tools": likert(
        "I am confident using AI tools in my work.", audience=MENTEES, anchor="confidence_ai_tools"
    ),
    "confidence_digital_tools": likert(
        "I keep up with the digital tools my teams use every day.",
        audience=MENTEES,
        anchor="confidence_digital_tools",
    ),
    "confidence_social_media": likert(
        "I am comfortable using social media to listen and to communicate.",
        audience=MENTEES,
        anchor="confidence_social_media",
    ),
    "understand_younger_view": likert(
        "I understand how younger colleagues see our workplace.",
        audience=MENTEES,
        anchor="understand_younger_view",
    ),
    # Mentors (junior colleagues): voice, visibility, staying.
    "mentor_confidence_executives": likert(
        "I feel confident speaking openly with senior leaders.",
        audience=MENTORS,
        anchor="mentor_confidence_executives",
    ),
    "mentor_understand_leadership": likert(
        "I understand the challenges senior leaders here face.",
        audience=MENTORS,
        anchor="mentor_understand_leadership",
    ),
    "mentor_visibility": likert(
        "I feel my work and ideas are visible to leaders in this organisation.",
        audience=MENTORS,
        anchor="mentor_visibility",
    ),
    "mentor_intention_to_stay": likert(
        "I see myself still working here in two years' time.",
        audience=MENTORS,
        anchor="mentor_intention_to_stay",
        help_text="Your answer is only ever shown as part of a group of at least five people.",
    ),
}
MENTEE_ANCHORS = (
    "confidence_ai_tools",
    "confidence_digital_tools",
    "confidence_social_media",
    "understand_younger_view",
)
MENTOR_ANCHORS = (
    "mentor_confidence_executives",
    "mentor_understand_leadership",
    "mentor_visibility",
    "mentor_intention_to_stay",
)


def _anchors(keys: tuple[str, ...], section: str) -> list[Q]:
    return [{**ANCHORS[key], "section": section} for key in keys]


def _in(section: str, *questions: Q) -> list[Q]:
    return [{**question, "section": section} for question in questions]


# --- The four templates ------------------------------------------------------------------------------

PRE: list[Q] = [
    *_in(
        "What you hope for",
        choice(
            "What would you most like to learn from your mentor?",
            [
                "Using AI tools in my work",
                "Social media and how people use it",
                "How younger colleagues see our workplace",
                "New ways of working and collaborating",
                "The digital products our customers use",
                "Something else",
            ],
            several=True,
            audience=MENTEES,
            help_text="Choose as many as you like.",
        ),
        choice(
            "What would you most like to gain from mentoring a senior leader?",
            [
                "Confidence speaking with senior leaders",
                "Understanding how decisions are made",
                "Visibility for my work and ideas",
                "A wider network in the organisation",
                "Advice on my career",
                "Something else",
            ],
            several=True,
            audience=MENTORS,
            help_text="Choose as many as you like.",
        ),
        free_text(
            "In a sentence or two: what would make this program worth your time?",
            help_text="Optional. Your partner does not see your answers.",
        ),
        number(
            "How many hours a month can you give to meetings with your partner?",
            low=1,
            high=20,
            help_text="Optional. A rough figure is fine.",
        ),
    ),
    *_anchors(MENTEE_ANCHORS, "Where you are today"),
    *_anchors(MENTOR_ANCHORS, "Where you are today"),
]

MID: list[Q] = [
    *_in(
        "Your partnership",
        {
            "kind": QuestionKind.LIKERT,
            "text": "How well is the partnership with your partner working for you?",
            "scale_points": 7,
            "labels": WELL_7,
            "required": True,
        },
        likert("We can speak openly with each other."),
        likert(
            "I have already tried something new that I learned from my mentor.", audience=MENTEES
        ),
        likert("My mentee listens to what I say and takes it seriously.", audience=MENTORS),
    ),
    *_in(
        "Meeting rhythm",
        number("How many times have you met so far?", low=0, high=50, required=True),
        choice(
            "Is the rhythm of your meetings right for you?",
            ["It is right as it is", "We should meet more often", "We should meet less often"],
        ),
    ),
    *_in(
        "Hurdles",
        choice(
            "What has got in the way, if anything?",
            [
                "Finding time in our calendars",
                "Meetings cancelled or moved at short notice",
                "Not sure what to talk about",
                "Hard to speak openly",
                "Different expectations of the program",
                "Nothing so far",
            ],
            several=True,
            required=False,
            help_text="Optional. Choose all that apply.",
        ),
        free_text(
            "Is anything else getting in the way, or is there something the program team could do "
            "to help?"
        ),
    ),
    *_in(
        "Looking ahead",
        choice(
            "If the program ended today, would you want to continue with your partner?",
            ["Yes", "Probably", "Not sure", "Probably not", "No"],
        ),
    ),
]

POST: list[Q] = [
    *_anchors(MENTEE_ANCHORS, "Where you are now"),
    *_anchors(MENTOR_ANCHORS, "Where you are now"),
    *_in(
        "Impact",
        likert("The program helped me make progress on what I wanted from it."),
        likert("What I learned has changed how I lead or make decisions.", audience=MENTEES),
        likert("I now act on what younger colleagues tell me more than before.", audience=MENTEES),
        likert("My ideas have reached people who can act on them.", audience=MENTORS),
        free_text(
            "What have you changed in how you work because of this program?",
            audience=MENTEES,
            help_text="Optional. One concrete example helps us most.",
        ),
        free_text(
            "What will you take with you from mentoring a senior leader?",
            audience=MENTORS,
            help_text="Optional.",
        ),
        number("Roughly how many times did you meet in all?", low=0, high=100),
    ),
    *_in(
        "Looking back",
        nps("How likely are you to recommend this program to a colleague?"),
        choice("Would you take part in a program like this again?", ["Yes", "Maybe", "No"]),
    ),
]

FOLLOW_UP: list[Q] = [
    *_anchors(MENTEE_ANCHORS, "Three months on"),
    *_anchors(MENTOR_ANCHORS, "Three months on"),
    *_in(
        "What has lasted",
        choice(
            "Are you still using what you learned in the program?",
            ["Yes, most of it", "Some of it", "Very little", "Not at all"],
        ),
        choice(
            "Are you still in touch with your partner?",
            ["Yes, we still meet", "Now and then", "No"],
        ),
        free_text(
            "What has lasted from the program, three months on?",
            help_text="Optional. A habit, a change in your team, a new contact…",
        ),
    ),
]


LIBRARY: dict[str, dict[str, Any]] = {
    "reverse_mentoring_pre": {
        "wave": Wave.PRE,
        "title": "Before the program: expectations and starting point",
        "intro": (
            "Welcome to the program. These questions take about five minutes. They ask what you "
            "hope for and where you stand today, so that together we can see what changes. Your "
            "partner never sees your answers; the program team sees scores only as totals of at "
            "least five people."
        ),
        "questions": PRE,
    },
    "reverse_mentoring_mid": {
        "wave": Wave.MID,
        "title": "Halfway: how is it going?",
        "intro": (
            "You are halfway through. Tell us honestly how your partnership is going and what gets "
            "in the way, so the program team can help while there is still time. It takes about "
            "three minutes."
        ),
        "questions": MID,
    },
    "reverse_mentoring_post": {
        "wave": Wave.POST,
        "title": "After the program: what changed",
        "intro": (
            "The program has ended: thank you for taking part. Some questions repeat the ones you "
            "answered at the start, so we can measure what changed. It takes about five minutes."
        ),
        "questions": POST,
    },
    "reverse_mentoring_follow_up": {
        "wave": Wave.FOLLOW_UP,
        "title": "Three months on: what has lasted",
        "intro": (
            "Three months after the program, a few of the same questions once more, and what has "
            "stayed with you. It takes about three minutes."
        ),
        "questions": FOLLOW_UP,
    },
}
LIBRARY_KEY_BY_WAVE: dict[str, str] = {entry["wave"]: key for key, entry in LIBRARY.items()}


def install_library(*, organization: Organization, actor: User | None) -> list[Survey]:
    """Install the shipped templates the organisation does not have yet (archived ones count as
    installed); returns the ones installed now. Admins only (``None`` is the system)."""
    policy.require_template(actor, policy.TEMPLATE_MANAGE)
    installed: list[Survey] = []
    existing = set(
        Survey.objects.filter(program__isnull=True)
        .exclude(library_key="")
        .values_list("library_key", flat=True)
    )
    for key, entry in LIBRARY.items():
        if key in existing:
            continue
        try:
            with transaction.atomic():
                installed.append(_install(organization, actor, key, entry))
        except IntegrityError:
            continue  # installed meanwhile by a concurrent request: the unique constraint decides
    return installed


def _install(
    organization: Organization, actor: User | None, key: str, entry: dict[str, Any]
) -> Survey:
    survey = Survey.objects.create(
        organization=organization,
        wave=entry["wave"],
        title=entry["title"],
        intro=entry["intro"],
        library_key=key,
        created_by=actor,
    )
    version = SurveyVersion.objects.create(
        organization=organization, survey=survey, number=1, created_by=actor
    )
    anchors: set[str] = set()
    rows = []
    for position, question in enumerate(entry["questions"]):
        values = clean_question(question, taken_anchor_keys=anchors)
        if values["anchor_key"]:
            anchors.add(values["anchor_key"])
        rows.append(
            Question(organization=organization, version=version, position=position, **values)
        )
    Question.objects.bulk_create(rows)
    log_action(
        actor=actor,
        action="survey.template.install",
        target=survey,
        data={"library_key": key, "questions": len(rows)},
    )
    return survey
