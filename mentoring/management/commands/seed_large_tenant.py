"""Seed the large tenant of issue #11 (5,000 people, 2,500 pairs, …) and 50 small tenants.

    ./flip manage seed_large_tenant                 # full size (well under 2 minutes)
    ./flip manage seed_large_tenant --scale 0.1     # a tenth of every count, for a quick look
    ./flip manage seed_large_tenant --slug big2     # another one beside it

For benchmarks and performance work on a development database, never on production data. Refuses
to run twice on the same slug. The rows and their shape: ``bench/large_tenant.py``.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_SLUG = "large"  # bench.large_tenant.DEFAULT_SLUG (checked by its test)


class Command(BaseCommand):
    help = "Create a large tenant (5,000 people, 2,500 pairs, 60,000 sessions) and 50 small ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (1.0)")
        parser.add_argument("--slug", default=DEFAULT_SLUG, help=f"its slug ({DEFAULT_SLUG})")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            # The bench package is a development tool: not in the production image.
            from bench.large_tenant import AlreadySeededError, seed
        except ImportError as exc:
            raise CommandError(
                "The bench package is not installed here (it is left out of the production image)."
            ) from exc
        started = time.monotonic()
        try:
            seeded = seed(
                slug=options["slug"],
                scale=options["scale"],
                say=lambda message: self.stdout.write(f"  {message}"),
            )
        except AlreadySeededError as exc:
            raise CommandError(f"{exc}: seed it once, or pass another --slug") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(
            f"{key.replace('_', ' ')} {value:,}"
            for key, value in seeded.counts.items()
            if ":" not in key
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Large tenant {seeded.organization.slug!r} seeded in "
                f"{time.monotonic() - started:.0f} s: {counts}."
            )
        )
        self.stdout.write(
            f"Accounts (no password; set one with ./flip manage changepassword): "
            f"{seeded.admin.email} (admin), {seeded.coordinator.email} (coordinator of the active "
            f"programs), {seeded.participant.email} (mentee of {seeded.largest_program.name})."
        )
