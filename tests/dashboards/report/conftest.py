"""The browser fixtures of tests/e2e, for the dashboard's drawing test here."""

from tests.e2e.conftest import new_page, page, playwright  # noqa: F401
