"""Delete one organisation and every row it owns (platform operators). ``--dry-run`` only counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.models import Organization
from privacy.offboarding.services import OffboardingPlan, offboard, plan


class Command(BaseCommand):
    help = (
        "Offboard an organisation: delete all its rows, files and the accounts that belonged to it "
        "alone. Use --dry-run first to see the counts; the real run asks you to repeat the slug."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--dry-run", action="store_true", help="Count only; delete nothing.")
        parser.add_argument(
            "--confirm", default="", help="Repeat the slug to run without being asked."
        )

    def _print(self, done: OffboardingPlan) -> None:
        for label, count in done.rows.items():
            if count:
                self.stdout.write(f"  {label}: {count}")
        self.stdout.write(f"  rows in all: {done.total_rows}")
        self.stdout.write(f"  accounts of this organisation only: {len(done.accounts)}")
        self.stdout.write(f"  files: {len(done.files)}")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation has the slug {slug!r}.")
        if options["dry_run"]:
            self.stdout.write(f"Dry run: offboarding {organization.name} ({slug}) would delete:")
            self._print(plan(organization))
            return
        confirm = options["confirm"] or (
            input(f"Type the slug ({slug}) to delete {organization.name} for good: ")
            if options.get("interactive", True)
            else ""
        )
        if confirm != slug:
            raise CommandError("The slug was not repeated: nothing was deleted.")
        done = offboard(organization)
        self.stdout.write(self.style.SUCCESS(f"Offboarded {organization.name} ({slug}):"))
        self._print(done)
