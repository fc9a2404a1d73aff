"""python manage.py seed_demo [--json]: load demo.md's data (idempotent) and print how to call
the API with the demo clients."""

import json
import os
import shlex

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import seed_demo

MEDIA_TYPE = "application/vnd.api+json"


def base_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"


def curl_lines(base: str, client: dict) -> dict:
    """Ready shell lines: fetch a token for `client`, then list SKUs with their prices."""
    body = {"grant_type": "client_credentials", "client_id": client["client_id"]}
    if client.get("client_secret"):
        body["client_secret"] = client["client_secret"]
    if client.get("scope"):
        body["scope"] = client["scope"]
    token = (
        f"TOKEN=$(curl -s {base}/oauth/token -H 'Content-Type: application/json' "
        f"-d {shlex.quote(json.dumps(body, separators=(',', ':')))} "
        """| sed -E 's/.*"access_token": *"([^"]+)".*/\\1/')"""
    )
    skus = (
        f"curl -s -H 'Accept: {MEDIA_TYPE}' -H \"Authorization: Bearer $TOKEN\" "
        f"'{base}/api/skus?include=prices'"
    )
    return {"token": token, "skus": skus}


class Command(BaseCommand):
    help = (
        "Load the demo data (demo.md): merchant, catalog, markets usa and eu, stock, "
        "shipping and payment methods, and the demo API clients with fixed credentials. "
        "Idempotent. Development only: refuses to run with DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the summary, clients and curl lines as one JSON object",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo data is for development: its API clients have fixed, "
                "published credentials. seed_demo refuses to run with DEBUG off."
            )
        summary = seed_demo()
        sales_channel = next(c for c in summary["clients"] if c["client_id"] == "demo-sc-usa")
        curl = curl_lines(base_url(), sales_channel)
        if options["json"]:
            self.stdout.write(json.dumps({**summary, "curl": curl}, indent=2))
            return
        records = ", ".join(f"{n} {label}" for label, n in summary["records"].items())
        self.stdout.write(f"Demo data: {records}.")
        self.stdout.write(
            f"Created {summary['created']}, updated {summary['updated']} "
            "(the rest already matched)."
        )
        self.stdout.write("\nDemo API clients:")
        for client in summary["clients"]:
            line = f"  {client['kind']:<14} client_id={client['client_id']}"
            if client.get("client_secret"):
                line += f" client_secret={client['client_secret']}"
            line += f" scope={client['scope'] or '(none: every market)'}"
            self.stdout.write(line)
        customer = summary["customer"]
        self.stdout.write(
            f"  {'customer':<14} username={customer['email']} password={customer['password']} "
            f"(grant_type=password, client_id={sales_channel['client_id']}, "
            f"scope={sales_channel['scope']})"
        )
        self.stdout.write("  coupons: WELCOME10 (10% off), FREESHIP (free shipping) in usa")
        self.stdout.write(
            f"\nA token for {sales_channel['client_id']}, then the SKUs with their prices:\n"
        )
        self.stdout.write(f"  {curl['token']}")
        self.stdout.write(f"  {curl['skus']}")
