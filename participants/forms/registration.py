"""Forms of the registration pages: a program's questions (staff) and a participant's own
registration. They only shape input: the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms

from core.timezones import time_zone_choices
from participants.models import (
    MatchingUse,
    MeetingFormat,
    QuestionKind,
    RegistrationQuestion,
)
from participants.registration import MAX_WINDOWS, QuestionInput, RegistrationInput
from programs.models import Audience, Topic

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
# One control per topic: not for me, curious (an interest, no level), or a level 1-5 of what the
# role brings (mentors: can teach) or seeks (mentees: want to learn).
CURIOUS = "curious"
NOT_FOR_ME = ""
TEACH_LEVELS = ["basics", "some", "good", "strong", "expert"]
LEARN_LEVELS = ["first steps", "basics", "working level", "confident", "advanced"]
# Browsers that cannot say their zone get the person's saved zone; a saved "UTC" is the default.
DEFAULT_TIME_ZONE = "UTC"


class QuestionForm(forms.Form):
    text = forms.CharField(max_length=300, label="Question")
    help_text = forms.CharField(max_length=300, required=False, label="Help text")
    kind = forms.ChoiceField(choices=QuestionKind.choices, label="Kind of answer")
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Choices",
        help_text="One per line (choice questions only).",
    )
    scale_min = forms.IntegerField(initial=1, label="Scale from")
    scale_max = forms.IntegerField(initial=5, label="Scale to")
    required = forms.BooleanField(required=False, label="An answer is required")
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.BOTH, label="Asked of")
    matching_use = forms.ChoiceField(
        choices=MatchingUse.choices, initial=MatchingUse.NONE, label="Use in matching"
    )

    @classmethod
    def for_question(cls, question: RegistrationQuestion, data: Any = None) -> QuestionForm:
        initial = {
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "choices": "\n".join(question.choices or []),
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "required": question.required,
            "audience": question.audience,
            "matching_use": question.matching_use,
        }
        return cls(data, initial=initial)

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            text=data["text"],
            help_text=data["help_text"],
            kind=data["kind"],
            choices=[line.strip() for line in data["choices"].splitlines() if line.strip()],
            scale_min=data["scale_min"],
            scale_max=data["scale_max"],
            required=data["required"],
            audience=data["audience"],
            matching_use=data["matching_use"],
        )


class RegistrationForm(forms.Form):
    """The registration page. Fields are built from the org's topics and the program's questions
    for this role; ``to_input`` turns them into the service's plain data."""

    meeting_format = forms.ChoiceField(
        choices=MeetingFormat.choices, widget=forms.RadioSelect, label="Preferred meeting format"
    )
    languages = forms.CharField(
        required=False,
        max_length=500,
        label="Languages you can meet in",
        help_text="Language codes separated by commas, e.g. en, fr, pt-br.",
    )
    time_zone = forms.ChoiceField(label="Your time zone")
    max_mentees = forms.IntegerField(
        required=False, min_value=1, label="How many mentees can you take?"
    )

    def __init__(
        self,
        data: Any = None,
        *,
        topics: list[Topic],
        questions: list[RegistrationQuestion],
        initial_input: RegistrationInput,
        is_mentor: bool,
        max_mentees_allowed: int,
    ) -> None:
        self.topics = topics
        self.questions = questions
        windows = list(initial_input.availability)
        initial: dict[str, Any] = {
            "meeting_format": initial_input.meeting_format,
            "languages": ", ".join(initial_input.languages),
            "time_zone": initial_input.time_zone,
            "max_mentees": initial_input.max_mentees,
        }
        super().__init__(data, initial=initial)
        time_zone = self.fields["time_zone"]
        assert isinstance(time_zone, forms.ChoiceField)
        time_zone.choices = time_zone_choices()
        if is_mentor:
            self.fields[
                "max_mentees"
            ].help_text = (
                f"At most {max_mentees_allowed}. Leave empty to take the program's maximum."
            )
        else:
            del self.fields["max_mentees"]
        # The direction the role does not bring is kept as saved (the form does not ask it).
        self.is_mentor = is_mentor
        own, other = (
            (initial_input.teach, initial_input.learn)
            if is_mentor
            else (initial_input.learn, initial_input.teach)
        )
        self.kept_other = {int(k): v for k, v in other.items()}
        interests = {int(t) for t in initial_input.interests}
        self.kept_interests = interests
        words = TEACH_LEVELS if is_mentor else LEARN_LEVELS
        verb = "can teach" if is_mentor else "want to learn"
        for topic in topics:
            level = own.get(topic.pk) or own.get(str(topic.pk))
            if level:
                value = str(level)
            elif topic.pk in interests:
                value = CURIOUS
            else:
                value = NOT_FOR_ME
            self.fields[self.topic_field(topic.pk)] = forms.ChoiceField(
                choices=[
                    (NOT_FOR_ME, "Not for me"),
                    (CURIOUS, "Curious"),
                    *[(str(n), f"{n} {word}") for n, word in enumerate(words, start=1)],
                ],
                required=False,
                widget=forms.RadioSelect,
                label=f"{topic.name}: what you {verb}",
                initial=value,
            )
        count = self._posted_windows(data)
        self.window_count = min(MAX_WINDOWS, max(count, len(windows) + 1, 2))
        self.time_zone_is_default = initial_input.time_zone == DEFAULT_TIME_ZONE
        if self.time_zone_is_default and data is None:
            # static/js/app.js starts the picker from the browser's zone (a hint says so).
            time_zone.widget.attrs["data-browser-zone"] = "id_time_zone_hint"
        for index in range(self.window_count):
            window = windows[index] if index < len(windows) else {}
            self.fields[f"window_{index}_weekday"] = forms.ChoiceField(
                choices=[("", "—"), *[(str(n), name) for n, name in WEEKDAYS]],
                required=False,
                label=f"Window {index + 1}: day",
                initial=str(window.get("weekday", "")),
            )
            for bound in ("start", "end"):
                self.fields[f"window_{index}_{bound}"] = forms.CharField(
                    required=False,
                    max_length=5,
                    label=f"Window {index + 1}: {'from' if bound == 'start' else 'to'}",
                    widget=forms.TimeInput(attrs={"type": "time"}),
                    initial=window.get(bound, ""),
                )
        for question in questions:
            self.fields[self.question_field(question.pk)] = self._question_field(
                question, initial_input.answers.get(str(question.pk))
            )

    @staticmethod
    def question_field(question_id: int | str) -> str:
        return f"q_{question_id}"

    @staticmethod
    def topic_field(topic_id: int) -> str:
        return f"topic_{topic_id}"

    @staticmethod
    def _posted_windows(data: Any) -> int:
        """How many availability rows a POST holds: the page may add rows without saving
        (static/js/app.js), so the form reads as many as were sent, up to MAX_WINDOWS."""
        if data is None:
            return 0
        highest = -1
        for key in data:
            parts = key.split("_")
            if len(parts) == 3 and parts[0] == "window" and parts[1].isdigit():
                highest = max(highest, int(parts[1]))
        return min(MAX_WINDOWS, highest + 1)

    @staticmethod
    def _question_field(question: RegistrationQuestion, initial: Any) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.text,
            "help_text": question.help_text,
            "required": False,
            "initial": initial,
        }
        if question.kind == QuestionKind.SINGLE_CHOICE:
            return forms.ChoiceField(
                choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common
            )
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(
                choices=[(c, c) for c in question.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if question.kind == QuestionKind.SCALE:
            values = range(question.scale_min, question.scale_max + 1)
            common["initial"] = "" if initial is None else str(initial)
            return forms.ChoiceField(
                choices=[(str(n), str(n)) for n in values], widget=forms.RadioSelect, **common
            )
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500, **common)

    def topic_rows(self) -> list[tuple[Topic, forms.BoundField]]:
        return [(t, self[self.topic_field(t.pk)]) for t in self.topics]

    def window_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (i + 1, [self[f"window_{i}_{part}"] for part in ("weekday", "start", "end")])
            for i in range(self.window_count)
        ]

    def question_rows(self) -> list[tuple[RegistrationQuestion, forms.BoundField]]:
        return [(q, self[self.question_field(q.pk)]) for q in self.questions]

    def error_field(self, key: str) -> str | None:
        """The form field that shows a service error key (``answers.12`` → ``q_12``)."""
        if key.startswith("answers."):
            name = self.question_field(key.removeprefix("answers."))
            return name if name in self.fields else None
        if key in ("teach", "learn", "interests", "availability"):
            return None
        return key if key in self.fields else None

    def to_input(self) -> RegistrationInput:
        data = self.cleaned_data
        windows = []
        for index in range(self.window_count):
            weekday = data.get(f"window_{index}_weekday") or ""
            start = data.get(f"window_{index}_start") or ""
            end = data.get(f"window_{index}_end") or ""
            if weekday or start or end:
                windows.append({"weekday": weekday, "start": start[:5], "end": end[:5]})
        own: dict[int, str] = {}
        interests: list[int] = []
        for topic in self.topics:
            choice = data.get(self.topic_field(topic.pk)) or NOT_FOR_ME
            if choice == CURIOUS:
                interests.append(topic.pk)
            elif choice != NOT_FOR_ME:
                own[topic.pk] = choice
                if topic.pk in self.kept_interests:
                    interests.append(topic.pk)  # an earlier interest stays with its level
        shown = {t.pk for t in self.topics}
        # Interests in topics no longer listed stay as they were.
        interests += [t for t in self.kept_interests if t not in shown]
        teach, learn = (own, self.kept_other) if self.is_mentor else (self.kept_other, own)
        return RegistrationInput(
            teach=teach,
            learn=learn,
            interests=interests,
            availability=windows,
            meeting_format=data["meeting_format"],
            languages=[x.strip() for x in (data.get("languages") or "").split(",") if x.strip()],
            time_zone=data["time_zone"],
            max_mentees=data.get("max_mentees"),
            answers={str(q.pk): data.get(self.question_field(q.pk)) for q in self.questions},
        )
