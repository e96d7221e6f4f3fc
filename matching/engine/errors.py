"""Errors the engine raises for bad input. Each is a ``ValueError`` with a message fit to show."""

from __future__ import annotations


class MatchingError(ValueError):
    """Bad input to a matching round; the message says what to change."""


class ConfigError(MatchingError):
    """Weights or rule parameters out of range."""


class EmptyCohortError(MatchingError):
    """A round without mentors or without mentees."""


class PinError(MatchingError):
    """A pin that cannot be honoured (breaks a hard rule, exceeds a capacity, unknown person)."""
