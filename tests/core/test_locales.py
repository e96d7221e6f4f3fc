"""Languages and time zones as people write them map to the one spelling we store (CLDR via babel)."""

from __future__ import annotations

import pytest

from core import locales


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("English", "en"),
        ("english", "en"),
        ("Deutsch", "de"),
        ("français", "fr"),
        ("Francais", "fr"),
        ("German", "de"),
        ("British English", "en-gb"),
        ("en-GB", "en-gb"),
        ("en_GB", "en-gb"),
        ("EN", "en"),
        ("pt_BR", "pt-br"),
        ("iw", "he"),  # an obsolete code becomes the current one
    ],
)
def test_language_names_and_codes_map_to_the_stored_code(written: str, code: str) -> None:
    assert locales.language_code(written) == code


def test_an_unknown_language_suggests_close_names() -> None:
    with pytest.raises(locales.UnknownNameError) as raised:
        locales.language_code("Englsh")
    assert raised.value.value == "Englsh"
    assert raised.value.suggestions[0] == "English (en)"


def test_a_code_no_language_has_is_unknown() -> None:
    with pytest.raises(locales.UnknownNameError):
        locales.language_code("xq")


@pytest.mark.parametrize(
    ("written", "zone"),
    [
        ("europe/paris", "Europe/Paris"),
        ("Paris", "Europe/Paris"),
        ("New York", "America/New_York"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("France", "Europe/Paris"),
        ("FR", "Europe/Paris"),
        ("Germany", "Europe/Berlin"),  # two zones, one time: Berlin is the country's first
        ("UK", "Europe/London"),
        ("Eastern Standard Time", "America/New_York"),  # the Windows name
        ("utc", "UTC"),
    ],
)
def test_time_zones_by_name_city_country_or_windows_name(written: str, zone: str) -> None:
    assert locales.time_zone(written) == zone


def test_a_country_with_several_times_is_not_guessed() -> None:
    with pytest.raises(locales.AmbiguousNameError) as raised:
        locales.time_zone("United States")
    assert "America/New_York" in raised.value.choices
    assert "America/Los_Angeles" in raised.value.choices


def test_an_unknown_zone_suggests_close_places() -> None:
    with pytest.raises(locales.UnknownNameError) as raised:
        locales.time_zone("Pariss")
    assert raised.value.suggestions == ["Europe/Paris"]
