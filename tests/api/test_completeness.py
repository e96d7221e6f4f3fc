"""Every resource a page manages is in the API (DESIGN §8): each organisation page route names
the API operation that does the same thing, or the reason it is page-only.

A new page route fails ``test_every_page_route_is_accounted_for`` until it is added below; an
operation renamed or removed from the schema fails ``test_named_operations_exist``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

ORG_PAGE_PREFIX = "o/<slug:org_slug>/"

# page route name → the API operationId (drf-spectacular) that serves the same resource/action.
API_OPERATION: dict[str, str] = {
    "member_list": "v1_o_members_list",
    "member_role": "v1_o_members_partial_update",
    "member_remove": "v1_o_members_destroy",
    "invitation_list": "v1_o_invitations_list",
    "invitation_revoke": "v1_o_invitations_revoke_create",
    "invitation_resend": "v1_o_invitations_resend_create",
    "audit_log": "v1_o_audit_log_list",
    "program_list": "v1_o_programs_list",
    "program_create": "v1_o_programs_create",
    "program_detail": "v1_o_programs_retrieve",  # its training rates: training_completion_list
    "program_edit": "v1_o_programs_partial_update",
    "program_transition": "v1_o_programs_transition_create",
    "program_duplicate": "v1_o_programs_duplicate_create",
    "program_archive": "v1_o_programs_archive_create",
    "program_unarchive": "v1_o_programs_unarchive_create",
    "objective_create": "v1_o_programs_objectives_create",
    "objective_edit": "v1_o_programs_objectives_partial_update",
    "objective_delete": "v1_o_programs_objectives_destroy",
    "objective_move": "v1_o_programs_objectives_reorder_create",
    "charter_publish": "v1_o_programs_charter_versions_create",
    "training_create": "v1_o_programs_training_create",
    "training_edit": "v1_o_programs_training_partial_update",
    "training_delete": "v1_o_programs_training_destroy",
    "coordinator_add": "v1_o_programs_coordinators_create",
    "coordinator_remove": "v1_o_programs_coordinators_destroy",
    "topic_list": "v1_o_topics_list",
    "topic_edit": "v1_o_topics_partial_update",
    "topic_toggle": "v1_o_topics_partial_update",
    "person_list": "v1_o_people_list",
    "person_create": "v1_o_people_create",
    "person_detail": "v1_o_people_retrieve",
    "person_edit": "v1_o_people_partial_update",
    "person_deactivate": "v1_o_people_deactivate_create",
    "person_reactivate": "v1_o_people_reactivate_create",
    "import_list": "v1_o_people_imports_list",
    "import_template": "v1_o_people_imports_template_retrieve",
    "import_detail": "v1_o_people_imports_retrieve",
    "import_problems": "v1_o_people_imports_problems_retrieve",
    "import_validate": "v1_o_people_imports_validate_create",
    "import_commit": "v1_o_people_imports_commit_create",
    "people_invite": "v1_o_people_invitation_batches_create",
    "invitation_batch_detail": "v1_o_people_invitation_batches_retrieve",
    "enrollment_manage": "v1_o_enrollments_list",
    "enrollment_approve": "v1_o_enrollments_approve_create",
    "enrollment_reject": "v1_o_enrollments_reject_create",
    "enrollment_withdraw": "v1_o_enrollments_withdraw_create",
    "registration_question_list": "v1_o_registration_questions_list",
    "registration_question_edit": "v1_o_registration_questions_partial_update",
    "registration_question_delete": "v1_o_registration_questions_destroy",
    "registration_question_move": "v1_o_registration_questions_move_create",
    "my_program_list": "v1_o_me_enrollments_list",
    "my_program_detail": "v1_o_me_enrollments_retrieve",
    "my_program_apply": "v1_o_me_enrollments_create",
    "my_program_accept": "v1_o_enrollments_accept_create",
    "my_program_decline": "v1_o_enrollments_decline_create",
    "my_program_withdraw": "v1_o_enrollments_withdraw_create",
    "my_program_charter": "v1_o_me_enrollments_charter_create",
    "my_program_training": "v1_o_me_enrollments_training_create",
    "my_registration": "v1_o_me_enrollments_registration_update",
    "matching_home": "v1_o_matching_rounds_list",
    "matching_what_if": "v1_o_matching_rounds_what_if_create",
    "matching_pin_add": "v1_o_matching_pins_create",
    "matching_pin_remove": "v1_o_matching_pins_destroy",
    "matching_block_add": "v1_o_matching_blocks_create",
    "matching_block_remove": "v1_o_matching_blocks_destroy",
    "matching_round": "v1_o_matching_rounds_retrieve",
    "matching_round_progress": "v1_o_matching_rounds_retrieve",
    "matching_round_run": "v1_o_matching_rounds_start_create",
    "matching_round_compare": "v1_o_matching_rounds_compare_retrieve",
    "matching_round_publish": "v1_o_matching_rounds_publish_create",
    "matching_proposal_pin": "v1_o_matching_pins_create",
    "matching_proposal_block": "v1_o_matching_blocks_create",
    "matching_proposal_swap": "v1_o_matching_rounds_swap_create",
    "my_pair_list": "v1_o_pairs_list",
    "pair_detail": "v1_o_pairs_retrieve",
    "pair_end": "v1_o_pairs_end_create",
    "program_pair_list": "v1_o_pairs_list",
    "program_rematch": "v1_o_matching_rematches_create",
    "pair_session_log": "v1_o_pairs_sessions_create",
    "pair_session_edit": "v1_o_pairs_sessions_partial_update",
    "pair_session_delete": "v1_o_pairs_sessions_destroy",
    "pair_session_confirm": "v1_o_pairs_sessions_confirm_create",
    "pair_planned_session_create": "v1_o_pairs_planned_sessions_create",
    "pair_planned_session_move": "v1_o_pairs_planned_sessions_partial_update",
    "pair_planned_session_cancel": "v1_o_pairs_planned_sessions_destroy",
    "pair_note_create": "v1_o_pairs_notes_create",
    "pair_note_edit": "v1_o_pairs_notes_partial_update",
    "pair_note_delete": "v1_o_pairs_notes_destroy",
    "pair_goal_create": "v1_o_pairs_goals_create",
    "pair_goal_progress": "v1_o_pairs_goals_progress_create",
    "pair_pause": "v1_o_pairs_pause_create",
    "pair_resume": "v1_o_pairs_resume_create",
    "pair_complete": "v1_o_pairs_complete_create",
    "pair_extend": "v1_o_pairs_extend_create",
    "pair_request_rematch": "v1_o_pairs_request_rematch_create",
    "pair_action_create": "v1_o_pairs_actions_create",
    "pair_action_edit": "v1_o_pairs_actions_partial_update",
    "pair_action_status": "v1_o_pairs_actions_status_create",
    "pair_action_share": "v1_o_pairs_actions_share_create",
    "pair_story_create": "v1_o_pairs_stories_create",
    "pair_story_edit": "v1_o_pairs_stories_partial_update",
    "pair_story_agree": "v1_o_pairs_stories_agree_create",
    "pair_story_withdraw": "v1_o_pairs_stories_withdraw_create",
    "my_action_list": "v1_o_me_actions_list",
    "program_what_changed": "v1_o_programs_action_summary_retrieve",
    "my_check_in_list": "v1_o_check_ins_list",
    "my_check_in_answer": "v1_o_check_ins_answer_create",
    "program_check_in_list": "v1_o_check_ins_list",
    "program_engagement": "v1_o_engagement_list",
    "program_review": "v1_o_review_decisions_list",
    "review_pair": "v1_o_review_decisions_create",
    "survey_template_list": "v1_o_survey_templates_list",
    "survey_template_create": "v1_o_survey_templates_create",
    "survey_library_install": "v1_o_survey_templates_install_library_create",
    "survey_detail": "v1_o_survey_templates_retrieve",
    "survey_settings": "v1_o_survey_templates_partial_update",
    "survey_archive": "v1_o_survey_templates_archive_create",
    "survey_preview": "v1_o_survey_templates_questions_list",
    "survey_question_add": "v1_o_survey_templates_questions_create",
    "survey_question_edit": "v1_o_survey_templates_questions_partial_update",
    "survey_question_delete": "v1_o_survey_templates_questions_destroy",
    "program_surveys": "v1_o_programs_surveys_list",
    "program_survey_copy": "v1_o_programs_surveys_create",
    "program_survey_objectives": "v1_o_programs_objective_anchors_list",
    "program_objective_anchor_add": "v1_o_programs_objective_anchors_create",
    "program_objective_targets": "v1_o_programs_objectives_partial_update",
    "program_objective_anchor_remove": "v1_o_programs_objective_anchors_destroy",
    "my_survey_list": "v1_o_survey_invitations_list",
    "my_survey_answer": "v1_o_survey_invitations_answer_create",
    "survey_invitation_list": "v1_o_survey_invitations_list",
    "program_outcomes": "program_outcomes",
    "survey_results": "survey_results",
    "organization_home": "organization_home",
    "program_dashboard": "program_dashboard",
    "organization_overview": "organization_overview",
    "program_exports": "program_exports_list",
    "program_export_detail": "program_export_retrieve",
    "program_export_download": "program_export_download",
    "my_data": "my_data_exports_list",
    "person_data": "person_data_exports_list",
    "person_erase": "person_erase",
    "person_export_detail": "person_export_retrieve",
    "person_export_download": "person_export_download",
    "retention_settings": "retention_update",
    "member_programs": "v1_o_members_partial_update",  # ``all_programs``
    "organization_settings": "v1_o_settings_partial_update",
    "webhook_list": "webhooks_list",
    "webhook_edit": "webhooks_partial_update",
    "webhook_delete": "webhooks_destroy",
    "webhook_rotate": "webhooks_rotate_secret",
    "webhook_test": "webhooks_test",
    "webhook_deliveries": "webhooks_deliveries_list",
    "webhook_redeliver": "webhooks_redeliver",
    # Both kinds: v1_o_settings_sso_oidc_* and v1_o_settings_sso_saml_*.
    "sso_settings": "v1_o_settings_sso_saml_partial_update",
    "enrollment_open_invitations": "v1_o_programs_open_invitations_create",
    "pair_session_correct": "v1_o_pairs_sessions_correct_create",
    "survey_question_move": "v1_o_survey_templates_questions_move_create",
    "program_survey_recommended": "v1_o_programs_surveys_recommended_create",
    "my_email_preferences": "v1_o_me_email_preferences_update",
}

# Intentionally page-only, with the reason.
PAGE_ONLY: dict[str, str] = {
    "api_tokens": "A token is made in a signed-in browser session where its key is shown once; "
    "a token never mints tokens.",
    "api_token_revoke": "Tokens are managed where they are made (the tokens page).",
    "pair_session_invite": "An .ics file for the person's own calendar, built from a GET form; "
    "nothing is stored (the sessions API holds the data).",
    "program_outcomes_csv": "The program_outcomes operation's figures as a spreadsheet download.",
    "survey_results_csv": "The survey_results operation's figures as a spreadsheet download.",
    "program_report": "A printable page of the figures program_dashboard and program_outcomes give.",
    "program_report_pdf": "The printable report as a PDF (see program_report).",
    "organization_brand_css": "The organisation's colour as a stylesheet for its pages; the "
    "colour itself is in settings (v1_o_settings_retrieve).",
    "my_calendar_feed": "The person's private calendar feed link is made, shown once and reset "
    "in a signed-in session, like an API token; the feed itself is an .ics URL.",
    "scim_settings": "Provisioning tokens are made where their key is shown once; the SCIM "
    "endpoint (/api/v1/o/<slug>/scim/v2/) is itself the provisioning API.",
    "scim_token_revoke": "Provisioning tokens are managed where they are made.",
}

# Pages whose resource has no API operation yet: each is a known gap (issue #14), kept here so the
# list can only shrink.
NOT_YET: dict[str, str] = {}


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str | None]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def organisation_page_routes() -> set[str]:
    """Named page routes under /o/<slug>/ (the API lives under /api/v1/o/<slug>/)."""
    return {
        name
        for route, name in _walk(get_resolver())
        if route.startswith(ORG_PAGE_PREFIX) and name is not None
    }


@cache
def _operation_ids() -> frozenset[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return frozenset(
        operation["operationId"]
        for operations in schema["paths"].values()
        for operation in operations.values()
    )


def test_every_page_route_is_accounted_for() -> None:
    routes = organisation_page_routes()
    listed = set(API_OPERATION) | set(PAGE_ONLY) | set(NOT_YET)
    assert not (routes - listed), (
        "Name the API operation of these pages in API_OPERATION (or, with a reason, in "
        f"PAGE_ONLY): {sorted(routes - listed)}"
    )
    assert not (listed - routes), f"No such page routes any more: {sorted(listed - routes)}"
    overlap = (set(API_OPERATION) & set(PAGE_ONLY)) | (set(API_OPERATION) & set(NOT_YET))
    assert not overlap | (set(PAGE_ONLY) & set(NOT_YET))


def test_named_operations_exist() -> None:
    missing = {page: op for page, op in API_OPERATION.items() if op not in _operation_ids()}
    assert not missing, f"Operations not in the schema: {missing}"


# Figures a page shows that need their own operation besides the resource's.
PAGE_FIGURES = {"program_detail": "v1_o_programs_training_completion_list"}


def test_page_figures_have_their_operations() -> None:
    assert set(PAGE_FIGURES.values()) <= _operation_ids()


def test_known_gaps_do_not_grow() -> None:
    assert len(NOT_YET) <= 5, "Add the API operation instead of another known gap."
