"""Languages and time zones as people write them, read through CLDR (babel) into the codes we store.

A directory file rarely holds ISO codes: HR systems export "English", "Deutsch", "en_GB" or
"Europe/Paris", "Paris", "France", "W. Europe Standard Time". These functions map what a person
wrote to the one spelling we store, or raise ``UnknownNameError`` carrying close matches to suggest.

- A **language** is a code (``en``, ``EN``, ``en_GB``, ``en-GB`` → ``en``, ``en-gb``), its English
  name ("German", "British English") or its own name ("Deutsch", "français"). Stored codes are lower
  case with a hyphen, as before. Obsolete codes become the current ones (``iw`` → ``he``).
- A **time zone** is an IANA name in any case, a city ("New York", "Sao Paulo"), a country whose
  places all keep the same time ("France", "Germany", "FR"), or a Windows zone name. A country
  with several times (the United States, Spain) is not guessed: the message lists its zones.

Matching ignores case and accents ("francais" is "français"). Tables are built once per process;
the names in each language's own tongue (about 330 locales) only load when a word is not found
among the codes and English names, so a file of codes pays nothing for them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import UTC, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from babel.localedata import locale_identifiers

from core.timezones import time_zone_names

_CODE = re.compile(r"^([a-z]{2,3})((?:-[a-z0-9]{2,8})*)$")
MAX_SUGGESTIONS = 3
# Two instants half a year apart: a country's zones keep "the same time" when they agree on both.
_SEASONS = (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC))


class UnknownNameError(LookupError):
    """What was written matches nothing; ``suggestions`` are the closest spellings we know."""

    def __init__(self, value: str, suggestions: list[str]) -> None:
        super().__init__(value)
        self.value = value
        self.suggestions = suggestions


class AmbiguousNameError(LookupError):
    """A name with several answers (a country spanning several times); ``choices`` lists them."""

    def __init__(self, value: str, choices: list[str]) -> None:
        super().__init__(value)
        self.value = value
        self.choices = choices


def fold(text: str) -> str:
    """Lower case without accents or repeated spaces: the key names are compared by."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("_", " ").split())


def _store_code(identifier: str) -> str:
    return identifier.lower().replace("_", "-")


# --- Languages ---------------------------------------------------------------------------------------


@cache
def _english_language_names() -> dict[str, str]:
    """Folded English name → stored code ("british english" → "en-gb")."""
    return {fold(name): _store_code(code) for code, name in Locale("en").languages.items()}


@cache
def _known_languages() -> frozenset[str]:
    return frozenset(str(code).split("_")[0].lower() for code in Locale("en").languages)


@cache
def _own_language_names() -> dict[str, str]:
    """Folded name of each language in itself → code ("deutsch" → "de"); loaded on first miss."""
    names: dict[str, str] = {}
    for identifier in locale_identifiers():
        if "_" in identifier:
            continue
        own = Locale.parse(identifier).languages.get(identifier)
        if own:
            names.setdefault(fold(own), _store_code(identifier))
    return names


def language_code(value: str) -> str:
    """The stored code of one language written as a code or a name; ``UnknownNameError`` otherwise."""
    text = value.strip()
    code = _store_code(text)
    match = _CODE.match(code)
    if match:
        base = get_global("language_aliases").get(match.group(1), match.group(1))
        if base in _known_languages():
            return base + match.group(2)
    key = fold(text)
    found = _english_language_names().get(key) or _own_language_names().get(key)
    if found:
        return found
    raise UnknownNameError(text, _suggest_languages(key))


@lru_cache(maxsize=1024)  # a file may repeat one misspelling on thousands of rows
def _suggest_languages(key: str) -> list[str]:
    english = _english_language_names()
    own = _own_language_names()
    close = difflib.get_close_matches(key, [*english, *own], n=MAX_SUGGESTIONS, cutoff=0.7)
    return list(dict.fromkeys(_display_language(english.get(name) or own[name]) for name in close))


def _display_language(code: str) -> str:
    name = Locale("en").languages.get(code.replace("-", "_")) or code
    return f"{name} ({code})"


# --- Time zones --------------------------------------------------------------------------------------


@cache
def _iana_names() -> dict[str, str]:
    return {name.lower(): name for name in time_zone_names()} | {"utc": "UTC"}


def _canonical_zone(name: str) -> str:
    canonical: str = get_global("zone_aliases").get(name, name)
    return canonical


@cache
def _place_names() -> dict[str, str]:
    """Folded city, country (name and ISO code) and Windows zone name → IANA name."""
    places: dict[str, str] = {}
    for name in sorted(time_zone_names()):
        if "/" not in name or name.startswith("Etc/") or name != _canonical_zone(name):
            continue
        places.setdefault(fold(name.rsplit("/", 1)[1]), name)
        city = get_timezone_location(name, locale="en", return_city=True)
        places.setdefault(fold(city), name)
    for windows, name in get_global("windows_zone_mapping").items():
        places.setdefault(fold(windows), name)
    return places


@cache
def _country_zones() -> dict[str, tuple[str, list[str]]]:
    """Folded country name and code → (English name, its zones)."""
    territories = Locale("en").territories
    countries: dict[str, tuple[str, list[str]]] = {}
    for code, zones in get_global("territory_zones").items():
        if not code.isalpha() or code == "ZZ" or code not in territories:
            continue
        entry = (territories[code], [_canonical_zone(zone) for zone in zones])
        countries[fold(territories[code])] = entry
        countries.setdefault(fold(code), entry)
    for alias, codes in get_global("territory_aliases").items():
        if alias.isalpha() and len(codes) == 1 and fold(codes[0]) in countries:
            countries.setdefault(fold(alias), countries[fold(codes[0])])
    return countries


def _main_zones_first(zones: list[str]) -> list[str]:
    """A country's zones, one per time first (east to west, the zone Windows names for it), then
    the rest: the first few make a useful example ("America/New_York, America/Chicago…")."""
    main = set(get_global("windows_zone_mapping").values())
    winter = _SEASONS[0]

    def offset(zone: str) -> float:
        delta = ZoneInfo(zone).utcoffset(winter)
        return delta.total_seconds() if delta is not None else 0.0

    ordered = sorted(zones, key=lambda zone: (zone not in main, -offset(zone), zone))
    first: dict[float, str] = {}
    for zone in ordered:
        first.setdefault(offset(zone), zone)
    examples = sorted(first.values(), key=lambda zone: -offset(zone))
    return [*examples, *(zone for zone in ordered if zone not in examples)]


def _same_time(zones: list[str]) -> bool:
    return all(
        len({ZoneInfo(zone).utcoffset(instant) for zone in zones}) == 1 for instant in _SEASONS
    )


def time_zone(value: str) -> str:
    """The IANA name of a zone written as an IANA name, a city, a country or a Windows zone name.

    ``AmbiguousNameError`` for a country spanning several times; ``UnknownNameError`` for anything else.
    """
    text = value.strip()
    iana = _iana_names().get(text.lower())
    if iana is not None:
        return iana
    key = fold(text)
    place = _place_names().get(key)
    if place is not None:
        return place
    country = _country_zones().get(key)
    if country is not None:
        name, zones = country
        if _same_time(zones):
            return zones[0]
        raise AmbiguousNameError(name, _main_zones_first(zones))
    raise UnknownNameError(text, _suggest_zones(key))


@lru_cache(maxsize=1024)
def _suggest_zones(key: str) -> list[str]:
    keys = [*_place_names(), *(name for name in _country_zones() if len(name) > 2)]
    close = difflib.get_close_matches(key, keys, n=MAX_SUGGESTIONS, cutoff=0.75)
    suggestions = [_place_names().get(name) or _country_zones()[name][0] for name in close]
    return list(dict.fromkeys(suggestions))
