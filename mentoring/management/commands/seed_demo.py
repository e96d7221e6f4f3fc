"""Load the demo organisations once (idempotent: a second run changes nothing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mentoring.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo organisations, programs, people and enrolments if not there yet."

    def handle(self, *args: Any, **options: Any) -> None:
        if seed_demo():
            self.stdout.write(self.style.SUCCESS("Demo organisations loaded."))
        else:
            self.stdout.write("Demo data already loaded.")
