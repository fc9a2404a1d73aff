"""python manage.py create_api_client --kind integration|sales_channel --name NAME
[--scope market:code:usa] [--client-id ID --client-secret SECRET] [--json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from commerce.auth.services import API_CLIENT_KINDS, create_api_client


class Command(BaseCommand):
    help = (
        "Create an API client (or update the one with --client-id) and print its credentials. "
        "The secret is shown only here: it is stored hashed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=API_CLIENT_KINDS)
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--scope",
            default="",
            help="default scope, e.g. market:code:usa (required in token "
            "requests of a sales channel without one)",
        )
        parser.add_argument(
            "--client-id", help="fixed client id (demo seeds); updates it if it exists"
        )
        parser.add_argument("--client-secret", help="fixed secret for an integration")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        try:
            credentials = create_api_client(
                kind=options["kind"],
                name=options["name"],
                scope=options["scope"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
            )
        except ValueError as exc:
            raise CommandError(str(exc))
        data = credentials.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(data))
            return
        line = f"{data['kind']} API client {data['name']!r}: client_id={data['client_id']}"
        if "client_secret" in data:
            secret = data["client_secret"] or "(unchanged, not shown)"
            line += f" client_secret={secret}"
        line += f" scope={data['scope'] or '(none)'}"
        self.stdout.write(line)
