"""Builders for engine tests: people as plain records, and random score instances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count
from typing import Any

import numpy as np

from matching.engine import Cohort, MatchingQuestion, PersonRecord, build_cohort

TOPICS = {
    1: "generative-AI tools",
    2: "social media",
    3: "sustainability",
    4: "data literacy",
    5: "gaming",
    6: "podcasting",
}
_ids = count(1)
WEEKDAY_MORNING = [{"weekday": 0, "start": "09:00", "end": "11:00"}]


def person(name: str, **fields: Any) -> PersonRecord:
    """A record with sensible defaults: English, video, Monday 9-11 UTC, level 5, no skills."""
    number = next(_ids)
    values: dict[str, Any] = {
        "enrollment_id": 1000 + number,
        "person_id": number,
        "name": name,
        "level": 5,
        "languages": ["English"],
        "meeting_format": "video",
        "availability": WEEKDAY_MORNING,
    }
    values.update(fields)
    return PersonRecord(**values)


def cohort(
    mentors: Sequence[PersonRecord],
    mentees: Sequence[PersonRecord],
    *,
    focus: Sequence[int] = (),
    questions: Sequence[MatchingQuestion] = (),
    max_mentees: int = 1,
    managers: Mapping[int, int | None] | None = None,
) -> Cohort:
    return build_cohort(
        mentors=mentors,
        mentees=mentees,
        topics=TOPICS,
        focus_topics=focus,
        questions=questions,
        max_mentees_per_mentor=max_mentees,
        manager_of=managers,
    )


def random_instance(
    seed: int, n_mentees: int, n_mentors: int, *, max_capacity: int = 1, forbid: float = 0.25
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer scores 0-100 (ties and zeros included), a random allowed mask and capacities."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 101, size=(n_mentees, n_mentors)).astype(np.float64)
    scores[rng.random(scores.shape) < 0.1] = 0.0
    allowed = rng.random(scores.shape) >= forbid
    capacity = rng.integers(1, max_capacity + 1, size=n_mentors).astype(np.int64)
    return scores, allowed, capacity


def random_cohort(seed: int, n_mentors: int, n_mentees: int) -> Cohort:
    """A small cohort with every kind of profile field filled at random."""
    rng = np.random.default_rng(seed)
    questions = (
        MatchingQuestion(1, "Style", "single_choice", "similar", ("A", "B", "C")),
        MatchingQuestion(2, "Risk", "scale", "different"),
        MatchingQuestion(3, "Channels", "multiple_choice", "similar", ("Mail", "Chat", "Call")),
    )

    def record(k: int, mentor: bool) -> PersonRecord:
        topics = list(TOPICS)
        return person(
            f"{'Mentor' if mentor else 'Mentee'} {k}",
            level=int(rng.integers(1, 5) if mentor else rng.integers(4, 9)),
            department=str(rng.choice(["Sales", "IT", "Finance", ""])),
            utc_offset_minutes=int(rng.choice([-300, 0, 60, 330])),
            languages=list(rng.choice(["English", "French", "German"], size=rng.integers(0, 3))),
            meeting_format=str(rng.choice(["in_person", "video", "either"])),
            availability=[
                {"weekday": int(d), "start": f"{h:02d}:00", "end": f"{h + 2:02d}:30"}
                for d, h in zip(rng.integers(0, 5, 2), rng.integers(7, 18, 2), strict=True)
            ][: int(rng.integers(0, 3))],
            skills={
                int(t): int(rng.integers(1, 6)) for t in rng.choice(topics, rng.integers(0, 5))
            },
            interests={int(t) for t in rng.choice(topics, rng.integers(0, 4))},
            answers={
                "1": str(rng.choice(["A", "B", "C"])) if rng.random() < 0.7 else None,
                "2": int(rng.integers(1, 6)) if rng.random() < 0.7 else None,
                "3": [c for c in ("Mail", "Chat", "Call") if rng.random() < 0.5],
            },
            generation=str(rng.choice(["Gen Z", "Millennial", "Gen X", ""])),
            max_mentees=int(rng.integers(1, 3)) if mentor else None,
        )

    return cohort(
        [record(k, True) for k in range(n_mentors)],
        [record(k, False) for k in range(n_mentees)],
        focus=[1, 3],
        questions=questions,
        max_mentees=2,
    )
