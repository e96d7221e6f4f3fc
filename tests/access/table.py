"""Expected HTTP status of every organisation route and method, for each actor of
``tests/access/world.py`` (read by ``test_role_matrix.py``).

This is the CURRENT behaviour. Entries marked ``# policy:`` look wrong (a status that contradicts
the page/API twin, the pair policy in ``feedback/visibility.py`` or DESIGN.md §4); they keep the
current status so the matrix passes, and are to be changed with the code when the access policy
is unified.

Requests carry no useful body: pages POST one field no form has (``matrix=1``: the form is bound,
so permitted actors reach validation: 400, or the action's normal redirect); the API gets ``{}``.
List-and-create API routes take the program or pair in the body: with ``{}`` every role that may
create anything answers 400 before the body's program is checked, so ``other_coordinator`` reads
400 there, not 404.

Columns: admin, coordinator (of P), other_coordinator (of Q only), mentor and mentee (P's pair),
outsider (an accepted, unpaired mentee of P), anonymous; ``org_coordinator`` (every program, assigned
to none) is a keyword of ``row`` that defaults to the coordinator's status (``tests/access/rows.py``). Pages send anonymous people to sign in
(302); the API answers 404 to anyone not a member, as for an unknown organisation.

A key ``"name[variant]"`` is route ``name`` with the ids re-pointed by ``VARIANTS[key]``.
"""

from __future__ import annotations

from tests.access.areas import AREAS
from tests.access.rows import Statuses, row


def base_name(key: str) -> str:
    """The URL name of a table key (``"pair_note_edit[private note]"`` → ``"pair_note_edit"``)."""
    return key.split("[", 1)[0]


# Same route, other ids: {world id key the route's kwargs read: world id key to use instead}.
VARIANTS: dict[str, dict[str, str]] = {
    "pair_note_edit[private note]": {"relationship_note": "relationship_private_note"},
    "pair_note_delete[private note]": {"relationship_note": "relationship_private_note"},
    "api-pair-note-detail[private note]": {"relationship_note": "relationship_private_note"},
}

# fmt: off
TABLE: dict[tuple[str, str], Statuses] = {
    #                                                     adm  coo  oth  mtr  mte  out  anon

    # --- Organisation: members, invitations, audit log, API tokens
    ("member_list", "GET"):                           row(200, 200, 200, 403, 403, 403, 302),
    # policy: expected 405 for everyone (read-only page, no method decorator)
    ("member_list", "POST"):                          row(200, 200, 200, 403, 403, 403, 302),
    ("member_role", "POST"):                          row(302, 403, 403, 403, 403, 403, 302),
    # The outsider is a member, not a coordinator: refused with a message, back to the list.
    ("member_programs", "POST"):                      row(302, 403, 403, 403, 403, 403, 302),
    ("member_remove", "POST"):                        row(302, 403, 403, 403, 403, 403, 302),
    ("invitation_list", "GET"):                       row(200, 403, 403, 403, 403, 403, 302),
    ("invitation_list", "POST"):                      row(400, 403, 403, 403, 403, 403, 302),
    ("invitation_revoke", "POST"):                    row(302, 403, 403, 403, 403, 403, 302),
    ("invitation_resend", "POST"):                    row(302, 403, 403, 403, 403, 403, 302),
    ("audit_log", "GET"):                             row(200, 403, 403, 403, 403, 403, 302),
    # policy: expected 405 for everyone (read-only page, no method decorator)
    ("audit_log", "POST"):                            row(200, 403, 403, 403, 403, 403, 302),
    ("api_tokens", "GET"):                            row(200, 200, 200, 403, 403, 403, 302),
    ("api_tokens", "POST"):                           row(400, 400, 400, 403, 403, 403, 302),
    ("api_token_revoke", "POST"):                     row(302, 404, 404, 403, 403, 403, 302),
    ("invitation_accept", "GET"):                     row(403, 403, 403, 403, 403, 403, 200),
    ("invitation_accept", "POST"):                    row(403, 403, 403, 403, 403, 403, 200),

    # --- Programs and their sections; the topic vocabulary
    ("program_list", "GET"):                          row(200, 200, 200, 403, 403, 403, 302),
    ("program_create", "GET"):                        row(200, 200, 200, 403, 403, 403, 302),
    ("program_create", "POST"):                       row(400, 400, 400, 403, 403, 403, 302),
    ("program_detail", "GET"):                        row(200, 200, 404, 403, 403, 403, 302),
    ("program_edit", "GET"):                          row(200, 200, 404, 403, 403, 403, 302),
    ("program_edit", "POST"):                         row(400, 400, 404, 403, 403, 403, 302),
    ("program_transition", "POST"):                   row(400, 400, 404, 403, 403, 403, 302),
    ("program_duplicate", "POST"):                    row(302, 302, 404, 403, 403, 403, 302),
    ("program_archive", "POST"):                      row(302, 302, 404, 403, 403, 403, 302),
    ("program_unarchive", "POST"):                    row(302, 302, 404, 403, 403, 403, 302),
    ("objective_create", "POST"):                     row(400, 400, 404, 403, 403, 403, 302),
    ("objective_edit", "GET"):                        row(200, 200, 404, 403, 403, 403, 302),
    ("objective_edit", "POST"):                       row(400, 400, 404, 403, 403, 403, 302),
    ("objective_delete", "POST"):                     row(302, 302, 404, 403, 403, 403, 302),
    ("objective_move", "POST"):                       row(302, 302, 404, 403, 403, 403, 302),
    ("charter_publish", "POST"):                      row(400, 400, 404, 403, 403, 403, 302),
    ("training_create", "POST"):                      row(400, 400, 404, 403, 403, 403, 302),
    ("training_edit", "GET"):                         row(200, 200, 404, 403, 403, 403, 302),
    ("training_edit", "POST"):                        row(400, 400, 404, 403, 403, 403, 302),
    ("training_delete", "POST"):                      row(302, 302, 404, 403, 403, 403, 302),
    ("coordinator_add", "POST"):                      row(400, 403, 403, 403, 403, 403, 302),
    ("coordinator_remove", "POST"):                   row(302, 403, 403, 403, 403, 403, 302),
    # policy: expected 200 for coordinator and other_coordinator (api-topic-list GET
    # lets staff read the vocabulary; the page refuses them)
    ("topic_list", "GET"):                            row(200, 403, 403, 403, 403, 403, 302),
    ("topic_list", "POST"):                           row(400, 403, 403, 403, 403, 403, 302),
    ("topic_edit", "GET"):                            row(200, 403, 403, 403, 403, 403, 302),
    ("topic_edit", "POST"):                           row(400, 403, 403, 403, 403, 403, 302),
    ("topic_toggle", "POST"):                         row(302, 403, 403, 403, 403, 403, 302),

    # --- Directory and imports (organisation-wide: no program in the URL)
    ("person_list", "GET"):                           row(200, 200, 200, 403, 403, 403, 302),
    # policy: expected 405 for everyone (read-only page, no method decorator)
    ("person_list", "POST"):                          row(200, 200, 200, 403, 403, 403, 302),
    ("person_create", "GET"):                         row(200, 200, 200, 403, 403, 403, 302),
    ("person_create", "POST"):                        row(400, 400, 400, 403, 403, 403, 302),
    ("person_detail", "GET"):                         row(200, 200, 200, 403, 403, 403, 302),
    # policy: expected 405 for everyone (read-only page, no method decorator)
    ("person_detail", "POST"):                        row(200, 200, 200, 403, 403, 403, 302),
    ("person_edit", "GET"):                           row(200, 200, 200, 403, 403, 403, 302),
    ("person_edit", "POST"):                          row(400, 400, 400, 403, 403, 403, 302),
    ("person_deactivate", "POST"):                    row(302, 302, 302, 403, 403, 403, 302),
    ("person_reactivate", "POST"):                    row(302, 302, 302, 403, 403, 403, 302),
    ("import_list", "GET"):                           row(200, 403, 403, 403, 403, 403, 302),
    ("import_list", "POST"):                          row(400, 403, 403, 403, 403, 403, 302),
    ("import_detail", "GET"):                         row(200, 403, 403, 403, 403, 403, 302),
    # policy: expected 405 for everyone (read-only page, no method decorator)
    ("import_detail", "POST"):                        row(200, 403, 403, 403, 403, 403, 302),
    ("import_validate", "POST"):                      row(400, 403, 403, 403, 403, 403, 302),
    ("import_commit", "POST"):                        row(302, 403, 403, 403, 403, 403, 302),

    # --- Enrolment management and registration questions (staff of P)
    ("enrollment_manage", "GET"):                     row(200, 200, 404, 403, 403, 403, 302),
    ("enrollment_manage", "POST"):                    row(400, 400, 404, 403, 403, 403, 302),
    ("enrollment_approve", "POST"):                   row(302, 302, 404, 403, 403, 403, 302),
    ("enrollment_reject", "POST"):                    row(302, 302, 404, 403, 403, 403, 302),
    # One enrolment policy for staff and the person: someone else's enrolment does not exist for a member (404).
    ("enrollment_withdraw", "POST"):                  row(302, 302, 404, 404, 404, 404, 302),
    ("registration_question_list", "GET"):            row(200, 200, 404, 403, 403, 403, 302),
    ("registration_question_list", "POST"):           row(400, 400, 404, 403, 403, 403, 302),
    ("registration_question_edit", "GET"):            row(200, 200, 404, 403, 403, 403, 302),
    ("registration_question_edit", "POST"):           row(400, 400, 404, 403, 403, 403, 302),
    ("registration_question_delete", "POST"):         row(302, 302, 404, 403, 403, 403, 302),
    ("registration_question_move", "POST"):           row(302, 302, 404, 403, 403, 403, 302),

    # --- The participant's own program pages (P, through the actor's enrolment)
    ("my_program_list", "GET"):                       row(200, 200, 200, 200, 200, 200, 302),
    ("my_program_detail", "GET"):                     row(404, 404, 404, 200, 200, 200, 302),
    ("my_program_apply", "POST"):                     row(404, 404, 404, 404, 404, 404, 302),
    ("my_program_accept", "POST"):                    row(404, 404, 404, 302, 302, 302, 302),
    ("my_program_decline", "POST"):                   row(404, 404, 404, 302, 302, 302, 302),
    ("my_program_withdraw", "POST"):                  row(404, 404, 404, 302, 302, 302, 302),
    ("my_program_charter", "POST"):                   row(404, 404, 404, 302, 302, 302, 302),
    ("my_program_training", "POST"):                  row(404, 404, 404, 302, 302, 302, 302),
    ("my_registration", "GET"):                       row(404, 404, 404, 200, 200, 200, 302),
    ("my_registration", "POST"):                      row(404, 404, 404, 400, 400, 400, 302),

    # --- Matching pages of P: pins, blocks, the proposed round and a proposal
    ("matching_home", "GET"):                         row(200, 200, 404, 403, 403, 403, 302),
    ("matching_home", "POST"):                        row(400, 400, 404, 403, 403, 403, 302),
    ("matching_pin_add", "POST"):                     row(400, 400, 404, 403, 403, 403, 302),
    ("matching_pin_remove", "POST"):                  row(302, 302, 404, 403, 403, 403, 302),
    ("matching_block_add", "POST"):                   row(400, 400, 404, 403, 403, 403, 302),
    ("matching_block_remove", "POST"):                row(302, 302, 404, 403, 403, 403, 302),
    ("matching_round", "GET"):                        row(200, 200, 404, 403, 403, 403, 302),
    ("matching_round_progress", "GET"):               row(302, 302, 404, 403, 403, 403, 302),
    ("matching_round_run", "POST"):                   row(302, 302, 404, 403, 403, 403, 302),
    ("matching_round_compare", "GET"):                row(200, 200, 404, 403, 403, 403, 302),
    ("matching_round_publish", "GET"):                row(200, 200, 404, 403, 403, 403, 302),
    ("matching_round_publish", "POST"):               row(302, 302, 404, 403, 403, 403, 302),
    ("matching_proposal_pin", "POST"):                row(400, 400, 404, 403, 403, 403, 302),
    ("matching_proposal_block", "POST"):              row(400, 400, 404, 403, 403, 403, 302),
    ("matching_proposal_swap", "GET"):                row(200, 200, 404, 403, 403, 403, 302),
    ("matching_proposal_swap", "POST"):               row(200, 200, 404, 403, 403, 403, 302),

    # --- Pairs: the pair page and its actions (the pair of P; notes by the mentor)
    ("my_pair_list", "GET"):                          row(200, 200, 200, 200, 200, 200, 302),
    ("pair_detail", "GET"):                           row(200, 200, 404, 200, 200, 404, 302),
    ("pair_end", "POST"):                             row(400, 400, 404, 403, 403, 404, 302),
    ("program_pair_list", "GET"):                     row(200, 200, 404, 403, 403, 403, 302),
    ("program_rematch", "POST"):                      row(302, 302, 404, 403, 403, 403, 302),
    ("pair_session_log", "POST"):                     row(403, 403, 404, 400, 400, 404, 302),
    ("pair_session_edit", "GET"):                     row(403, 403, 404, 200, 403, 404, 302),
    ("pair_session_edit", "POST"):                    row(403, 403, 404, 400, 403, 404, 302),
    # Only the logger withdraws a session, the partner confirms it: 403 on page and API alike.
    ("pair_session_delete", "POST"):                  row(403, 403, 404, 302, 403, 404, 302),
    ("pair_session_confirm", "POST"):                 row(403, 403, 404, 403, 302, 404, 302),
    ("pair_session_correct", "GET"):                  row(403, 403, 404, 403, 200, 404, 302),
    ("pair_session_correct", "POST"):                 row(403, 403, 404, 403, 400, 404, 302),
    ("pair_session_invite", "GET"):                   row(403, 403, 404, 302, 302, 404, 302),
    ("pair_note_create", "POST"):                     row(403, 403, 404, 400, 400, 404, 302),
    # policy: expected 403 for mentee (the partner reads this shared note in
    # the pair's list, so 404 hides nothing; writes by a non-author are 403 elsewhere)
    ("pair_note_edit", "GET"):                        row(403, 403, 404, 200, 404, 404, 302),
    # policy: expected 403 for mentee (as GET)
    ("pair_note_edit", "POST"):                       row(403, 403, 404, 400, 404, 404, 302),
    # policy: expected 403 for mentee (as pair_note_edit GET)
    ("pair_note_delete", "POST"):                     row(403, 403, 404, 302, 404, 404, 302),
    ("pair_goal_create", "POST"):                     row(403, 403, 404, 400, 400, 404, 302),
    ("pair_goal_progress", "POST"):                   row(403, 403, 404, 400, 400, 404, 302),
    ("pair_pause", "POST"):                           row(400, 400, 404, 400, 400, 404, 302),
    ("pair_resume", "POST"):                          row(302, 302, 404, 302, 302, 404, 302),
    ("pair_complete", "POST"):                        row(302, 302, 404, 302, 302, 404, 302),
    ("pair_extend", "POST"):                          row(400, 400, 404, 403, 403, 404, 302),
    ("pair_request_rematch", "POST"):                 row(403, 403, 404, 400, 400, 404, 302),

    # --- Check-ins (the mentor's) and their email links (the token decides, signed in or not)
    ("my_check_in_list", "GET"):                      row(200, 200, 200, 200, 200, 200, 302),
    ("my_check_in_answer", "GET"):                    row(404, 404, 404, 200, 404, 404, 302),
    ("my_check_in_answer", "POST"):                   row(404, 404, 404, 400, 404, 404, 302),
    ("program_check_in_list", "GET"):                 row(200, 200, 404, 403, 403, 403, 302),
    ("check_in_link", "GET"):                         row(200, 200, 200, 200, 200, 200, 200),
    ("check_in_link", "POST"):                        row(400, 400, 400, 400, 400, 400, 400),
    ("check_in_link_we_met", "GET"):                  row(200, 200, 200, 200, 200, 200, 200),
    ("check_in_link_we_met", "POST"):                 row(302, 302, 302, 302, 302, 302, 302),

    # --- Engagement and the mid-program review of P
    ("program_engagement", "GET"):                    row(200, 200, 404, 403, 403, 403, 302),
    ("program_review", "GET"):                        row(200, 200, 404, 403, 403, 403, 302),
    ("review_pair", "GET"):                           row(200, 200, 404, 403, 403, 403, 302),
    ("review_pair", "POST"):                          row(400, 400, 404, 403, 403, 403, 302),

    # --- API: organisation
    ("api-organization", "GET"):                      row(200, 200, 200, 200, 200, 200, 404),
    ("api-member-list", "GET"):                       row(200, 200, 200, 403, 403, 403, 404),
    ("api-member-detail", "GET"):                     row(200, 200, 200, 403, 403, 403, 404),
    ("api-member-detail", "PATCH"):                   row(400, 403, 403, 403, 403, 403, 404),
    ("api-member-detail", "DELETE"):                  row(204, 403, 403, 403, 403, 403, 404),
    ("api-invitation-list", "GET"):                   row(200, 403, 403, 403, 403, 403, 404),
    ("api-invitation-list", "POST"):                  row(400, 403, 403, 403, 403, 403, 404),
    ("api-invitation-detail", "GET"):                 row(200, 403, 403, 403, 403, 403, 404),
    ("api-invitation-resend", "POST"):                row(200, 403, 403, 403, 403, 403, 404),
    ("api-invitation-revoke", "POST"):                row(200, 403, 403, 403, 403, 403, 404),
    ("api-audit-list", "GET"):                        row(200, 403, 403, 403, 403, 403, 404),
    ("api-audit-detail", "GET"):                      row(200, 403, 403, 403, 403, 403, 404),

    # --- API: topics and programs
    ("api-topic-list", "GET"):                        row(200, 200, 200, 403, 403, 403, 404),
    ("api-topic-list", "POST"):                       row(400, 403, 403, 403, 403, 403, 404),
    ("api-topic-detail", "GET"):                      row(200, 200, 200, 403, 403, 403, 404),
    ("api-topic-detail", "PUT"):                      row(400, 403, 403, 403, 403, 403, 404),
    ("api-topic-detail", "PATCH"):                    row(200, 403, 403, 403, 403, 403, 404),
    ("api-program-list", "GET"):                      row(200, 200, 200, 403, 403, 403, 404),
    ("api-program-list", "POST"):                     row(400, 400, 400, 403, 403, 403, 404),
    ("api-program-detail", "GET"):                    row(200, 200, 404, 403, 403, 403, 404),
    ("api-program-training-completion", "GET"):       row(200, 200, 404, 403, 403, 403, 404),
    ("api-program-detail", "PUT"):                    row(400, 400, 404, 403, 403, 403, 404),
    ("api-program-detail", "PATCH"):                  row(200, 200, 404, 403, 403, 403, 404),
    ("api-program-archive", "POST"):                  row(400, 400, 404, 403, 403, 403, 404),
    ("api-program-duplicate", "POST"):                row(201, 201, 404, 403, 403, 403, 404),
    ("api-program-transition", "POST"):               row(400, 400, 404, 403, 403, 403, 404),
    ("api-program-unarchive", "POST"):                row(200, 200, 404, 403, 403, 403, 404),
    ("api-objective-list", "GET"):                    row(200, 200, 404, 403, 403, 403, 404),
    ("api-objective-list", "POST"):                   row(400, 400, 404, 403, 403, 403, 404),
    ("api-objective-reorder", "POST"):                row(400, 400, 404, 403, 403, 403, 404),
    ("api-objective-detail", "GET"):                  row(200, 200, 404, 403, 403, 403, 404),
    ("api-objective-detail", "PUT"):                  row(400, 400, 404, 403, 403, 403, 404),
    ("api-objective-detail", "PATCH"):                row(200, 200, 404, 403, 403, 403, 404),
    ("api-objective-detail", "DELETE"):               row(400, 400, 404, 403, 403, 403, 404),
    ("api-charter-list", "GET"):                      row(200, 200, 404, 403, 403, 403, 404),
    ("api-charter-list", "POST"):                     row(400, 400, 404, 403, 403, 403, 404),
    ("api-charter-detail", "GET"):                    row(200, 200, 404, 403, 403, 403, 404),
    ("api-training-list", "GET"):                     row(200, 200, 404, 403, 403, 403, 404),
    ("api-training-list", "POST"):                    row(400, 400, 404, 403, 403, 403, 404),
    ("api-training-detail", "GET"):                   row(200, 200, 404, 403, 403, 403, 404),
    ("api-training-detail", "PUT"):                   row(400, 400, 404, 403, 403, 403, 404),
    ("api-training-detail", "PATCH"):                 row(200, 200, 404, 403, 403, 403, 404),
    ("api-training-detail", "DELETE"):                row(204, 204, 404, 403, 403, 403, 404),
    ("api-coordinator-list", "GET"):                  row(200, 200, 404, 403, 403, 403, 404),
    ("api-coordinator-list", "POST"):                 row(400, 403, 403, 403, 403, 403, 404),
    ("api-coordinator-detail", "GET"):                row(200, 200, 404, 403, 403, 403, 404),
    ("api-coordinator-detail", "DELETE"):             row(204, 403, 403, 403, 403, 403, 404),

    # --- API: directory and imports
    ("api-person-list", "GET"):                       row(200, 200, 200, 403, 403, 403, 404),
    ("api-person-list", "POST"):                      row(400, 400, 400, 403, 403, 403, 404),
    ("api-person-detail", "GET"):                     row(200, 200, 200, 403, 403, 403, 404),
    ("api-person-detail", "PUT"):                     row(400, 400, 400, 403, 403, 403, 404),
    ("api-person-detail", "PATCH"):                   row(200, 200, 200, 403, 403, 403, 404),
    ("api-person-deactivate", "POST"):                row(200, 200, 200, 403, 403, 403, 404),
    ("api-person-reactivate", "POST"):                row(200, 200, 200, 403, 403, 403, 404),
    ("api-person-reporting-chain", "GET"):            row(200, 200, 200, 403, 403, 403, 404),
    ("api-import-list", "GET"):                       row(200, 403, 403, 403, 403, 403, 404),
    ("api-import-list", "POST"):                      row(400, 403, 403, 403, 403, 403, 404),
    ("api-import-detail", "GET"):                     row(200, 403, 403, 403, 403, 403, 404),
    ("api-import-commit", "POST"):                    row(400, 403, 403, 403, 403, 403, 404),
    ("api-import-mapping", "POST"):                   row(400, 403, 403, 403, 403, 403, 404),
    ("api-import-validate", "POST"):                  row(202, 403, 403, 403, 403, 403, 404),

    # --- API: enrolments (the detail is the applicant's; accept/decline the mentee's)
    ("api-enrollment-list", "GET"):                   row(200, 200, 200, 200, 200, 200, 404),
    ("api-enrollment-list", "POST"):                  row(400, 400, 400, 403, 403, 403, 404),
    ("api-enrollment-detail", "GET"):                 row(200, 200, 404, 404, 404, 404, 404),
    ("api-enrollment-accept", "POST"):                row(403, 403, 404, 404, 400, 404, 404),
    ("api-enrollment-approve", "POST"):               row(400, 400, 404, 403, 403, 403, 404),
    ("api-enrollment-decline", "POST"):               row(403, 403, 404, 404, 400, 404, 404),
    ("api-enrollment-reject", "POST"):                row(200, 200, 404, 403, 403, 403, 404),
    ("api-enrollment-withdraw", "POST"):              row(400, 400, 404, 404, 404, 404, 404),
    ("api-registration-question-list", "GET"):        row(200, 200, 200, 403, 403, 403, 404),
    ("api-registration-question-list", "POST"):       row(400, 400, 400, 403, 403, 403, 404),
    ("api-registration-question-detail", "GET"):      row(200, 200, 404, 403, 403, 403, 404),
    ("api-registration-question-detail", "PUT"):      row(400, 400, 404, 403, 403, 403, 404),
    ("api-registration-question-detail", "PATCH"):    row(200, 200, 404, 403, 403, 403, 404),
    ("api-registration-question-detail", "DELETE"):   row(204, 204, 404, 403, 403, 403, 404),
    ("api-registration-question-move", "POST"):       row(400, 400, 404, 403, 403, 403, 404),
    ("api-my-enrollment-list", "GET"):                row(200, 200, 200, 200, 200, 200, 404),
    ("api-my-enrollment-list", "POST"):               row(400, 400, 400, 400, 400, 400, 404),
    ("api-my-enrollment-detail", "GET"):              row(404, 404, 404, 200, 200, 200, 404),
    ("api-my-enrollment-charter", "GET"):             row(404, 404, 404, 200, 200, 200, 404),
    ("api-my-enrollment-charter", "POST"):            row(404, 404, 404, 200, 200, 200, 404),
    ("api-my-enrollment-registration", "GET"):        row(404, 404, 404, 200, 200, 200, 404),
    ("api-my-enrollment-registration", "PUT"):        row(404, 404, 404, 200, 200, 200, 404),
    ("api-my-enrollment-training", "GET"):            row(404, 404, 404, 200, 200, 200, 404),
    ("api-my-enrollment-training", "POST"):           row(404, 404, 404, 400, 400, 400, 404),

    # --- API: matching and pairs
    ("api-matching-round-list", "GET"):               row(200, 200, 200, 403, 403, 403, 404),
    ("api-matching-round-list", "POST"):              row(400, 400, 400, 403, 403, 403, 404),
    ("api-matching-round-detail", "GET"):             row(200, 200, 404, 403, 403, 403, 404),
    ("api-matching-round-compare", "GET"):            row(400, 400, 404, 403, 403, 403, 404),
    ("api-matching-round-proposals", "GET"):          row(200, 200, 404, 403, 403, 403, 404),
    ("api-matching-round-publish", "POST"):           row(200, 200, 404, 403, 403, 403, 404),
    ("api-matching-round-start", "POST"):             row(202, 202, 404, 403, 403, 403, 404),
    ("api-matching-round-swap", "POST"):              row(400, 400, 404, 403, 403, 403, 404),
    ("api-matching-round-unmatched", "GET"):          row(200, 200, 404, 403, 403, 403, 404),
    ("api-matching-pin-list", "GET"):                 row(200, 200, 200, 403, 403, 403, 404),
    ("api-matching-pin-list", "POST"):                row(400, 400, 400, 403, 403, 403, 404),
    ("api-matching-pin-detail", "GET"):               row(200, 200, 404, 403, 403, 403, 404),
    ("api-matching-pin-detail", "DELETE"):            row(204, 204, 404, 403, 403, 403, 404),
    ("api-matching-block-list", "GET"):               row(200, 200, 200, 403, 403, 403, 404),
    ("api-matching-block-list", "POST"):              row(400, 400, 400, 403, 403, 403, 404),
    ("api-matching-block-detail", "GET"):             row(200, 200, 404, 403, 403, 403, 404),
    ("api-matching-block-detail", "DELETE"):          row(204, 204, 404, 403, 403, 403, 404),
    ("api-matching-rematch-list", "POST"):            row(400, 400, 400, 403, 403, 403, 404),
    ("api-pair-list", "GET"):                         row(200, 200, 200, 200, 200, 200, 404),
    ("api-pair-detail", "GET"):                       row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-end", "POST"):                         row(400, 400, 404, 403, 403, 404, 404),
    ("api-pair-hours", "GET"):                        row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-pause", "POST"):                       row(400, 400, 404, 400, 400, 404, 404),
    ("api-pair-resume", "POST"):                      row(400, 400, 404, 400, 400, 404, 404),
    ("api-pair-extend", "POST"):                      row(400, 400, 404, 403, 403, 404, 404),
    ("api-pair-complete", "POST"):                    row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-request-rematch", "POST"):             row(403, 403, 404, 400, 400, 404, 404),

    # --- API: the pair's sessions, notes and goals
    ("api-pair-session-list", "GET"):                 row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-session-list", "POST"):                row(403, 403, 404, 400, 400, 404, 404),
    ("api-pair-session-detail", "GET"):               row(200, 200, 404, 200, 200, 404, 404),
    # Before its confirmation a session is its logger's: the partner gets 403 before the body is read.
    ("api-pair-session-detail", "PUT"):               row(403, 403, 404, 400, 403, 404, 404),
    ("api-pair-session-detail", "PATCH"):             row(403, 403, 404, 200, 403, 404, 404),
    ("api-pair-session-detail", "DELETE"):            row(403, 403, 404, 204, 403, 404, 404),
    ("api-pair-session-confirm", "POST"):             row(403, 403, 404, 403, 200, 404, 404),
    # The correction form's twin: every fact is required, so {} is the partner's 400.
    ("api-pair-session-correct", "POST"):             row(403, 403, 404, 403, 400, 404, 404),
    ("api-pair-note-list", "GET"):                    row(403, 403, 404, 200, 200, 404, 404),
    ("api-pair-note-list", "POST"):                   row(403, 403, 404, 400, 400, 404, 404),
    # policy: expected 403 for admin and coordinator (the page pair_note_edit
    # and api-pair-note-list answer staff 403) and for mentee (reads this shared note in the list)
    ("api-pair-note-detail", "PUT"):                  row(404, 404, 404, 400, 404, 404, 404),
    # policy: expected 403 for admin, coordinator and mentee (as PUT)
    ("api-pair-note-detail", "PATCH"):                row(404, 404, 404, 200, 404, 404, 404),
    # policy: expected 403 for admin, coordinator and mentee (as PUT)
    ("api-pair-note-detail", "DELETE"):               row(404, 404, 404, 204, 404, 404, 404),
    ("api-pair-goal-list", "GET"):                    row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-goal-list", "POST"):                   row(403, 403, 404, 400, 400, 404, 404),
    ("api-pair-goal-detail", "GET"):                  row(200, 200, 404, 200, 200, 404, 404),
    ("api-pair-goal-detail", "PUT"):                  row(403, 403, 404, 400, 400, 404, 404),
    ("api-pair-goal-detail", "PATCH"):                row(403, 403, 404, 200, 200, 404, 404),
    ("api-pair-goal-progress", "POST"):               row(403, 403, 404, 400, 400, 404, 404),

    # --- API: check-ins, engagement, review decisions
    ("api-check-in-list", "GET"):                     row(200, 200, 200, 200, 200, 200, 404),
    ("api-check-in-detail", "GET"):                   row(200, 200, 404, 200, 404, 404, 404),
    ("api-check-in-answer", "POST"):                  row(403, 403, 404, 400, 404, 404, 404),
    ("api-engagement-list", "GET"):                   row(200, 200, 200, 403, 403, 403, 404),
    ("api-engagement-detail", "GET"):                 row(200, 200, 404, 403, 403, 403, 404),
    ("api-review-decision-list", "GET"):              row(200, 200, 200, 403, 403, 403, 404),
    ("api-review-decision-list", "POST"):             row(400, 400, 400, 403, 403, 403, 404),
    ("api-review-decision-detail", "GET"):            row(200, 200, 404, 403, 403, 403, 404),

    # --- Variants: the mentor's private note instead of the shared one
    ("pair_note_edit[private note]", "GET"):          row(403, 403, 404, 200, 404, 404, 302),
    ("pair_note_edit[private note]", "POST"):         row(403, 403, 404, 400, 404, 404, 302),
    ("pair_note_delete[private note]", "POST"):       row(403, 403, 404, 302, 404, 404, 302),
    # policy: expected 403 for admin and coordinator (the page answers
    # staff 403 for any note id, so 403 reveals nothing; 404 stays right for the partner)
    ("api-pair-note-detail[private note]", "PUT"):    row(404, 404, 404, 400, 404, 404, 404),
    # policy: expected 403 for admin and coordinator (as PUT)
    ("api-pair-note-detail[private note]", "PATCH"):  row(404, 404, 404, 200, 404, 404, 404),
    # policy: expected 403 for admin and coordinator (as PUT)
    ("api-pair-note-detail[private note]", "DELETE"): row(404, 404, 404, 204, 404, 404, 404),
}
# fmt: on

# Areas added since, each in its own module (tests/access/areas/).
for _area in AREAS:
    TABLE.update(_area.TABLE)
