"""The shipped templates: valid by the builder's own rules, anchors paired across waves, installed
once per organisation."""

from __future__ import annotations

import pytest

from core.access import Forbidden
from surveys import library
from surveys.builder.validation import clean_question
from surveys.models import NUMERIC_KINDS, QuestionKind, Survey, Wave
from surveys.selectors import current_questions
from tests.conftest import Tenant


def test_every_shipped_question_passes_the_builders_rules() -> None:
    for key, entry in library.LIBRARY.items():
        anchors: set[str] = set()
        for question in entry["questions"]:
            clean = clean_question(question, taken_anchor_keys=anchors)
            if clean["anchor_key"]:
                anchors.add(clean["anchor_key"])
        assert anchors or entry["wave"] == Wave.MID, key


def test_one_template_per_wave_using_every_kind_of_question() -> None:
    assert sorted(entry["wave"] for entry in library.LIBRARY.values()) == sorted(Wave.values)
    kinds = {q["kind"] for entry in library.LIBRARY.values() for q in entry["questions"]}
    assert kinds == set(QuestionKind.values)
    points = {
        q["scale_points"]
        for entry in library.LIBRARY.values()
        for q in entry["questions"]
        if q["kind"] == QuestionKind.LIKERT
    }
    assert points == {5, 7}


def test_anchor_items_repeat_word_for_word_in_pre_post_and_follow_up() -> None:
    def anchors(wave: str) -> dict[str, tuple[str, int, tuple[str, ...]]]:
        entry = library.LIBRARY[library.LIBRARY_KEY_BY_WAVE[wave]]
        return {
            q["anchor_key"]: (q["text"], q["scale_points"], tuple(q["labels"]))
            for q in entry["questions"]
            if q.get("anchor_key")
        }

    pre = anchors(Wave.PRE)
    assert set(pre) >= {
        "confidence_ai_tools",
        "understand_younger_view",
        "confidence_social_media",
        "mentor_confidence_executives",
        "mentor_visibility",
        "mentor_intention_to_stay",
    }
    assert anchors(Wave.POST) == pre
    assert anchors(Wave.FOLLOW_UP) == pre
    assert all(
        q["kind"] in NUMERIC_KINDS
        for entry in library.LIBRARY.values()
        for q in entry["questions"]
        if q.get("anchor_key")
    )


def test_install_is_idempotent_and_counts_archived_templates_as_installed(org_a: Tenant) -> None:
    with org_a.scope():
        first = library.install_library(organization=org_a.organization, actor=org_a.admin.user)
        assert len(first) == 4
        assert library.install_library(organization=org_a.organization, actor=None) == []
        Survey.objects.filter(library_key="reverse_mentoring_mid").update(is_active=False)
        assert library.install_library(organization=org_a.organization, actor=None) == []
        pre = Survey.objects.get(library_key="reverse_mentoring_pre")
        assert current_questions(pre).count() == len(library.PRE)


def test_installs_are_per_organisation(org_a: Tenant, org_b: Tenant) -> None:
    with org_a.scope():
        library.install_library(organization=org_a.organization, actor=None)
    with org_b.scope():
        assert not Survey.objects.exists()
        assert len(library.install_library(organization=org_b.organization, actor=None)) == 4


def test_only_an_admin_installs_the_library(org_a: Tenant) -> None:
    with org_a.scope():
        for user in (org_a.coordinator.user, org_a.member.user):
            with pytest.raises(Forbidden):
                library.install_library(organization=org_a.organization, actor=user)
        assert not Survey.objects.exists()
