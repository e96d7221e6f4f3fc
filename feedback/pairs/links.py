"""The pair page's links, each URL name reversed once per page.

A page lists up to ten rows of sessions, notes, goals, planned sessions, actions and stories, and
each row links to a few pages of its own (confirm, edit, delete...). ``{% url %}`` reversed every
one of them: about a hundred reverse() calls, the most expensive part of the page's template.
The rows' URLs differ only in the row's id, the last part of their path: one reverse() per URL
name with a placeholder id gives the text before and after it, and a row's URL is the three
joined (:meth:`PairLinks.row`, equal to reverse() for every row type, which tests check). The
pair's own URLs (a form's ``action`` and ``hx-post``) are reversed once each too.
"""

from __future__ import annotations

from django.urls import reverse

# An id the ``id`` converter accepts and the page's other parts cannot end with: it is the
# path's last number, after the organisation's slug and the pair's id.
PLACEHOLDER = str(10**17)


class PairLinks:
    """One pair's URLs on one page, for one organisation (its slug) and script prefix."""

    def __init__(self, org_slug: str, pair_pk: int) -> None:
        self.org_slug = org_slug
        self.pair_pk = pair_pk
        self._rows: dict[str, tuple[str, str]] = {}
        self._pages: dict[str, str] = {}

    def page(self, name: str) -> str:
        """A URL of the pair itself (``org_slug``, ``pair_pk``): the form to add a row, say."""
        url = self._pages.get(name)
        if url is None:
            url = self._pages[name] = reverse(
                name, kwargs={"org_slug": self.org_slug, "pair_pk": self.pair_pk}
            )
        return url

    def __getitem__(self, name: str) -> str:
        """``{{ pair_links.pair_note_create }}`` in a template: :meth:`page`."""
        return self.page(name)

    def row(self, name: str, pk: int) -> str:
        """The URL ``name`` of one of the pair's rows: ``reverse(name, kwargs={"org_slug": ...,
        "pair_pk": ..., "pk": pk})``."""
        parts = self._rows.get(name)
        if parts is None:
            url = reverse(
                name,
                kwargs={"org_slug": self.org_slug, "pair_pk": self.pair_pk, "pk": PLACEHOLDER},
            )
            head, found, tail = url.rpartition(PLACEHOLDER)
            assert found, f"{name}: the row's id is not in its path"
            parts = self._rows[name] = (head, tail)
        return f"{parts[0]}{pk}{parts[1]}"
