"""The pair page's links, each URL name reversed once per page, are the URLs reverse() gives: for
every URL of a pair's row and of the pair itself, and for every link the page itself builds."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from feedback import urls as feedback_urls
from feedback.pairs.links import PLACEHOLDER, PairLinks
from tests.conftest import Tenant, login
from tests.feedback.builders import live_pair


def _pair_patterns(*, of_row: bool) -> list[str]:
    """The names of the pair's own URLs (under ``o/<org_slug>/pairs/<pair_pk>/``), with a row's
    id (``pk``) or without."""
    names = []
    for pattern in feedback_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        of_pair = route.startswith(feedback_urls._PAIR) and pattern.name
        if of_pair and ("<id:pk>" in route) == of_row:
            names.append(pattern.name)
    return names


ROW_URLS = _pair_patterns(of_row=True)
PAIR_URLS = _pair_patterns(of_row=False)


def test_every_kind_of_row_and_pair_url_is_checked() -> None:
    """The lists come from the URL configuration: a new row page is checked without a change here."""
    assert {"pair_session_confirm", "pair_note_delete", "pair_story_agree"} <= set(ROW_URLS)
    assert len(ROW_URLS) >= 14
    assert {"pair_note_create", "pair_pause", "pair_action_create"} <= set(PAIR_URLS)


@pytest.mark.parametrize("name", ROW_URLS)
@pytest.mark.parametrize(
    ("slug", "pair_pk"), [("acme", 7), ("org-100000000000000000", 100000000000000000)]
)
def test_a_rows_url_is_the_one_reverse_gives(name: str, slug: str, pair_pk: int) -> None:
    """Also when the slug or the pair's id holds the placeholder's digits: the row's id is found
    at the path's end."""
    links = PairLinks(slug, pair_pk)
    for pk in (1, 9, 10, 4321, int(PLACEHOLDER), 999999999999999999):
        expected = reverse(name, kwargs={"org_slug": slug, "pair_pk": pair_pk, "pk": pk})
        assert links.row(name, pk) == expected
    # The second time from what the first one kept.
    assert links.row(name, 12) == reverse(name, args=(slug, pair_pk, 12))


@pytest.mark.parametrize("name", PAIR_URLS)
def test_a_pair_url_is_the_one_reverse_gives(name: str) -> None:
    links = PairLinks("acme", 42)
    assert links[name] == links.page(name) == reverse(name, args=("acme", 42))


def test_the_page_shows_only_links_reverse_gives(
    org_a: Tenant, org_b: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every link the pair page builds from its links, for its two people, is checked against
    reverse() as it is built."""
    from feedback.sessions import services as sessions
    from programs.lifecycle import program_today

    live_pair(org_b)
    live = live_pair(org_a)
    with org_a.scope():
        sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=None,
            held_on=program_today(live.program),
            duration_minutes=30,
        )
    built: list[tuple[str, tuple[Any, ...], str]] = []
    row, page = PairLinks.row, PairLinks.page

    def recorded_row(self: PairLinks, name: str, pk: int) -> str:
        url = row(self, name, pk)
        built.append((name, (self.org_slug, self.pair_pk, pk), url))
        return url

    def recorded_page(self: PairLinks, name: str) -> str:
        url = page(self, name)
        built.append((name, (self.org_slug, self.pair_pk), url))
        return url

    monkeypatch.setattr(PairLinks, "row", recorded_row)
    monkeypatch.setattr(PairLinks, "page", recorded_page)
    url = reverse("pair_detail", args=(org_a.slug, live.pair.pk))
    for user in (live.mentor_user, live.mentee_user):
        assert login(Client(), user).get(url).status_code == 200
    names = {name for name, _, _ in built}
    assert {"pair_session_confirm", "pair_session_edit", "pair_note_create"} <= names
    for name, args, url in built:
        assert url == reverse(name, args=args)
