"""Matching pages: a program's matching rounds (admins and the program's coordinators). The
published pairs' pages are feedback's (``feedback.urls``)."""

from django.urls import path

from matching.rounds.views import home, review, round

_MATCHING = "o/<slug:org_slug>/programs/<id:program_pk>/matching/"
_ROUND = f"{_MATCHING}rounds/<id:pk>/"
_PROPOSAL = f"{_ROUND}proposals/<id:proposal_pk>/"

urlpatterns = [
    path(_MATCHING, home.matching_home, name="matching_home"),
    path(f"{_MATCHING}what-if/", home.what_if, name="matching_what_if"),
    path(f"{_MATCHING}pins/", home.pin_add, name="matching_pin_add"),
    path(f"{_MATCHING}pins/<id:pk>/remove/", home.pin_remove, name="matching_pin_remove"),
    path(f"{_MATCHING}blocks/", home.block_add, name="matching_block_add"),
    path(f"{_MATCHING}blocks/<id:pk>/remove/", home.block_remove, name="matching_block_remove"),
    path(_ROUND, round.round_detail, name="matching_round"),
    path(f"{_ROUND}progress/", round.round_progress, name="matching_round_progress"),
    path(f"{_ROUND}run/", round.round_run, name="matching_round_run"),
    path(f"{_ROUND}compare/", review.round_compare, name="matching_round_compare"),
    path(f"{_ROUND}publish/", review.round_publish, name="matching_round_publish"),
    path(f"{_PROPOSAL}pin/", round.proposal_pin, name="matching_proposal_pin"),
    path(f"{_PROPOSAL}block/", round.proposal_block, name="matching_proposal_block"),
    path(f"{_PROPOSAL}swap/", review.proposal_swap, name="matching_proposal_swap"),
]
