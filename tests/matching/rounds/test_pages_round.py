"""A round's page and its review actions: progress while it runs, figures and proposals, pin and
block a proposal, re-run, swap (preview, then apply), compare, publish."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from matching.models import (
    MatchingBlock,
    MatchingPin,
    MatchingRound,
    Pair,
    ProposedPair,
    RoundStatus,
    UnmatchedEntry,
)
from matching.rounds.config import round_create
from matching.rounds.editing import block_create, pin_create, swap
from matching.rounds.publish import round_publish
from matching.rounds.run import round_start, run_round
from organizations.models import AuditEntry
from programs.models import ProgramStatus
from tests.conftest import Tenant, login
from tests.matching.test_rounds_builders import (
    WEIGHTS,
    Cohort,
    add_person,
    matching_cohort,
    proposed_round,
)
from tests.participants.test_enrollment_builders import assign_coordinator


def round_url(tenant: Tenant, matching_round: MatchingRound, rest: str = "") -> str:
    return (
        f"/o/{tenant.slug}/programs/{matching_round.program_id}/matching/rounds/"
        f"{matching_round.pk}/{rest}"
    )


def admin(tenant: Tenant) -> Client:
    return login(Client(), tenant.admin.user)


def proposals(tenant: Tenant, matching_round: MatchingRound) -> list[ProposedPair]:
    with tenant.scope():
        return list(
            ProposedPair.objects.filter(round=matching_round)
            .select_related("mentor__person", "mentee__person")
            .order_by("-score", "id")
        )


def queued_round(tenant: Tenant, cohort: Cohort) -> MatchingRound:
    with tenant.scope():
        matching_round = round_create(
            program=cohort.program, actor=tenant.admin.user, weights=WEIGHTS
        )
        return round_start(matching_round=matching_round, actor=tenant.admin.user)


# --- Who may open it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "assigned", "status"),
    [
        ("admin", False, 200),
        ("coordinator", True, 200),
        ("coordinator", False, 404),
        ("member", False, 403),
    ],
)
@pytest.mark.parametrize("rest", ["", "compare/", "publish/", "swap"])
def test_who_may_open_a_round(
    org_a: Tenant, role: str, assigned: bool, status: int, rest: str
) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    if rest == "swap":
        rest = f"proposals/{proposals(org_a, matching_round)[0].pk}/swap/"
    if assigned:
        assign_coordinator(org_a, cohort.program)
    client = login(Client(), getattr(org_a, role).user)
    assert client.get(round_url(org_a, matching_round, rest)).status_code == status


@pytest.mark.parametrize("role", ["member", "coordinator"])
@pytest.mark.parametrize("rest", ["run/", "publish/", "pin", "block", "swap"])
def test_members_and_other_coordinators_cannot_act_on_a_round(
    org_a: Tenant, role: str, rest: str
) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    first, second = proposals(org_a, matching_round)
    if rest in ("pin", "block", "swap"):
        rest = f"proposals/{first.pk}/{rest}/"
    client = login(Client(), getattr(org_a, role).user)
    response = client.post(round_url(org_a, matching_round, rest), {"pair_b": second.pk})
    assert response.status_code == (403 if role == "member" else 404)
    with org_a.scope():
        matching_round.refresh_from_db()
        assert matching_round.status == RoundStatus.PROPOSED
        assert not MatchingPin.objects.exists()
        assert not MatchingBlock.objects.exists()
        assert not Pair.objects.exists()
    assert mail.outbox == []


def test_round_of_another_program_is_404(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    other = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, other)
    url = f"/o/{org_a.slug}/programs/{cohort.program.pk}/matching/rounds/{matching_round.pk}/"
    assert admin(org_a).get(url).status_code == 404


def test_proposal_of_another_round_is_404(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    first = proposed_round(org_a, cohort)
    second = proposed_round(org_a, cohort, rules={"rotation": False})
    foreign = proposals(org_a, first)[0]
    response = admin(org_a).post(round_url(org_a, second, f"proposals/{foreign.pk}/pin/"))
    assert response.status_code == 404


# --- Progress -------------------------------------------------------------------------------------


def test_queued_round_shows_an_accessible_progress_bar_that_htmx_polls(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = queued_round(org_a, cohort)
    html = admin(org_a).get(round_url(org_a, matching_round)).content.decode()
    assert 'role="status" aria-live="polite"' in html
    assert f'hx-get="{round_url(org_a, matching_round, "progress/")}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress aria-labelledby="round-progress-label" max="100" value="0">' in html
    assert "Waiting for a worker: 0 %" in html
    assert '<meta http-equiv="refresh" content="2">' in html  # without JavaScript
    assert "Proposed pairs" not in html


def test_progress_partial_while_running_then_refresh_when_done(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = queued_round(org_a, cohort)
    client = admin(org_a)
    url = round_url(org_a, matching_round, "progress/")
    with org_a.scope():
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            status=RoundStatus.RUNNING, progress=42, progress_message="Finished: scoring"
        )
    running = client.get(url, headers={"HX-Request": "true"})
    assert running.status_code == 200
    assert "HX-Refresh" not in running
    body = running.content.decode()
    assert "Finished: scoring: 42 %" in body
    assert 'value="42"' in body
    assert "<html" not in body  # the partial only

    with org_a.scope():
        MatchingRound.objects.filter(pk=matching_round.pk).update(status=RoundStatus.QUEUED)
        assert run_round(round_id=matching_round.pk) == "proposed"
    done = client.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 200
    assert done["HX-Refresh"] == "true"


def test_progress_url_without_htmx_goes_to_the_round(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = queued_round(org_a, cohort)
    response = admin(org_a).get(round_url(org_a, matching_round, "progress/"))
    assert response.status_code == 302
    assert response["Location"] == round_url(org_a, matching_round)


def test_failed_round_shows_the_error_and_can_run_again(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = queued_round(org_a, cohort)
    with org_a.scope():
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            status=RoundStatus.FAILED, error="Every pair is forbidden by the hard rules."
        )
    client = admin(org_a)
    html = client.get(round_url(org_a, matching_round)).content.decode()
    assert "The round failed: Every pair is forbidden by the hard rules." in html
    assert "Run again" in html
    response = client.post(round_url(org_a, matching_round, "run/"))
    assert response.status_code == 302
    with org_a.scope():
        matching_round.refresh_from_db()
        assert matching_round.status == RoundStatus.QUEUED
        assert matching_round.error == ""


# --- The proposals --------------------------------------------------------------------------------


def test_proposed_round_shows_figures_proposals_and_unmatched(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    add_person(org_a, cohort.program, "mentee", topics=cohort.topics, levels={0: 1})
    matching_round = proposed_round(org_a, cohort)
    html = admin(org_a).get(round_url(org_a, matching_round)).content.decode()
    stats = matching_round.stats
    assert stats["matched"] == 2
    assert stats["unmatched"] == 1
    assert "<dt>Matched pairs</dt><dd>2</dd>" in html
    assert "<dt>Unmatched people</dt><dd>1</dd>" in html
    assert f"<dt>Mean score</dt><dd>{stats['mean']:.1f}</dd>" in html
    top = proposals(org_a, matching_round)[0]
    assert top.rationale
    assert escape(top.rationale) in html
    assert f'<td class="number">{top.score:.1f}</td>' in html
    assert "<summary>Score breakdown" in html
    assert '<th scope="row">Skills to learn</th>' in html
    assert f"Other mentors for {top.mentee.person.full_name}:" in html
    with org_a.scope():
        entry = UnmatchedEntry.objects.select_related("enrollment__person").get()
    person, role = entry.enrollment.person.full_name, entry.enrollment.get_role_display()
    assert f"<td>{person}</td><td>{role}</td><td>{escape(entry.reason)}</td>" in html
    assert "Publish…" in html
    assert "What-if" in html
    assert "Re-run with the current pins" in html


def test_round_without_pairs_or_unmatched_shows_empty_states(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        ProposedPair.objects.filter(round=matching_round).delete()
    html = admin(org_a).get(round_url(org_a, matching_round)).content.decode()
    assert "This round proposes no pairs" in html
    assert "Everyone is matched." in html


def test_pinned_proposal_has_a_badge_and_no_swap(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    with org_a.scope():
        pin_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[0],
            mentee=cohort.mentees[0],
        )
    matching_round = proposed_round(org_a, cohort)
    html = admin(org_a).get(round_url(org_a, matching_round)).content.decode()
    assert html.count('<span class="badge badge-pinned">Pinned</span>') == 1
    assert html.count(">Swap…<") == 1


def test_pin_and_block_a_proposal_then_rerun_applies_them(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    matching_round = proposed_round(org_a, cohort)
    first, second, _third = proposals(org_a, matching_round)
    client = admin(org_a)
    response = client.post(round_url(org_a, matching_round, f"proposals/{first.pk}/pin/"))
    assert response.status_code == 302
    response = client.post(
        round_url(org_a, matching_round, f"proposals/{second.pk}/block/"), follow=True
    )
    assert "is blocked: no round of the program proposes them. Re-run the round" in (
        response.content.decode()
    )
    with org_a.scope():
        assert MatchingPin.objects.filter(mentor=first.mentor, mentee=first.mentee).exists()
        assert MatchingBlock.objects.filter(mentor=second.mentor, mentee=second.mentee).exists()
        assert AuditEntry.objects.filter(action="matching.pin_create").exists()
    assert client.post(round_url(org_a, matching_round, "run/")).status_code == 302
    with org_a.scope():
        assert run_round(round_id=matching_round.pk) == "proposed"
        rerun = {
            (p.mentor_id, p.mentee_id): p for p in ProposedPair.objects.filter(round=matching_round)
        }
    assert rerun[(first.mentor_id, first.mentee_id)].pinned
    assert (second.mentor_id, second.mentee_id) not in rerun


def test_pin_breaking_a_rule_is_a_400_on_the_round_page(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort, rules={"junior_mentor": False})
    proposal = proposals(org_a, matching_round)[0]
    with org_a.scope():
        person = proposal.mentor.person
        person.level = 9
        person.save(update_fields=["level"])
        # The program's rules come from its latest round: one that checks levels.
        proposed_round(org_a, cohort)
    response = admin(org_a).post(round_url(org_a, matching_round, f"proposals/{proposal.pk}/pin/"))
    assert response.status_code == 400
    assert "breaks a hard rule" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    with org_a.scope():
        assert not MatchingPin.objects.exists()


def test_rerun_while_another_round_runs_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, cohort)
    queued_round(org_a, cohort)
    response = admin(org_a).post(round_url(org_a, matching_round, "run/"))
    assert response.status_code == 400
    assert "already queued or running" in response.content.decode()


def test_round_page_paginates_proposals(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 27)
    matching_round = proposed_round(org_a, cohort)
    client = admin(org_a)
    first = client.get(round_url(org_a, matching_round))
    assert len(first.context["rows"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(round_url(org_a, matching_round), {"page": "2"})
    assert len(second.context["rows"]) == 2
    assert client.get(round_url(org_a, matching_round), {"page": "zz"}).status_code == 200


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_round_page_queries_do_not_grow_with_proposals(
    org_a: Tenant, django_assert_max_num_queries: Any
) -> None:
    small = proposed_round(org_a, matching_cohort(org_a, 2))
    large = proposed_round(org_a, matching_cohort(org_a, 22))
    assert large.stats["matched"] == 22
    client = admin(org_a)
    with django_assert_max_num_queries(13):
        assert client.get(round_url(org_a, large)).status_code == 200
    assert _count(client, round_url(org_a, large)) == _count(client, round_url(org_a, small))
    with django_assert_max_num_queries(10):
        assert client.get(round_url(org_a, large, "compare/")).status_code == 200


def test_matching_page_queries_do_not_grow_with_rounds_pins_and_blocks(
    org_a: Tenant, django_assert_max_num_queries: Any
) -> None:
    cohort = matching_cohort(org_a, 3)
    home = f"/o/{org_a.slug}/programs/{cohort.program.pk}/matching/"
    client = admin(org_a)
    proposed_round(org_a, cohort)
    one = _count(client, home)
    proposed_round(org_a, cohort, rules={"rotation": False})
    proposed_round(org_a, cohort, weights={"interests": 1})
    with org_a.scope():
        for k in range(2):
            pin_create(
                program=cohort.program,
                actor=org_a.admin.user,
                mentor=cohort.mentors[k],
                mentee=cohort.mentees[k],
            )
        block_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[2],
            mentee=cohort.mentees[0],
        )
    # 20 for the page, and a fixed 10 for the new-round form's "what these rules remove" (the
    # cohort loaded in bulk queries, as a round loads it).
    with django_assert_max_num_queries(30):
        assert client.get(home).status_code == 200
    assert _count(client, home) == one


# --- Swap ---------------------------------------------------------------------------------------


def test_swap_preview_shows_the_cost_and_changes_nothing(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    matching_round = proposed_round(org_a, cohort)
    first, second, _ = proposals(org_a, matching_round)
    url = round_url(org_a, matching_round, f"proposals/{first.pk}/swap/")
    client = admin(org_a)
    chooser = client.get(url)
    assert chooser.status_code == 200
    assert "Preview the swap" in chooser.content.decode()
    with org_a.scope():
        expected = swap(
            matching_round=matching_round, pair_a=first, pair_b=second, actor=None, apply=False
        )
    preview = client.get(url, {"pair_b": second.pk})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert f'changes by <strong class="delta-negative">{expected:+.1f} points</strong>' in html
    total = matching_round.stats["total"]
    assert f"from {total:.1f} to {total + expected:.1f}" in html
    assert "Swap the mentors" in html
    with org_a.scope():
        assert ProposedPair.objects.get(pk=first.pk).mentor_id == first.mentor_id
        assert not AuditEntry.objects.filter(action="matching.swap").exists()


def test_confirmed_swap_is_applied_and_audited(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    matching_round = proposed_round(org_a, cohort)
    first, second, _ = proposals(org_a, matching_round)
    url = round_url(org_a, matching_round, f"proposals/{first.pk}/swap/")
    response = admin(org_a).post(url, {"pair_b": second.pk}, follow=True)
    assert response.redirect_chain[-1][0] == round_url(org_a, matching_round)
    swapped = (
        f"Swapped: {second.mentor.person.full_name} now mentors {first.mentee.person.full_name}, "
        f"and {first.mentor.person.full_name} mentors {second.mentee.person.full_name}."
    )
    assert swapped in response.content.decode()
    with org_a.scope():
        assert ProposedPair.objects.get(pk=first.pk).mentor_id == second.mentor_id
        assert ProposedPair.objects.get(pk=second.pk).mentor_id == first.mentor_id
        assert AuditEntry.objects.filter(action="matching.swap").exists()


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "", "self", "other-round"])
def test_swap_with_a_bad_second_pair_is_a_field_error(org_a: Tenant, value: str) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    other = proposed_round(org_a, matching_cohort(org_a, 2))
    first = proposals(org_a, matching_round)[0]
    pair_b = {
        "self": str(first.pk),
        "other-round": str(proposals(org_a, other)[0].pk),
    }.get(value, value)
    url = round_url(org_a, matching_round, f"proposals/{first.pk}/swap/")
    client = admin(org_a)
    for response in (client.get(url, {"pair_b": pair_b}), client.post(url, {"pair_b": pair_b})):
        assert response.status_code == 400
        assert "pair_b" in response.context["form"].errors
    with org_a.scope():
        assert ProposedPair.objects.get(pk=first.pk).mentor_id == first.mentor_id


def test_swap_breaking_a_hard_rule_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    first, second = proposals(org_a, matching_round)
    with org_a.scope():
        block_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=second.mentor,
            mentee=first.mentee,
        )
    url = round_url(org_a, matching_round, f"proposals/{first.pk}/swap/")
    response = admin(org_a).post(url, {"pair_b": second.pk})
    assert response.status_code == 400
    assert "This swap breaks a hard rule" in response.content.decode()


def test_published_round_cannot_swap(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    first, second = proposals(org_a, matching_round)
    with org_a.scope():
        round_publish(matching_round=matching_round, actor=org_a.admin.user)
    url = round_url(org_a, matching_round, f"proposals/{first.pk}/swap/")
    client = admin(org_a)
    assert "only the pairs of a round that is not yet published" in client.get(url).content.decode()
    response = client.post(url, {"pair_b": second.pk})
    assert response.status_code == 400
    with org_a.scope():
        assert ProposedPair.objects.get(pk=first.pk).mentor_id == first.mentor_id
    pin = client.post(round_url(org_a, matching_round, f"proposals/{first.pk}/pin/"))
    assert pin.status_code == 400


# --- Compare --------------------------------------------------------------------------------------


def test_compare_shows_figures_and_changed_pairs_with_names(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    before = proposed_round(org_a, cohort)
    first, second, _ = proposals(org_a, before)
    after = proposed_round(org_a, cohort, rules={"rotation": False})
    with org_a.scope():
        swap(
            matching_round=after,
            pair_a=ProposedPair.objects.get(round=after, mentee=first.mentee),
            pair_b=ProposedPair.objects.get(round=after, mentee=second.mentee),
            actor=None,
        )
        after.refresh_from_db()
    assert (before.number, after.number) == (1, 2)
    response = admin(org_a).get(round_url(org_a, before, "compare/"), {"with": after.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Compare round 1 with round 2" in html
    assert '<th scope="row">Total score</th>' in html
    assert "2 mentees get another mentor; 1 pair stays the same." in html
    assert f"<td>{first.mentee.person.full_name}</td>" in html
    assert f"<td>{first.mentor.person.full_name}</td>" in html
    change = f"{after.stats['total'] - before.stats['total']:+.1f}"
    assert change in html
    # Opened from the later round, the change still reads later minus earlier: the same sign.
    response = admin(org_a).get(round_url(org_a, after, "compare/"), {"with": before.pk})
    html = response.content.decode()
    assert "Compare round 2 with round 1" in html
    assert "the change is round 2 minus round 1" in html
    assert change in html
    assert '<th scope="col">Mentor in round 1</th>' in html


def test_compare_without_with_offers_a_choice(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    only = proposed_round(org_a, cohort)
    response = admin(org_a).get(round_url(org_a, only, "compare/"))
    assert response.status_code == 200
    assert "No other round of this program has proposals yet." in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "²", "-1", "0", "99999999999999999999999", "999999"])
def test_compare_with_garbage_is_a_clear_400(org_a: Tenant, value: str) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, cohort)
    response = admin(org_a).get(round_url(org_a, matching_round, "compare/"), {"with": value})
    assert response.status_code == 400
    assert "Choose a computed round of this program to compare with." in response.content.decode()


def test_compare_with_a_round_of_another_program_or_without_proposals_is_a_400(
    org_a: Tenant,
) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, cohort)
    foreign = proposed_round(org_a, matching_cohort(org_a, 1))
    client = admin(org_a)
    url = round_url(org_a, matching_round, "compare/")
    assert client.get(url, {"with": foreign.pk}).status_code == 400
    pending = queued_round(org_a, cohort)
    response = client.get(url, {"with": pending.pk})
    assert response.status_code == 400
    assert "Both rounds need proposals first." in response.content.decode()


# --- Publish -------------------------------------------------------------------------------------


def test_publish_asks_for_confirmation_first(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    response = admin(org_a).get(round_url(org_a, matching_round, "publish/"))
    assert response.status_code == 200
    assert "Publish and email 2 pairs" in response.content.decode()
    with org_a.scope():
        assert not Pair.objects.exists()
    assert mail.outbox == []


def test_publish_creates_pairs_and_emails_both_people(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    top = proposals(org_a, matching_round)[0]
    client = admin(org_a)
    # The emails go on commit; the callbacks run here, after the request, so inside a scope.
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(round_url(org_a, matching_round, "publish/"))
    assert response.status_code == 302
    assert response["Location"] == round_url(org_a, matching_round)
    with org_a.scope():
        assert Pair.objects.filter(source_round=matching_round).count() == 2
        assert AuditEntry.objects.filter(action="matching.round_publish").exists()
    assert len(mail.outbox) == 4
    to_mentee = next(m for m in mail.outbox if m.to == [top.mentee.person.email])
    assert top.rationale in to_mentee.body
    html = client.get(round_url(org_a, matching_round)).content.decode()
    assert "is published: 2 pairs created" in html
    assert "both people of each pair were emailed" in html
    assert "Publish…" not in html
    assert "Swap…" not in html


def test_publishing_twice_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, cohort)
    client = admin(org_a)
    assert client.post(round_url(org_a, matching_round, "publish/")).status_code == 302
    response = client.post(round_url(org_a, matching_round, "publish/"))
    assert response.status_code == 400
    assert "This round is already published." in response.content.decode()
    with org_a.scope():
        assert Pair.objects.count() == 1


def test_publishing_a_round_that_has_not_run_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = queued_round(org_a, cohort)
    response = admin(org_a).post(round_url(org_a, matching_round, "publish/"))
    assert response.status_code == 400
    assert "Only a round with proposals can be published." in response.content.decode()


def test_round_of_a_closed_program_offers_no_rerun(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        cohort.program.status = ProgramStatus.CLOSED
        cohort.program.save(update_fields=["status"])
    client = admin(org_a)
    assert "Re-run" not in client.get(round_url(org_a, matching_round)).content.decode()
    response = client.post(round_url(org_a, matching_round, "run/"))
    assert response.status_code == 400
    assert 'class="form-errors" role="alert"' in response.content.decode()
    with org_a.scope():
        matching_round.refresh_from_db()
        assert matching_round.status == RoundStatus.PROPOSED
