"""What the survey builder adds to the program page (registered in ``SurveysConfig.ready``)."""

from __future__ import annotations

from typing import Any

from programs import hooks
from programs.models import Program
from surveys.models import ObjectiveAnchor
from surveys.selectors import current_questions, program_surveys


@hooks.program_page.register
def objectives_measured_by(program: Program) -> dict[str, Any]:
    """``objective_anchor_texts``: for each objective linked to anchor items, the words of those
    items (shown as "Measured by" instead of the free-text measure)."""
    links = list(ObjectiveAnchor.objects.filter(objective__program=program).order_by("anchor_key"))
    if not links:
        return {"objective_anchor_texts": {}}
    texts: dict[str, str] = {}
    for survey in program_surveys(program):
        for key, text in (
            current_questions(survey).exclude(anchor_key="").values_list("anchor_key", "text")
        ):
            texts.setdefault(key, text)
    measured: dict[int, list[str]] = {}
    for link in links:
        measured.setdefault(link.objective_id, []).append(
            texts.get(link.anchor_key, link.anchor_key)
        )
    return {"objective_anchor_texts": measured}
