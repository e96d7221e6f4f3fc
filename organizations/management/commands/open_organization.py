"""./flip manage open_organization --name "Acme Ltd" --slug acme --admin-email hr@acme.example"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from organizations.platform.services import organization_open


class Command(BaseCommand):
    help = "Open an organisation for a new client and invite its first admin by email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", required=True, help="The organisation's name, e.g. 'Acme Ltd'"
        )
        parser.add_argument("--slug", required=True, help="Its web address: /o/<slug>/")
        parser.add_argument("--admin-email", required=True, help="The first admin's email")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            opened = organization_open(
                actor=None,
                name=options["name"],
                slug=options["slug"],
                admin_email=options["admin_email"],
            )
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"Nothing was created. {problems}") from None
        self.stdout.write(
            f"Opened {opened.organization.name} at /o/{opened.organization.slug}/.\n"
            f"Invitation sent to {opened.admin_email}; the link (one use): {opened.invitation_link}"
        )
