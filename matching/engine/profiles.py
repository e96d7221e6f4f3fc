"""A cohort as arrays: mentors and mentees side by side, ready for vectorised scoring and rules.

A service fills :class:`PersonRecord` objects from a few bulk queries (enrolments with their person,
skills, interests; the program's topics, focus topics and matching questions; the organisation's
``manager_map()``) and calls :func:`build_cohort`. Everything after that is numpy.

Encodings (per side, ``n`` people, ``T`` topics, ``Q`` matching questions):

- ``level`` int64, ``-1`` when unknown; a higher number is more senior (``level_scale`` lists levels
  lowest first).
- ``department`` / ``generation``: integer codes into the cohort's vocabularies, ``-1`` when blank.
- ``utc_offset`` minutes east of UTC (the service resolves each time zone at the round's reference
  date, so daylight saving time is taken at that date).
- ``languages``: ``(n, W)`` uint64 bitsets over the cohort's language vocabulary (case-insensitive).
- ``availability``: ``(n, 336)`` booleans, one per half hour of the week **in UTC**, Monday 00:00
  first. A local window ``[start, end)`` keeps the half hours it covers completely.
- ``skills``: ``(n, T)`` uint8 levels 0-5: what a mentor can teach, or what a mentee wants to learn.
- ``interests``: ``(n, T)`` booleans.
- ``choice_answers``: ``(n, Q)`` uint64 bitsets of the chosen options (0 = no answer) for choice
  questions; ``scale_answers``: ``(n, Q)`` float64 values, NaN when unanswered or not a scale.
- ``capacity``: how many mentees a mentor takes (``min(own limit, program maximum)``); 1 for mentees.
- ``ancestors``: ``(n, D)`` person ids up the reporting chain (manager first), ``-1`` padded.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from matching.engine.arrays import BoolArray, IntArray, UInt8Array, UInt64Array
from matching.engine.errors import EmptyCohortError, MatchingError

SLOT_MINUTES = 30
SLOTS_PER_WEEK = 7 * 24 * 60 // SLOT_MINUTES
MINUTES_PER_WEEK = 7 * 24 * 60
MAX_LEVEL = 5
MAX_CHAIN_DEPTH = 64
FORMAT_CODES: dict[str, int] = {"in_person": 0, "video": 1, "either": 2}
FORMAT_NAMES: tuple[str, ...] = ("in person", "video", "either")

QuestionKind = Literal["single_choice", "multiple_choice", "scale"]
QuestionUse = Literal["similar", "different"]


@dataclass(frozen=True)
class MatchingQuestion:
    """A registration question marked for matching (short text cannot be compared)."""

    id: int
    text: str
    kind: QuestionKind
    use: QuestionUse
    choices: tuple[str, ...] = ()
    scale_min: int = 1
    scale_max: int = 5

    def __post_init__(self) -> None:
        if self.kind not in ("single_choice", "multiple_choice", "scale"):
            raise MatchingError(f"Question {self.id}: a {self.kind!r} question cannot be matched.")
        if self.use not in ("similar", "different"):
            raise MatchingError(f"Question {self.id}: use must be 'similar' or 'different'.")
        if self.kind == "scale" and self.scale_min >= self.scale_max:
            raise MatchingError(f"Question {self.id}: the scale needs minimum < maximum.")
        if self.kind != "scale" and not 0 < len(self.choices) <= 64:
            raise MatchingError(f"Question {self.id}: give between 1 and 64 choices.")


@dataclass(frozen=True)
class PersonRecord:
    """One enrolment as plain data (what a service reads from the ORM)."""

    enrollment_id: int
    person_id: int
    name: str
    level: int | None = None
    department: str = ""
    utc_offset_minutes: int = 0
    languages: Sequence[str] = ()
    meeting_format: str = "either"
    # [{"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}] in the person's own time zone.
    availability: Sequence[Mapping[str, Any]] = ()
    # Topic id -> level 1-5: what a mentor can teach / what a mentee wants to learn.
    skills: Mapping[int, int] = field(default_factory=dict)
    interests: Collection[int] = ()
    # Registration answers keyed by question id (JSON keys are strings; ints are accepted too).
    answers: Mapping[str | int, Any] = field(default_factory=dict)
    max_mentees: int | None = None
    generation: str = ""


@dataclass(frozen=True, eq=False)
class Side:
    """One role of the cohort as a struct of arrays (row ``k`` is the ``k``-th record given)."""

    ids: IntArray
    person_ids: IntArray
    names: tuple[str, ...]
    level: IntArray
    department: IntArray
    generation: IntArray
    utc_offset: IntArray
    languages: UInt64Array
    meeting_format: IntArray
    availability: BoolArray
    skills: UInt8Array
    interests: BoolArray
    choice_answers: UInt64Array
    scale_answers: np.ndarray[Any, np.dtype[np.float64]]
    capacity: IntArray
    ancestors: IntArray

    @property
    def size(self) -> int:
        return len(self.ids)

    def index_of(self, enrollment_id: int) -> int:
        """Row of an enrolment id, or -1."""
        hits = np.flatnonzero(self.ids == enrollment_id)
        return int(hits[0]) if len(hits) else -1


@dataclass(frozen=True, eq=False)
class Cohort:
    """Mentors, mentees and the vocabularies their codes refer to."""

    mentors: Side
    mentees: Side
    topic_ids: IntArray
    topic_names: tuple[str, ...]
    focus: BoolArray
    questions: tuple[MatchingQuestion, ...]
    languages: tuple[str, ...]
    departments: tuple[str, ...]
    generations: tuple[str, ...]

    def require_people(self) -> None:
        if not self.mentors.size and not self.mentees.size:
            raise EmptyCohortError(
                "The round has no mentors and no mentees: accept enrolments first."
            )
        if not self.mentors.size:
            raise EmptyCohortError(
                "The round has no mentors: accept at least one mentor enrolment."
            )
        if not self.mentees.size:
            raise EmptyCohortError(
                "The round has no mentees: accept at least one mentee enrolment."
            )


class _Vocabulary:
    """Stable integer codes for strings, in order of first appearance."""

    def __init__(self, *, casefold: bool = False) -> None:
        self.codes: dict[str, int] = {}
        self.labels: list[str] = []
        self.casefold = casefold

    def code(self, value: str) -> int:
        text = value.strip()
        if not text:
            return -1
        key = text.casefold() if self.casefold else text
        if key not in self.codes:
            self.codes[key] = len(self.labels)
            self.labels.append(text)
        return self.codes[key]


@functools.lru_cache(maxsize=4096)
def _minutes(text: object) -> int:
    """Minutes since midnight of ``"HH:MM"`` (a cohort repeats the same few times)."""
    hours, minutes = str(text).split(":")
    return int(hours) * 60 + int(minutes)


def availability_slots(windows: Iterable[Mapping[str, Any]], utc_offset_minutes: int) -> BoolArray:
    """The UTC half hours of the week fully covered by local windows ``[start, end)``.

    A local minute ``t`` of the week is UTC minute ``t - offset`` (mod one week); a window keeps the
    slots ``ceil(start / 30) .. floor(end / 30) - 1`` of its UTC span, wrapping around the week.
    """
    slots = np.zeros(SLOTS_PER_WEEK, dtype=np.bool_)
    for window in windows:
        day = int(window["weekday"])
        if not 0 <= day <= 6:
            raise MatchingError(f"Availability weekday {day} is not 0 (Monday) to 6 (Sunday).")
        start = day * 24 * 60 + _minutes(window["start"]) - utc_offset_minutes
        end = day * 24 * 60 + _minutes(window["end"]) - utc_offset_minutes
        first, stop = math.ceil(start / SLOT_MINUTES), math.floor(end / SLOT_MINUTES)
        if stop - first >= SLOTS_PER_WEEK:
            slots[:] = True
        elif stop > first:
            # At most two slices: up to the week's end, then from its start (a wrap).
            begin = first % SLOTS_PER_WEEK
            finish = begin + stop - first
            slots[begin : min(finish, SLOTS_PER_WEEK)] = True
            if finish > SLOTS_PER_WEEK:
                slots[: finish - SLOTS_PER_WEEK] = True
    return slots


def reporting_ancestors(
    person_ids: Sequence[int], manager_of: Mapping[int, int | None]
) -> IntArray:
    """``(n, D)`` manager chains (nearest first, ``-1`` padded); cycles and depth are cut off.

    One level at a time for everyone at once (a walk per person up to ``MAX_CHAIN_DEPTH``
    managers cost seconds at 20,000 people): a chain stops at a person without a manager, or at
    a manager already in it (the person or a nearer manager: a cycle)."""
    people = np.asarray(list(person_ids), dtype=np.int64)
    keys = np.fromiter(manager_of.keys(), dtype=np.int64, count=len(manager_of))
    managers = np.fromiter(
        (-1 if m is None else m for m in manager_of.values()), dtype=np.int64, count=len(keys)
    )
    order = np.argsort(keys, kind="stable")
    keys, managers = keys[order], managers[order]
    chains = np.full((len(people), MAX_CHAIN_DEPTH), -1, dtype=np.int64)
    walking = np.arange(len(people))
    current = people
    depth = 0
    while len(walking) and len(keys) and depth < MAX_CHAIN_DEPTH:
        spot = np.minimum(np.searchsorted(keys, current), len(keys) - 1)
        found = keys[spot] == current
        manager = np.where(found, managers[spot], -1)
        going = (manager >= 0) & (manager != people[walking])
        going &= ~(chains[walking, :depth] == manager[:, None]).any(axis=1)
        walking, current = walking[going], manager[going]
        chains[walking, depth] = current
        depth += 1
    used = int((chains >= 0).sum(axis=1).max()) if len(people) else 0
    return chains[:, : max(used, 1)].copy()


def _answer_arrays(
    records: Sequence[PersonRecord], questions: Sequence[MatchingQuestion]
) -> tuple[UInt64Array, np.ndarray[Any, np.dtype[np.float64]]]:
    bits = np.zeros((len(records), len(questions)), dtype=np.uint64)
    scale = np.full((len(records), len(questions)), np.nan)
    for q, question in enumerate(questions):
        position = {choice: k for k, choice in enumerate(question.choices)}
        for row, record in enumerate(records):
            value = record.answers.get(str(question.id), record.answers.get(question.id))
            if value is None or value == "" or value == []:
                continue
            if question.kind == "scale":
                number = float(value)
                if question.scale_min <= number <= question.scale_max:
                    scale[row, q] = number
                continue
            chosen = value if isinstance(value, list) else [value]
            mask = 0
            for choice in chosen:
                if choice in position:
                    mask |= 1 << position[choice]
            bits[row, q] = mask
    return bits, scale


def _side(
    records: Sequence[PersonRecord],
    *,
    topic_column: Mapping[int, int],
    n_topics: int,
    questions: Sequence[MatchingQuestion],
    languages: _Vocabulary,
    departments: _Vocabulary,
    generations: _Vocabulary,
    manager_of: Mapping[int, int | None],
    capacity_limit: int | None,
) -> tuple[Side, list[list[int]]]:
    n = len(records)
    skills = np.zeros((n, n_topics), dtype=np.uint8)
    interests = np.zeros((n, n_topics), dtype=np.bool_)
    availability = np.zeros((n, SLOTS_PER_WEEK), dtype=np.bool_)
    language_codes: list[list[int]] = []
    for row, record in enumerate(records):
        for topic, level in record.skills.items():
            if not 1 <= int(level) <= MAX_LEVEL:
                raise MatchingError(f"{record.name}: skill level {level} is not between 1 and 5.")
            skills[row, topic_column[topic]] = int(level)
        for topic in record.interests:
            interests[row, topic_column[topic]] = True
        availability[row] = availability_slots(record.availability, record.utc_offset_minutes)
        language_codes.append([languages.code(name) for name in record.languages])
        if record.meeting_format not in FORMAT_CODES:
            raise MatchingError(f"{record.name}: unknown meeting format {record.meeting_format!r}.")
    capacity = np.ones(n, dtype=np.int64)
    if capacity_limit is not None:
        own = [r.max_mentees if r.max_mentees is not None else capacity_limit for r in records]
        capacity = np.minimum(np.asarray(own, dtype=np.int64), capacity_limit)
        if n and capacity.min() < 1:
            raise MatchingError("A mentor's capacity must be at least 1.")
    choice_answers, scale_answers = _answer_arrays(records, questions)
    side = Side(
        ids=np.asarray([r.enrollment_id for r in records], dtype=np.int64),
        person_ids=np.asarray([r.person_id for r in records], dtype=np.int64),
        names=tuple(r.name for r in records),
        level=np.asarray([-1 if r.level is None else r.level for r in records], dtype=np.int64),
        department=np.asarray([departments.code(r.department) for r in records], dtype=np.int64),
        generation=np.asarray([generations.code(r.generation) for r in records], dtype=np.int64),
        utc_offset=np.asarray([r.utc_offset_minutes for r in records], dtype=np.int64),
        languages=np.zeros((n, 1), dtype=np.uint64),  # filled once the vocabulary is complete
        meeting_format=np.asarray([FORMAT_CODES[r.meeting_format] for r in records], np.int64),
        availability=availability,
        skills=skills,
        interests=interests,
        choice_answers=choice_answers,
        scale_answers=scale_answers,
        capacity=capacity,
        ancestors=reporting_ancestors([r.person_id for r in records], manager_of),
    )
    return side, language_codes


def _language_bits(codes: list[list[int]], words: int) -> UInt64Array:
    bits = np.zeros((len(codes), words), dtype=np.uint64)
    for row, person_codes in enumerate(codes):
        for code in person_codes:
            if code >= 0:
                bits[row, code // 64] |= np.uint64(1 << (code % 64))
    return bits


def build_cohort(
    *,
    mentors: Sequence[PersonRecord],
    mentees: Sequence[PersonRecord],
    topics: Mapping[int, str],
    focus_topics: Collection[int] = (),
    questions: Sequence[MatchingQuestion] = (),
    max_mentees_per_mentor: int = 1,
    manager_of: Mapping[int, int | None] | None = None,
) -> Cohort:
    """Encode two lists of enrolments. Topics missing from ``topics`` get a placeholder name.

    ``manager_of`` maps person id to manager id for the whole organisation (``manager_map()``), so
    chains pass through people who are not enrolled.
    """
    if not 1 <= max_mentees_per_mentor <= 10:
        raise MatchingError("The program's mentor capacity must be between 1 and 10.")
    names = dict(topics)
    for record in (*mentors, *mentees):
        for topic in (*record.skills, *record.interests):
            names.setdefault(topic, f"topic {topic}")
    topic_ids = sorted(names)
    topic_column = {topic: column for column, topic in enumerate(topic_ids)}
    languages = _Vocabulary(casefold=True)
    departments = _Vocabulary(casefold=True)
    generations = _Vocabulary()
    common: dict[str, Any] = {
        "topic_column": topic_column,
        "n_topics": len(topic_ids),
        "questions": questions,
        "languages": languages,
        "departments": departments,
        "generations": generations,
        "manager_of": manager_of or {},
    }
    mentor_side, mentor_languages = _side(mentors, capacity_limit=max_mentees_per_mentor, **common)
    mentee_side, mentee_languages = _side(mentees, capacity_limit=None, **common)
    words = max(1, -(-len(languages.labels) // 64))
    mentor_side = replace(mentor_side, languages=_language_bits(mentor_languages, words))
    mentee_side = replace(mentee_side, languages=_language_bits(mentee_languages, words))
    focus = set(focus_topics)
    return Cohort(
        mentors=mentor_side,
        mentees=mentee_side,
        topic_ids=np.asarray(topic_ids, dtype=np.int64),
        topic_names=tuple(names[t] for t in topic_ids),
        focus=np.asarray([t in focus for t in topic_ids], dtype=np.bool_),
        questions=tuple(questions),
        languages=tuple(languages.labels),
        departments=tuple(departments.labels),
        generations=tuple(generations.labels),
    )
